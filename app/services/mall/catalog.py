"""What a member sees of a gift: listed or not, and whether they can redeem it (and why not)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.models import Gift, Order, Tier
from app.services.mall import snapshot
from app.services.points import balances
from app.timeutil import local_date, local_midnight

OPEN_STATUSES = ("pending_payment", "to_pickup", "to_ship", "to_book", "completed")
LOW_STOCK = 5
COUNTDOWN_HORIZON = timedelta(days=3650)  # an open-ended listing: "ends" far away


@dataclass(frozen=True)
class GiftState:
    """The call to action of a gift for one member, always explained."""

    status: str  # ok | short | locked | sold_out | limit | upcoming | ended
    shortfall: int = 0
    locked_reason: str = ""  # the lowest tier code allowed, for "Gold and above"
    limit_left: int | None = None
    stock_left: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # when the countdown's window closes (upcoming gifts)

    @property
    def can_redeem(self) -> bool:
        """Only `ok` can redeem."""
        return self.status == "ok"

    @property
    def low_stock(self) -> bool:
        """'Only N left' is shown when stock is low."""
        return 0 < self.stock_left <= LOW_STOCK


def listed(now: datetime):
    """SQL condition: the gift's listing window contains now."""
    return and_(
        or_(Gift.listed_at.is_(None), Gift.listed_at <= now),
        or_(Gift.delisted_at.is_(None), Gift.delisted_at > now),
    )


def period_start(period: str, now: datetime) -> datetime | None:
    """Start of the brand-local day/week/month containing now (None for a lifetime limit)."""
    today = local_date(now)
    if period == "day":
        return local_midnight(today)
    if period == "week":
        return local_midnight(today - timedelta(days=today.weekday()))
    if period == "month":
        return local_midnight(today.replace(day=1))
    return None


def redeemed_qty(session: Session, member_id: int, gift: Gift, now: datetime) -> int:
    """Units of this gift the member holds in open or completed orders in the limit period."""
    stmt = select(func.coalesce(func.sum(Order.qty), 0)).where(
        Order.member_id == member_id,
        Order.gift_id == gift.id,
        Order.status.in_(OPEN_STATUSES),
        Order.flash_event_id.is_(None),
    )
    start = period_start(gift.limit_period or "total", now)
    if start is not None:
        stmt = stmt.where(Order.created_at >= start)
    return int(session.scalar(stmt))


def is_listed(gift, now: datetime) -> bool:
    """The `listed` condition, for a gift already read."""
    return (gift.listed_at is None or gift.listed_at <= now) and (
        gift.delisted_at is None or gift.delisted_at > now
    )


_OPEN = Order.status.in_(OPEN_STATUSES)


def _since(name: str):
    return func.coalesce(
        func.sum(case((and_(_OPEN, Order.created_at >= bindparam(name)), Order.qty), else_=0)), 0
    )


USAGE = (
    select(
        Order.gift_id,
        Order.flash_event_id,
        func.coalesce(func.sum(case((_OPEN, Order.qty), else_=0)), 0),
        _since("day"),
        _since("week"),
        _since("month"),
    )
    .where(Order.member_id == bindparam("member_id"))
    .group_by(Order.gift_id, Order.flash_event_id)
)
PERIODS = ("total", "day", "week", "month")


@dataclass(frozen=True)
class Usage:
    """What a member's orders use up: gift limits per period, flash claims, gifts ever ordered."""

    gifts: dict  # gift id -> open units (total, this day, this week, this month), flash excluded
    flash: dict  # flash event id -> open units
    ordered: frozenset  # every gift id the member ever ordered (any status)

    def used(self, gift) -> int:
        """What `redeemed_qty` answers for this gift and its limit period."""
        return self.gifts.get(gift.id, (0, 0, 0, 0))[PERIODS.index(gift.limit_period or "total")]


def _params(member_id: int, now: datetime) -> dict:
    return {"member_id": member_id} | {p: period_start(p, now) for p in PERIODS[1:]}


def _usage(rows) -> Usage:
    gifts, flash, ordered = {}, {}, set()
    for gift_id, event_id, *units in rows:
        ordered.add(gift_id)
        if event_id is None:
            gifts[gift_id] = tuple(int(u) for u in units)
        else:
            flash[event_id] = flash.get(event_id, 0) + int(units[0])
    return Usage(gifts, flash, frozenset(ordered))


def usage(session: Session, member_id: int, now: datetime) -> Usage:
    """One query for every limit, claim and order of the member."""
    return _usage(session.execute(USAGE, _params(member_id, now)).tuples())


# The member's open lots and orders in one statement (a row per lot, then a row per gift and
# flash event ordered): the balance and every limit and claim a page shows.
_NONE = cast(null(), Integer)
MEMBER_BITS = union_all(
    select(literal(0), *balances.OPEN_LOTS.selected_columns, _NONE, _NONE, *[_NONE] * 4).where(
        *balances.OPEN_LOTS.whereclause.clauses
    ),
    select(literal(1), null(), null(), null(), _NONE, *USAGE.selected_columns)
    .where(Order.member_id == bindparam("member_id"))
    .group_by(Order.gift_id, Order.flash_event_id),
)


def member_bits(session: Session, member_id: int, now: datetime) -> Usage:
    """`usage`, and the member's points summary remembered for this request, in one query."""
    lots, orders = [], []
    for part, *row in session.execute(MEMBER_BITS, _params(member_id, now)).tuples():
        (orders if part else lots).append(row[4:] if part else row[:4])
    balances.remember(member_id, balances.Summary(now, tuple(tuple(r) for r in lots)))
    return _usage(orders)


def lowest_tier(session: Session, gift: Gift) -> Tier | None:
    """The lowest tier allowed to redeem a gated gift (None when every tier may)."""
    if not gift.tier_codes:
        return None
    return session.scalar(select(Tier).where(Tier.code.in_(gift.tier_codes)).order_by(Tier.rank))


def gate_tier(session: Session, gift) -> str:
    """The code of the lowest tier a gated gift admits ('' when every tier may)."""
    return snapshot.catalogue(session).lowest_tier(gift.tier_codes) if gift.tier_codes else ""


def tier_allowed(gift, member) -> bool:
    """Whether the member's tier passes the gift's gate."""
    return not gift.tier_codes or member.tier.code in gift.tier_codes


def state(
    session: Session,
    gift,
    member,
    now: datetime,
    balance: int | None = None,
    used: Usage | None = None,
    price: int | None = None,
) -> GiftState:
    """The gift's call to action for this member right now (`used`: their orders, if read;
    `price`: the unit points price when it is not the list price, e.g. on a member day)."""
    if gift.listed_at and gift.listed_at > now:
        return GiftState(
            "upcoming",
            stock_left=gift.stock,
            starts_at=gift.listed_at,
            ends_at=gift.delisted_at or gift.listed_at + COUNTDOWN_HORIZON,
        )
    if gift.delisted_at and gift.delisted_at <= now:
        return GiftState("ended")
    if gift.stock <= 0:
        return GiftState("sold_out")
    if member is None:
        return GiftState("ok", stock_left=gift.stock)
    if not tier_allowed(gift, member):
        return GiftState("locked", locked_reason=gate_tier(session, gift), stock_left=gift.stock)
    left = None
    if gift.limit_count:
        taken = used.used(gift) if used is not None else redeemed_qty(session, member.id, gift, now)
        left = max(gift.limit_count - taken, 0)
        if left == 0:
            return GiftState("limit", limit_left=0, stock_left=gift.stock)
    if balance is None:
        balance = balances.current(session, member.id, now).balance
    need = gift.points_price if price is None else price
    if balance < need:
        return GiftState("short", shortfall=need - balance, limit_left=left, stock_left=gift.stock)
    return GiftState("ok", limit_left=left, stock_left=gift.stock)


@dataclass(frozen=True)
class Card:
    """A gift on a shelf with its state for the member."""

    gift: object  # snapshot.GiftRow
    state: GiftState


@dataclass(frozen=True)
class ShelfView:
    """A shelf and its cards."""

    shelf: object  # snapshot.ShelfRow
    cards: list[Card]


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the member (None for a visitor), their points and their orders."""

    member: object
    balance: int | None = None
    used: Usage | None = None


def viewer(session: Session, member, now: datetime, balance: int | None = None) -> Viewer:
    """Read the member-specific bits once: the balance and the orders, in one query.

    `balance` stands in for the member's points (the console's preview as a tier)."""
    if member is None:
        return Viewer(None)
    if balance is not None or balances.known(member.id):
        used = usage(session, member.id, now)
    else:  # the lots and the orders together; the balance is remembered for the request
        used = member_bits(session, member.id, now)
    if balance is None:
        balance = balances.current(session, member.id, now).balance
    return Viewer(member, balance, used)


def shelves(
    session: Session,
    member,
    now: datetime,
    *,
    kind: str = "",
    affordable: bool = False,
    balance: int | None = None,
    who: Viewer | None = None,
) -> list[ShelfView]:
    """Listed, in-stock gifts by shelf; locked gifts stay visible with their reason."""
    who = who or viewer(session, member, now, balance)
    catalogue = snapshot.catalogue(session)
    views: dict[int, ShelfView] = {}
    for gift in catalogue.ordered:
        if gift.stock <= 0 or (kind and gift.kind != kind) or not is_listed(gift, now):
            continue
        card = Card(gift, state(session, gift, who.member, now, who.balance, who.used))
        if affordable and card.state.status != "ok":
            continue
        shelf = catalogue.shelves[gift.shelf_id]
        views.setdefault(gift.shelf_id, ShelfView(shelf, [])).cards.append(card)
    return list(views.values())


def recommend(
    session: Session, member, now: datetime, limit: int = 4, who: Viewer | None = None
) -> list[Card]:
    """'For you': redeemable gifts the member can afford, favouring shelves they redeemed from."""
    who = who or viewer(session, member, now)
    catalogue = snapshot.catalogue(session)
    liked = {catalogue.gifts[g].shelf_id for g in who.used.ordered if g in catalogue.gifts}
    candidates = sorted(
        (
            g
            for g in catalogue.ordered
            if g.stock > 0 and g.points_price <= who.balance and is_listed(g, now)
        ),
        key=lambda g: (g.shelf_id not in liked, -g.points_price, g.id),
    )
    cards = []
    for gift in candidates:
        card = Card(gift, state(session, gift, member, now, who.balance, who.used))
        if card.state.can_redeem:
            cards.append(card)
            if len(cards) == limit:
                break
    return cards
