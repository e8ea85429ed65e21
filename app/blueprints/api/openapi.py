"""The OpenAPI 3.1 description of the POS API, served at /api/v1/openapi.json."""

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


def _text(field: str, description: str = "") -> dict:
    """What schemas.is_text accepts: printable ASCII, no outer spaces, at most LIMITS[field]."""
    schema = {"type": "string", "minLength": 1, "maxLength": LIMITS[field], "pattern": TEXT_PATTERN}
    return schema | ({"description": description} if description else {})


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _errors(*statuses: int) -> dict:
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
            "sku": _text("sku", "the product's SKU"),
            "category": _text(
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
            "order_no": _text("order_no", "the till's order number: the idempotency key"),
            "member_no": _text("member_no", "the member's number"),
            "phone": _text("phone", "the member's mobile number"),
            "store_code": _text("store_code", "the store, e.g. SH001"),
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
                "items": _ref("OrderLine"),
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
            "refund_no": _text("refund_no", "the till's refund number: the idempotency key"),
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


def _post(summary: str, body: str, result: str, first: str, errors: tuple) -> dict:
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(body)}},
            },
            "responses": {
                "201": _json(result, first),
                "200": _json(result, "a replay of the same body: the first result"),
                **_errors(*errors),
            },
        }
    }


ORDER_NO = {
    "name": "order_no",
    "in": "path",
    "required": True,
    "schema": _text("order_no"),
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Points Mall POS API",
        "version": "1.0.0",
        "description": "Store systems report paid orders and refunds and look members up. "
        "Money is in integer fen, points are integers. Every error answers "
        '{"error": {"code", "message"}}.',
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/v1/orders": _post(
            "Record a paid order and award its points exactly once",
            "Order",
            "OrderResult",
            "recorded and awarded",
            (400, 401, 404, 409, 413, 414, 422),
        ),
        "/api/v1/orders/{order_no}/refunds": {
            "parameters": [ORDER_NO],
            **_post(
                "Refund part or all of an order: its share of points is reversed",
                "Refund",
                "RefundResult",
                "recorded and reversed",
                (400, 401, 404, 409, 413, 414, 422),
            ),
        },
        "/api/v1/members/{member_no}": {
            "get": {
                "summary": "A member by member number",
                "parameters": [
                    {
                        "name": "member_no",
                        "in": "path",
                        "required": True,
                        "schema": _text("member_no"),
                    }
                ],
                "responses": {"200": _json("Member", "the member"), **_errors(401, 404, 414)},
            }
        },
        "/api/v1/members": {
            "get": {
                "summary": "A member by mobile number",
                "parameters": [
                    {
                        "name": "phone",
                        "in": "query",
                        "required": True,
                        "schema": _text("phone"),
                    }
                ],
                "responses": {
                    "200": _json("Member", "the member"),
                    **_errors(401, 404, 414, 422),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "the OpenAPI 3.1 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "a POS API key (flask apikeys create)",
            }
        },
        "schemas": SCHEMAS,
        "responses": {name: _json("Error", text) for name, text in ERROR_RESPONSES.items()},
    },
}
