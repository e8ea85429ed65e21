"""What a member sees of a gift: listed or not, and whether they can redeem it (and why not)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Gift, Member, Order, Shelf, Tier
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


def lowest_tier(session: Session, gift: Gift) -> Tier | None:
    """The lowest tier allowed to redeem a gated gift (None when every tier may)."""
    if not gift.tier_codes:
        return None
    return session.scalar(select(Tier).where(Tier.code.in_(gift.tier_codes)).order_by(Tier.rank))


def tier_allowed(gift: Gift, member: Member) -> bool:
    """Whether the member's tier passes the gift's gate."""
    return not gift.tier_codes or member.tier.code in gift.tier_codes


def state(
    session: Session, gift: Gift, member: Member | None, now: datetime, balance: int | None = None
) -> GiftState:
    """The gift's call to action for this member right now."""
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
        return GiftState(
            "locked", locked_reason=lowest_tier(session, gift).code, stock_left=gift.stock
        )
    left = None
    if gift.limit_count:
        left = max(gift.limit_count - redeemed_qty(session, member.id, gift, now), 0)
        if left == 0:
            return GiftState("limit", limit_left=0, stock_left=gift.stock)
    balance = balances.balance(session, member.id, now) if balance is None else balance
    if balance < gift.points_price:
        return GiftState(
            "short", shortfall=gift.points_price - balance, limit_left=left, stock_left=gift.stock
        )
    return GiftState("ok", limit_left=left, stock_left=gift.stock)


@dataclass(frozen=True)
class Card:
    """A gift on a shelf with its state for the member."""

    gift: Gift
    state: GiftState


@dataclass(frozen=True)
class ShelfView:
    """A shelf and its cards."""

    shelf: Shelf
    cards: list[Card]


def shelves(
    session: Session,
    member: Member | None,
    now: datetime,
    *,
    kind: str = "",
    affordable: bool = False,
    balance: int | None = None,
) -> list[ShelfView]:
    """Listed, in-stock gifts by shelf; locked gifts stay visible with their reason.

    `balance` stands in for the member's points (the console's preview as a tier)."""
    stmt = (
        select(Gift)
        .join(Shelf)
        .where(listed(now), Gift.stock > 0)
        .order_by(Shelf.sort, Gift.sort, Gift.id)
    )
    if kind:
        stmt = stmt.where(Gift.kind == kind)
    if balance is None and member:
        balance = balances.balance(session, member.id, now)
    views: dict[int, ShelfView] = {}
    for gift in session.scalars(stmt):
        card = Card(gift, state(session, gift, member, now, balance))
        if affordable and card.state.status != "ok":
            continue
        views.setdefault(gift.shelf_id, ShelfView(gift.shelf, [])).cards.append(card)
    return list(views.values())


def recommend(session: Session, member: Member, now: datetime, limit: int = 4) -> list[Card]:
    """'For you': redeemable gifts the member can afford, favouring shelves they redeemed from."""
    balance = balances.balance(session, member.id, now)
    liked = (
        select(Gift.shelf_id)
        .join(Order, Order.gift_id == Gift.id)
        .where(Order.member_id == member.id)
        .scalar_subquery()
    )
    stmt = (
        select(Gift)
        .where(listed(now), Gift.stock > 0, Gift.points_price <= balance)
        .order_by(Gift.shelf_id.in_(liked).desc(), Gift.points_price.desc(), Gift.id)
    )
    cards = [Card(g, state(session, g, member, now, balance)) for g in session.scalars(stmt)]
    return [c for c in cards if c.state.can_redeem][:limit]
