"""The OpenAPI description's parts: the schemas of the POS API's bodies and its error responses."""

from app.blueprints.api.results import EXPIRING_DAYS
from app.blueprints.api.schemas import (
    LIMITS,
    MAX_FEN,
    MAX_LINES,
    MAX_QTY,
    PAID_AT_PATTERN,
    RULE_LINES_ADD_UP,
    RULE_PAID_AT_WINDOW,
    TEXT_PATTERN,
)
from app.inputs import MAX_URL


def text(field: str, description: str = "") -> dict:
    """What schemas.is_text accepts: printable ASCII, no outer spaces, at most LIMITS[field]."""
    schema = {"type": "string", "minLength": 1, "maxLength": LIMITS[field], "pattern": TEXT_PATTERN}
    return schema | ({"description": description} if description else {})


def ref(name: str) -> dict:
    """A reference to one of SCHEMAS."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(name: str, description: str) -> dict:
    """A JSON response (or body) of one of SCHEMAS."""
    return {"description": description, "content": {"application/json": {"schema": ref(name)}}}


def error_refs(*statuses: int) -> dict:
    """References to the shared error responses, by status."""
    return {str(status): {"$ref": f"#/components/responses/E{status}"} for status in statuses}


FEN = {"type": "integer", "minimum": 0, "maximum": MAX_FEN}
POINTS = {"type": "integer", "description": "points (integers; no fractions anywhere)"}
TIER = {
    "type": "string",
    "description": "tier code: base, silver, gold, diamond",
    "examples": ["gold"],
}

SCHEMAS = {
    "OrderLine": {
        "type": "object",
        "additionalProperties": False,
        "required": ["sku", "category", "qty", "paid_fen"],
        "properties": {
            "sku": text("sku", "the product's SKU"),
            "category": text(
                "category",
                "product category; sets the points multiplier "
                "(skincare, makeup, fragrance 100%, gift_card 0%)",
            ),
            "qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY},
            "paid_fen": FEN | {"description": "what was paid for this line, in fen"},
        },
    },
    "Order": {
        "type": "object",
        "additionalProperties": False,
        "description": "A paid order. Give exactly one of member_no and phone. Strings are "
        "printable without outer whitespace; integers must be JSON integers.",
        "required": ["order_no", "store_code", "paid_fen", "paid_at"],
        "oneOf": [{"required": ["member_no"]}, {"required": ["phone"]}],
        "properties": {
            "order_no": text("order_no", "the till's order number: the idempotency key"),
            "member_no": text("member_no", "the member's number"),
            "phone": text("phone", "the member's mobile number"),
            "store_code": text("store_code", "the store, e.g. SH001"),
            "paid_fen": FEN | {"description": "the amount paid, in fen"},
            "paid_at": {
                "type": "string",
                "format": "date-time",
                "maxLength": LIMITS["paid_at"],
                "pattern": PAID_AT_PATTERN,
                "description": "RFC 3339 with a UTC offset (Z or ±hh:mm), at most microseconds; "
                f"also (not expressible here, 422 validation_failed 'paid_at: "
                f"{RULE_PAID_AT_WINDOW}') after 2000-01-01 and at most 5 minutes in the future",
                "examples": ["2026-06-15T10:00:00+08:00"],
            },
            "lines": {
                "type": "array",
                "maxItems": MAX_LINES,
                "items": ref("OrderLine"),
                "description": "optional; points follow each line's category. When non-empty "
                f"(not expressible here, 422 validation_failed 'lines: {RULE_LINES_ADD_UP}') "
                "their paid_fen must add up to paid_fen",
            },
        },
    },
    "OrderResult": {
        "type": "object",
        "required": ["order_no", "points_awarded", "balance", "tier"],
        "properties": {
            "order_no": {"type": "string"},
            "points_awarded": POINTS
            | {
                "description": "points this order earned (on a replay: what the first call awarded)"
            },
            "balance": POINTS | {"description": "available points now"},
            "tier": TIER,
            "held": {
                "type": "boolean",
                "description": "present (true) when the member is frozen for review: the order "
                "is recorded, points_awarded is 0 and the points wait for the unfreeze",
            },
            "points_held": POINTS | {"description": "with held: the points waiting"},
        },
    },
    "Refund": {
        "type": "object",
        "additionalProperties": False,
        "required": ["refund_no", "refund_fen"],
        "properties": {
            "refund_no": text("refund_no", "the till's refund number: the idempotency key"),
            "refund_fen": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_FEN,
                "description": "the amount refunded, in fen",
            },
        },
    },
    "RefundResult": {
        "type": "object",
        "required": ["order_no", "refund_no", "points_reversed", "balance", "tier"],
        "properties": {
            "order_no": {"type": "string"},
            "refund_no": {"type": "string"},
            "points_reversed": POINTS | {"description": "points taken back for this refund"},
            "balance": POINTS | {"description": "available points now"},
            "tier": TIER,
        },
    },
    "Member": {
        "type": "object",
        "required": ["member_no", "phone", "balance", "tier", "growth", "expiring"],
        "properties": {
            "member_no": {"type": "string"},
            "phone": {"type": ["string", "null"]},
            "balance": POINTS | {"description": "available points now"},
            "tier": TIER,
            "growth": {
                "type": "integer",
                "minimum": 0,
                "description": "growth value earned in the trailing 12 months",
            },
            "expiring": {
                "type": "array",
                "description": f"available points expiring within the next {EXPIRING_DAYS} days,"
                " grouped by last usable day, soonest first",
                "items": {
                    "type": "object",
                    "required": ["points", "expires_on"],
                    "properties": {
                        "points": POINTS,
                        "expires_on": {
                            "type": "string",
                            "format": "date",
                            "description": "the last brand-local day the points "
                            "can be used (YYYY-MM-DD)",
                        },
                    },
                },
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["validation_failed"]},
                    "message": {"type": "string"},
                },
            }
        },
    },
}

ERROR_RESPONSES = {
    "E400": "the body is not a JSON object (invalid_json)",
    "E401": "missing or invalid API key (unauthorized)",
    "E404": "no such member (member_not_found) or order (order_not_found)",
    "E409": "the idempotency key was used before with another body (idempotency_conflict)",
    "E413": "the body is larger than 1 MiB (request_entity_too_large)",
    "E414": f"the URL is longer than {MAX_URL} characters (request_uri_too_long)",
    "E422": "a field breaks the rules (validation_failed; the message names the field) or a "
    "refund would exceed what was paid (refund_too_large), or the order's points would take "
    "the brand past its monthly issue cap (issue_cap_reached: nothing is recorded), or no store "
    "has the store_code (unknown_store)",
}
