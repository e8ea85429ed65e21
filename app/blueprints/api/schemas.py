"""Request validation for the POS API: strict JSON types, bounded printable strings, no floats."""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.timeutil import UTC

# 10 million yuan: every derived figure (points, growth) stays inside a 32-bit integer column.
MAX_FEN = 1_000_000_000
MAX_QTY = 100_000
MAX_LINES = 200
FUTURE_SLACK = timedelta(minutes=5)  # tolerated clock skew between a till and the server
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # keeps brand-local date arithmetic far from year 1
LIMITS = {
    "order_no": 64,
    "refund_no": 64,
    "member_no": 12,
    "phone": 20,
    "store_code": 16,
    "sku": 64,
    "category": 40,
    "paid_at": 40,
}
# The published patterns (openapi.py) are these very strings; the server full-matches them, so the
# JSON Schema meaning of `$` (end of input) holds here too. Identifiers are printable ASCII without
# outer spaces: no NUL or lone surrogates (PostgreSQL cannot store them), nothing invisible.
TEXT_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
# RFC 3339 with a required offset, at most microseconds, no leap second: what fromisoformat reads.
PAID_AT_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_TEXT_RE, _PAID_AT_RE = re.compile(TEXT_PATTERN), re.compile(PAID_AT_PATTERN)
# Rules JSON Schema cannot state (they are in the document's descriptions): a schema-valid body
# can still be refused for these, always as 422 validation_failed naming the rule.
RULE_LINES_ADD_UP = "the lines' paid_fen must add up to paid_fen"
RULE_PAID_AT_WINDOW = "must be after 2000 and at most 5 minutes in the future"
RULE_REAL_DATE = "must be a real date and time"
ORDER_FIELDS = {"order_no", "member_no", "phone", "store_code", "paid_fen", "paid_at", "lines"}
LINE_FIELDS = {"sku", "category", "qty", "paid_fen"}
REFUND_FIELDS = {"refund_no", "refund_fen"}


class BadRequest(Exception):
    """The body is not a JSON object (400)."""


class Invalid(Exception):
    """A field breaks the contract (422); str() names the field and the rule."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"{field}: {rule}")
        self.field = field


@dataclass(frozen=True)
class OrderRequest:
    """A validated POST /orders body."""

    order_no: str
    member_no: str | None
    phone: str | None
    store_code: str
    paid_fen: int
    paid_at: datetime
    lines: list[dict]

    def normalized(self, member_no: str) -> dict:
        """The body as fingerprinted: the resolved member, paid_at in UTC, only known keys."""
        return {
            "order_no": self.order_no,
            "member_no": member_no,
            "store_code": self.store_code,
            "paid_fen": self.paid_fen,
            "paid_at": self.paid_at.isoformat(),
            "lines": self.lines,
        }


@dataclass(frozen=True)
class RefundRequest:
    """A validated POST /orders/<order_no>/refunds body."""

    refund_no: str
    refund_fen: int

    def normalized(self, order_no: str) -> dict:
        """The body as fingerprinted, tied to its order."""
        return {"order_no": order_no, "refund_no": self.refund_no, "refund_fen": self.refund_fen}


def parse_object(raw: bytes) -> dict:
    """The request body as a JSON object, else BadRequest."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadRequest("the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def is_text(value: object, limit: int) -> bool:
    """A string of 1 to `limit` printable ASCII characters without outer spaces (TEXT_PATTERN)."""
    return isinstance(value, str) and len(value) <= limit and bool(_TEXT_RE.fullmatch(value))


def _present(body: dict, field: str, path: str) -> object:
    if field not in body:
        raise Invalid(path, "is required")
    return body[field]


def _text(body: dict, field: str, path: str | None = None) -> str:
    path = path or field
    value = _present(body, field, path)
    if not is_text(value, LIMITS[field]):
        raise Invalid(path, f"must be a string of 1 to {LIMITS[field]} printable ASCII characters")
    return value


def _integer(body: dict, field: str, low: int, high: int, path: str | None = None) -> int:
    path = path or field
    value = _present(body, field, path)
    if type(value) is not int:  # bool is a subclass of int: refuse it too
        raise Invalid(path, "must be an integer")
    if not low <= value <= high:
        raise Invalid(path, f"must be between {low} and {high}")
    return value


def _no_extras(body: dict, allowed: set[str], path: str = "") -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise Invalid(f"{path}{extra[0]}", "is not a known field")


def _instant(body: dict, field: str, now: datetime) -> datetime:
    raw = _text(body, field)
    if not _PAID_AT_RE.fullmatch(raw):
        raise Invalid(
            field, "must be an RFC 3339 date-time with offset, e.g. 2026-06-15T10:00:00+08:00"
        )
    try:
        value = datetime.fromisoformat(raw).astimezone(UTC)
    except ValueError as exc:  # e.g. 02-30 (format: date-time says so too)
        raise Invalid(field, RULE_REAL_DATE) from exc
    except OverflowError as exc:  # year 1 moved before year 1 by its offset
        raise Invalid(field, RULE_PAID_AT_WINDOW) from exc
    if value < EARLIEST or value > now + FUTURE_SLACK:
        raise Invalid(field, RULE_PAID_AT_WINDOW)
    return value


def _lines(body: dict, paid_fen: int) -> list[dict]:
    lines = body.get("lines", [])
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise Invalid("lines", f"must be a list of at most {MAX_LINES} lines")
    clean = []
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        if not isinstance(line, dict):
            raise Invalid(path, "must be an object")
        _no_extras(line, LINE_FIELDS, f"{path}.")
        clean.append(
            {
                "sku": _text(line, "sku", f"{path}.sku"),
                "category": _text(line, "category", f"{path}.category"),
                "qty": _integer(line, "qty", 1, MAX_QTY, f"{path}.qty"),
                "paid_fen": _integer(line, "paid_fen", 0, MAX_FEN, f"{path}.paid_fen"),
            }
        )
    if clean and sum(line["paid_fen"] for line in clean) != paid_fen:
        raise Invalid("lines", RULE_LINES_ADD_UP)
    return clean


def order(body: dict, now: datetime) -> OrderRequest:
    """Validate a POST /orders body; Invalid names the first field at fault."""
    _no_extras(body, ORDER_FIELDS)
    if ("member_no" in body) == ("phone" in body):
        raise Invalid("member_no", "give exactly one of member_no and phone")
    paid_fen = _integer(body, "paid_fen", 0, MAX_FEN)
    return OrderRequest(
        order_no=_text(body, "order_no"),
        member_no=_text(body, "member_no") if "member_no" in body else None,
        phone=_text(body, "phone") if "phone" in body else None,
        store_code=_text(body, "store_code"),
        paid_fen=paid_fen,
        paid_at=_instant(body, "paid_at", now),
        lines=_lines(body, paid_fen),
    )


def refund(body: dict) -> RefundRequest:
    """Validate a POST /orders/<order_no>/refunds body."""
    _no_extras(body, REFUND_FIELDS)
    return RefundRequest(
        refund_no=_text(body, "refund_no"), refund_fen=_integer(body, "refund_fen", 1, MAX_FEN)
    )


def phone_query(value: str | None) -> str:
    """The ?phone= of a member look-up."""
    if value is None:
        raise Invalid("phone", "is required")
    if not is_text(value, LIMITS["phone"]):
        raise Invalid("phone", f"must be 1 to {LIMITS['phone']} printable ASCII characters")
    return value
