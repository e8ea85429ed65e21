"""Gifts in the console: the list with its figures, create, edit (audited), duplicate."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.drawings import DEFAULT, chosen, is_drawing
from app.models import Gift, GiftCode, Order, Shelf, Tier, User
from app.models.catalog import GIFT_KINDS, LIMIT_PERIODS
from app.services.console import audit, stock
from app.services.console.gift_errors import GiftError
from app.services.mall.catalog import listed
from app.services.mall.usage import OPEN_STATUSES

LOW_STOCK = 10  # the console warns earlier than the member's "only 5 left"
STATES = ("on_sale", "scheduled", "delisted", "sold_out", "low_stock")
BADGES = ("new", "hot", "limited", "exclusive", "points_cash")
LOCALES = ("en", "zh_Hant")  # besides zh_Hans, which is `name` / `description`
MAX_POINTS = 10_000_000
MAX_FEN = 999_999_999  # ¥9,999,999.99
MAX_STOCK = 1_000_000
MAX_LIMIT = 10_000
MAX_PER_ORDER = 99


@dataclass(frozen=True)
class GiftInput:
    """What the gift form holds, already parsed (money in fen, times in UTC)."""

    name: str
    kind: str
    points_price: int
    stock: int | None = 0  # None on edit: stock only changes through movements
    names: dict = field(default_factory=dict)
    description: str = ""
    descriptions: dict = field(default_factory=dict)
    shelf_id: int | None = None
    badges: tuple = ()
    cash_fen: int = 0
    cost_fen: int = 0
    listed_at: datetime | None = None
    delisted_at: datetime | None = None
    tier_codes: tuple = ()
    limit_count: int | None = None
    limit_period: str | None = None
    per_order_max: int = 5
    image: str = DEFAULT


def _in(value: int | None, low: int, high: int) -> bool:
    return value is not None and low <= value <= high


def _check_numbers(data: GiftInput) -> None:
    if not _in(data.points_price, 1, MAX_POINTS):
        raise GiftError("points", max=MAX_POINTS)
    if not (_in(data.cash_fen, 0, MAX_FEN) and _in(data.cost_fen, 0, MAX_FEN)):
        raise GiftError("money")
    if data.stock is not None and not _in(data.stock, 0, MAX_STOCK):
        raise GiftError("stock", max=MAX_STOCK)
    if data.limit_count is not None and not _in(data.limit_count, 1, MAX_LIMIT):
        raise GiftError("limit_count", max=MAX_LIMIT)
    if data.limit_count is not None and data.limit_period not in LIMIT_PERIODS:
        raise GiftError("limit_period")
    if not _in(data.per_order_max, 1, MAX_PER_ORDER):
        raise GiftError("per_order_max", max=MAX_PER_ORDER)


def check(session: Session, data: GiftInput, *, now: datetime | None = None) -> list[str]:
    """Refuse what no gift may hold; returns the tier codes in ladder order.

    `now` is given on create: a gift must not be created already ended."""
    if not data.name.strip() or len(data.name) > 80:
        raise GiftError("name")
    if data.kind not in GIFT_KINDS:
        raise GiftError("kind")
    _check_numbers(data)
    if set(data.badges) - set(BADGES) or not is_drawing(data.image):
        raise GiftError("badges")
    if data.shelf_id is not None and session.get(Shelf, data.shelf_id) is None:
        raise GiftError("shelf")
    start = data.listed_at or now
    if data.delisted_at and start and data.delisted_at <= start:
        raise GiftError("window")
    ladder = list(session.scalars(select(Tier.code).order_by(Tier.rank)))
    if set(data.tier_codes) - set(ladder):
        raise GiftError("tiers", known=ladder)
    return [code for code in ladder if code in data.tier_codes]


def _apply(session: Session, gift: Gift, data: GiftInput, tiers: list[str]) -> None:
    shelf_id = data.shelf_id or session.scalar(select(Shelf.id).order_by(Shelf.sort, Shelf.id))
    if shelf_id is None:
        raise GiftError("shelf")
    gift.name, gift.kind, gift.shelf_id = data.name.strip(), data.kind, shelf_id
    gift.names = {k: v.strip() for k, v in data.names.items() if k in LOCALES and v.strip()}
    gift.description = data.description.strip()
    gift.descriptions = {
        k: v.strip() for k, v in data.descriptions.items() if k in LOCALES and v.strip()
    }
    gift.badges = [b for b in BADGES if b in data.badges]
    gift.points_price, gift.cash_fen, gift.cost_fen = (
        data.points_price, data.cash_fen, data.cost_fen,
    )  # fmt: skip
    gift.listed_at, gift.delisted_at = data.listed_at, data.delisted_at
    gift.tier_codes = tiers
    gift.limit_count = data.limit_count
    gift.limit_period = data.limit_period if data.limit_count else None
    gift.per_order_max, gift.image = data.per_order_max, chosen(gift.image, data.image)


def snapshot(gift: Gift) -> dict:
    """The gift's editable fields as JSON-ready values (for before → after in the audit log)."""
    return {
        "name": gift.name,
        "names": dict(gift.names or {}),
        "description": gift.description,
        "descriptions": dict(gift.descriptions or {}),
        "kind": gift.kind,
        "shelf_id": gift.shelf_id,
        "badges": list(gift.badges or []),
        "points_price": gift.points_price,
        "cash_fen": gift.cash_fen,
        "cost_fen": gift.cost_fen,
        "listed_at": gift.listed_at.isoformat() if gift.listed_at else None,
        "delisted_at": gift.delisted_at.isoformat() if gift.delisted_at else None,
        "tier_codes": list(gift.tier_codes or []),
        "limit_count": gift.limit_count,
        "limit_period": gift.limit_period,
        "per_order_max": gift.per_order_max,
        "image": gift.image,
    }


def create(session: Session, actor: User, data: GiftInput, *, now: datetime) -> Gift:
    """A new gift; its opening stock is the first stock movement."""
    tiers = check(session, data, now=now)
    gift = Gift(stock=0, sort=0)
    _apply(session, gift, data, tiers)
    session.add(gift)
    session.flush()
    audit.record(
        session, actor, "gift.create", "gift", gift.id, now=now, summary=gift.name,
        after={**snapshot(gift), "stock": data.stock or 0},
    )  # fmt: skip
    if data.stock:
        stock.record(session, actor, gift, data.stock, "opening stock", now=now)
    return gift


def lock(session: Session, gift_id: int) -> Gift:
    """The gift, row-locked for a change (GiftError `not_found` when there is none)."""
    gift = session.get(Gift, gift_id, with_for_update=True)
    if gift is None:
        raise GiftError("not_found")
    return gift


def update(
    session: Session, actor: User, gift_id: int, data: GiftInput, *, now: datetime,
    stock_seen: int | None = None,
) -> Gift:  # fmt: skip
    """Edit a gift; the audit keeps only what changed. A stock typed on the form becomes a
    movement relative to the stock the form showed (`stock_seen`), never an overwrite."""
    gift = lock(session, gift_id)
    tiers = check(session, data)
    before = snapshot(gift)
    _apply(session, gift, data, tiers)
    old, new = audit.changes(before, snapshot(gift))
    if new:
        audit.record(
            session, actor, "gift.update", "gift", gift.id, now=now, summary=gift.name,
            before=old, after=new,
        )  # fmt: skip
    seen = gift.stock if stock_seen is None else stock_seen
    if data.stock is not None and data.stock != seen:
        stock.record(session, actor, gift, data.stock - seen, "set on the gift form", now=now)
    return gift


COPY_SUFFIX = {"zh_Hans": "（副本）", "en": " (copy)", "zh_Hant": "（副本）"}
COPIED = (
    "kind", "description", "descriptions", "image", "shelf_id", "badges", "points_price",
    "cash_fen", "cost_fen", "tier_codes", "limit_count", "limit_period", "per_order_max",
)  # fmt: skip


def duplicate(session: Session, actor: User, gift_id: int, *, now: datetime) -> Gift:
    """A copy of a gift, with no stock and delisted until the operator sets its listing."""
    source = session.get(Gift, gift_id)
    if source is None:
        raise GiftError("not_found")
    copy = Gift(stock=0, sort=source.sort, delisted_at=now, photo=source.photo)
    for column in COPIED:
        value = getattr(source, column)
        setattr(copy, column, type(value)(value) if isinstance(value, list | dict) else value)
    copy.name = (source.name + COPY_SUFFIX["zh_Hans"])[:80]
    copy.names = {k: (v + COPY_SUFFIX[k])[:80] for k, v in (source.names or {}).items()}
    session.add(copy)
    session.flush()
    audit.record(
        session, actor, "gift.duplicate", "gift", copy.id, now=now,
        summary=f"{source.id} → {copy.id} {copy.name}", before={"from_gift": source.id},
        after=snapshot(copy),
    )  # fmt: skip
    return copy


# ---- the list ---------------------------------------------------------------------------


def state_of(gift: Gift, now: datetime) -> str:
    """Where the gift stands for the list: scheduled, delisted, sold_out, low_stock, on_sale."""
    if gift.listed_at and gift.listed_at > now:
        return "scheduled"
    if gift.delisted_at and gift.delisted_at <= now:
        return "delisted"
    if gift.stock <= 0:
        return "sold_out"
    return "low_stock" if gift.stock <= LOW_STOCK else "on_sale"


def _state_condition(state: str, now: datetime):
    window = listed(now)
    return {
        "on_sale": and_(window, Gift.stock > 0),
        "scheduled": Gift.listed_at > now,
        "delisted": Gift.delisted_at <= now,
        "sold_out": and_(window, Gift.stock <= 0),
        "low_stock": and_(window, Gift.stock > 0, Gift.stock <= LOW_STOCK),
    }[state]


def _search(q: str):
    like = f"%{q}%"
    terms = [Gift.name.ilike(like)]
    terms += [Gift.names[loc].as_string().ilike(like) for loc in LOCALES]
    if q.isascii() and q.isdigit() and len(q) < 10:
        terms.append(Gift.id == int(q))
    return or_(*terms)


def redeemed_column():
    """Units redeemed so far per gift (open and completed orders), as a subquery."""
    return (
        select(Order.gift_id, func.sum(Order.qty).label("qty"))
        .where(Order.status.in_(OPEN_STATUSES))
        .group_by(Order.gift_id)
        .subquery()
    )


def free_codes_column():
    """Codes still in each gift's pool, as a subquery."""
    return (
        select(GiftCode.gift_id, func.count(GiftCode.id).label("free"))
        .where(GiftCode.order_id.is_(None))
        .group_by(GiftCode.gift_id)
        .subquery()
    )


@dataclass(frozen=True)
class GiftFilter:
    """What the list narrows to; every field optional."""

    q: str = ""
    kind: str = ""
    shelf_id: int | None = None
    state: str = ""


def query(f: GiftFilter, now: datetime) -> tuple[Select, dict]:
    """Rows (gift, redeemed, free codes) in one query, and the columns it can sort by."""
    redeemed, free = redeemed_column(), free_codes_column()
    redeemed_qty = func.coalesce(redeemed.c.qty, 0)
    stmt = (
        select(Gift, redeemed_qty.label("redeemed"), func.coalesce(free.c.free, 0).label("free"))
        .outerjoin(redeemed, redeemed.c.gift_id == Gift.id)
        .outerjoin(free, free.c.gift_id == Gift.id)
    )
    if f.q:
        stmt = stmt.where(_search(f.q))
    if f.kind in GIFT_KINDS:
        stmt = stmt.where(Gift.kind == f.kind)
    if f.shelf_id:
        stmt = stmt.where(Gift.shelf_id == f.shelf_id)
    if f.state in STATES:
        stmt = stmt.where(_state_condition(f.state, now))
    sorts = {
        "id": Gift.id,
        "name": Gift.name,
        "points": Gift.points_price,
        "stock": Gift.stock,
        "redeemed": redeemed_qty,
        "listed": Gift.listed_at,
    }
    return stmt, sorts
