"""What a member sees of a gift: listed or not, and whether they can redeem it (and why not)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.models import Gift, Tier
from app.services.mall import pricing, snapshot
from app.services.mall.usage import Usage, member_bits, redeemed_qty, usage
from app.services.points import balances

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
    member_day_points: int | None = None  # today's member-day price, when not the list price

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


def is_listed(gift, now: datetime) -> bool:
    """The `listed` condition, for a gift already read."""
    return (gift.listed_at is None or gift.listed_at <= now) and (
        gift.delisted_at is None or gift.delisted_at > now
    )


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
    if closed := _closed(gift, now):
        return closed
    if member is None:
        return GiftState("ok", stock_left=gift.stock)
    if not tier_allowed(gift, member):
        return GiftState("locked", locked_reason=gate_tier(session, gift), stock_left=gift.stock)
    left = _limit_left(session, gift, member, now, used)
    if left == 0:
        return GiftState("limit", limit_left=0, stock_left=gift.stock)
    if balance is None:
        balance = balances.current(session, member.id, now).balance
    need = gift.points_price if price is None else price
    found = {"limit_left": left, "stock_left": gift.stock,
             "member_day_points": need if need != gift.points_price else None}  # fmt: skip
    if balance < need:
        return GiftState("short", shortfall=need - balance, **found)
    return GiftState("ok", **found)


def _limit_left(session: Session, gift, member, now: datetime, used: Usage | None) -> int | None:
    """How many more the member may redeem under the gift's limit (None: no limit)."""
    if not gift.limit_count:
        return None
    taken = used.used(gift) if used is not None else redeemed_qty(session, member.id, gift, now)
    return max(gift.limit_count - taken, 0)


def _closed(gift, now: datetime) -> GiftState | None:
    """The state of a gift nobody can redeem now (not listed yet, delisted, sold out), else None."""
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
    return None


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
    specials: dict = field(default_factory=dict)  # gift id → today's member-day price

    def state(self, session: Session, gift, now: datetime) -> GiftState:
        """The gift's state for this viewer (at today's member-day price, if it has one)."""
        return state(session, gift, self.member, now, self.balance, self.used,
                     self.specials.get(gift.id))  # fmt: skip


def viewer(
    session: Session, member, now: datetime, balance: int | None = None, used: Usage | None = None
) -> Viewer:
    """Read the member-specific bits once: the balance and the orders, in one query.

    `balance` stands in for the member's points (the console's preview as a tier); `used` is
    the orders' usage when the caller read it with something else (and the lots remembered)."""
    if member is None:
        return Viewer(None)
    if used is None and (balance is not None or balances.known(member.id)):
        used = usage(session, member.id, now)  # the lots are known: the orders alone
    elif used is None:  # the lots and the orders together; the balance is remembered
        used = member_bits(session, member.id, now)
    if balance is None:
        balance = balances.current(session, member.id, now).balance
    return Viewer(member, balance, used, pricing.member_day_prices(session, member, now))


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
    """Listed gifts by shelf; locked and sold-out gifts stay visible with their reason (a
    sold-out card leads to its page, where the member can ask to be told it is back)."""
    who = who or viewer(session, member, now, balance)
    catalogue = snapshot.catalogue(session)
    views: dict[int, ShelfView] = {}
    for gift in catalogue.ordered:
        if (kind and gift.kind != kind) or not is_listed(gift, now):
            continue
        card = Card(gift, who.state(session, gift, now))
        if affordable and card.state.status != "ok":
            continue
        shelf = catalogue.shelves[gift.shelf_id]
        views.setdefault(gift.shelf_id, ShelfView(shelf, [])).cards.append(card)
    return list(views.values())
