"""Code pools for coupons and virtual goods: a CSV of codes imported all-or-nothing."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.models import Gift, GiftCode, User
from app.services.console import audit, gifts, stock
from app.services.console.gift_errors import GiftError

POOL_KINDS = ("coupon", "virtual")
MAX_CODES = 100_000  # per file
CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/+=-]{0,63}")  # printable ASCII, no blanks
HEADERS = ("code", "codes", "券码", "兑换码")
SHOWN = 10  # how many offending lines a report lists


@dataclass(frozen=True)
class Parsed:
    """A code file read line by line: the codes, and what is wrong with it."""

    codes: list[str]
    blank_lines: list[int]
    duplicates: list[tuple[int, str]]  # (line, code) repeated within the file
    invalid: list[tuple[int, str]]


def parse(data: bytes) -> Parsed:
    """The first column of each line; blank lines, repeats and malformed codes noted."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GiftError("codes_encoding") from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise GiftError("codes_encoding") from exc
    codes, blank, dupes, invalid, seen = [], [], [], [], set()
    for line_no, row in enumerate(rows, start=1):
        code = row[0].strip() if row else ""
        if not code:
            blank.append(line_no)
        elif line_no == 1 and code.lower() in HEADERS:
            continue
        elif not CODE_RE.fullmatch(code):
            invalid.append((line_no, code[:40]))
        elif code in seen:
            dupes.append((line_no, code))
        else:
            seen.add(code)
            codes.append(code)
    return Parsed(codes, blank, dupes, invalid)


def _existing(session: Session, gift_id: int, codes: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(codes), 500):  # bounded IN lists
        chunk = codes[start : start + 500]
        found += session.scalars(
            select(GiftCode.code).where(GiftCode.gift_id == gift_id, GiftCode.code.in_(chunk))
        )
    return found


def free(session: Session, gift_id: int) -> int:
    """Codes left in the pool (not yet given to an order)."""
    stmt = select(func.count(GiftCode.id)).where(
        GiftCode.gift_id == gift_id, GiftCode.order_id.is_(None)
    )
    return int(session.scalar(stmt))


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    count: int
    blank_lines: list[int]
    free: int


def _refuse_if_wrong(session: Session, gift: Gift, parsed: Parsed) -> None:
    if parsed.invalid:
        raise GiftError("codes_invalid", lines=parsed.invalid[:SHOWN], n=len(parsed.invalid))
    if parsed.duplicates:
        raise GiftError("codes_repeated", lines=parsed.duplicates[:SHOWN], n=len(parsed.duplicates))
    if not parsed.codes:
        raise GiftError("codes_empty")
    if len(parsed.codes) > MAX_CODES:
        raise GiftError("codes_too_many", max=MAX_CODES)
    if taken := _existing(session, gift.id, parsed.codes):
        raise GiftError("codes_exist", codes=sorted(taken)[:SHOWN], n=len(taken))


def import_codes(
    session: Session, actor: User, gift_id: int, data: bytes, *, now: datetime,
    add_stock: bool = True,
) -> Imported:  # fmt: skip
    """Every code of the file, or none: a repeat (in the file or the pool) or a malformed code
    refuses the whole file. With `add_stock`, the stock grows by as many (one movement)."""
    gift = gifts.lock(session, gift_id)  # two imports into one pool run one after the other
    if gift.kind not in POOL_KINDS:
        raise GiftError("codes_kind")
    parsed = parse(data)
    _refuse_if_wrong(session, gift, parsed)
    session.execute(insert(GiftCode), [{"gift_id": gift.id, "code": c} for c in parsed.codes])
    left = free(session, gift.id)
    audit.record(
        session, actor, "gift.codes", "gift", gift.id, now=now,
        summary=f"{gift.name}: +{len(parsed.codes)} codes", after={"imported": len(parsed.codes),
        "free": left, "blank_lines": len(parsed.blank_lines)},
    )  # fmt: skip
    if add_stock:
        reason = f"{len(parsed.codes)} codes imported"
        stock.record(session, actor, gift, len(parsed.codes), reason, now=now)
    return Imported(len(parsed.codes), parsed.blank_lines, left)
