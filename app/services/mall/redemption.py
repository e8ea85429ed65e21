"""Redeeming gifts and flash events: stock, limits, points and the order in one transaction.

The caller commits on success and rolls back on any RedeemError or InsufficientPoints, so a
failed redemption leaves nothing behind.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Address,
    FlashEvent,
    Gift,
    Member,
    Order,
    Store,
)
from app.services.mall import catalog, flash_gate, pricing
from app.services.mall.errors import (
    AccountFrozen,
    BadRequest,
    LimitReached,
    NotEnoughPoints,
    NotForYou,
    NotInWindow,
    PriceChanged,
    RateChanged,
    SoldOut,
    TierTooLow,
)
from app.services.mall.placing import Placement, place, take_stock
from app.services.points import balances, ledger

WALLET_KINDS = ("coupon", "virtual")


@dataclass(frozen=True)
class Checkout:
    """What the member chose on the checkout form."""

    qty: int = 1
    delivery: str = "pickup"  # pickup | ship (physical); wallet and service follow from the kind
    store_id: int | None = None
    address_id: int | None = None
    yuan_by_points: int = 0
    expected_rate: int | None = None  # the rate the page showed; None when no points pay cash
    request_key: str = ""
    slot_id: int | None = None  # services: book this slot in the same transaction
    expected_points: int | None = None  # the unit points price the page showed


def _delivery(gift: Gift, choice: Checkout) -> str:
    if gift.kind in WALLET_KINDS:
        return "wallet"
    if gift.kind == "service":
        return "service"
    if choice.delivery not in ("pickup", "ship"):
        raise BadRequest(field="delivery")
    return choice.delivery


def _existing(session: Session, member_id: int, key: str) -> Order | None:
    return session.scalar(select(Order).where(Order.request_key == f"{member_id}:{key}"))


def _not_frozen(session: Session, member_id: int) -> None:
    """A frozen member is told so first, before stock, limits or points are looked at."""
    if ledger.is_frozen(session, member_id):
        raise AccountFrozen()


def _pickup_store(session: Session, member: Member, store_id: int | None) -> Store:
    """The chosen store (remembered on the member), else the last pickup store, else the first."""
    if store_id:
        store = session.get(Store, store_id)
        if store is None or store.closed_at is not None:
            raise BadRequest(field="store")
        member.pickup_store_id = store.id  # remembered: the flash cards offer it next time
        return store
    last = session.scalar(
        select(Order.store_id)
        .join(Store, Store.id == Order.store_id)
        .where(Order.member_id == member.id, Store.closed_at.is_(None))
        .order_by(Order.id.desc())
        .limit(1)
    )
    first = select(Store).where(Store.closed_at.is_(None)).order_by(Store.id)
    return session.get(Store, last) if last else session.scalar(first)


def _address(session: Session, member: Member, address_id: int | None) -> dict:
    address = session.get(Address, address_id) if address_id else None
    if address is None or address.member_id != member.id:
        raise BadRequest(field="address")
    return {
        "recipient": address.recipient,
        "phone": address.phone,
        "region": address.region,
        "detail": address.detail,
    }


def _check_gift(session: Session, gift: Gift, member: Member, qty: int, now: datetime) -> None:
    state = catalog.state(session, gift, member, now, balance=10**12)  # points are checked last
    if state.status in ("upcoming", "ended"):
        raise NotInWindow(starts_at=state.starts_at)
    if state.status == "sold_out" or gift.stock < qty:
        raise SoldOut()
    if state.status == "locked":
        raise TierTooLow(tier=state.locked_reason)
    if state.status == "limit" or (state.limit_left is not None and qty > state.limit_left):
        raise LimitReached(left=state.limit_left or 0)


def redeem(
    session: Session, member_id: int, gift_id: int, choice: Checkout, *, now: datetime
) -> Order:
    """Redeem a gift from the shelves; a repeated request key returns the first order."""
    member = ledger.lock_member(session, member_id)
    if found := _existing(session, member_id, choice.request_key):
        return found
    _not_frozen(session, member_id)
    gift = _checked_gift(session, member, gift_id, choice.qty, now)
    delivery = _delivery(gift, choice)
    unit = _unit_points(session, gift, member, choice, now)
    split = _cash_split(session, gift, member.id, choice, now, unit)
    take_stock(session, Gift, gift.id, choice.qty)
    what = Placement(
        qty=choice.qty,
        points=unit * choice.qty,
        cash_fen=gift.cash_fen * choice.qty,
        delivery=delivery,
        key=choice.request_key,
        breakdown=split,
        store=_pickup_store(session, member, choice.store_id) if delivery == "pickup" else None,
        address=_address(session, member, choice.address_id) if delivery == "ship" else None,
    )
    order = place(session, member, gift, what, now=now)
    if delivery == "service" and choice.slot_id and order.status == "to_book":
        from app.services.mall import bookings  # bookings builds on orders, which builds on this

        bookings.book(session, member.id, order.id, choice.slot_id, now=now)
    return order


def _checked_gift(session: Session, member: Member, gift_id: int, qty: int, now) -> Gift:
    """The gift, if the member may redeem `qty` of it now (points are checked last)."""
    gift = session.get(Gift, gift_id)
    if gift is None:
        raise NotInWindow()
    if not 1 <= qty <= gift.per_order_max:
        raise BadRequest(field="qty", max=gift.per_order_max)
    _check_gift(session, gift, member, qty, now)
    return gift


def _cash_split(
    session: Session, gift: Gift, member_id: int, choice: Checkout, now, unit: int
) -> pricing.Breakdown | None:
    """Points paying part of the cash, at the rate the page showed (else RateChanged), no more
    than the cap nor than the points left after the gift's own (else CashCapExceeded)."""
    cash_fen = gift.cash_fen * choice.qty
    if not cash_fen:
        return None
    afford = None
    if choice.yuan_by_points > 0:  # the balance is read only when points pay some cash
        afford = (balances.balance(session, member_id, now), unit * choice.qty)
    split = pricing.breakdown(session, cash_fen, choice.yuan_by_points, now, afford)
    if split and split.yuan_by_points and split.rate.points_per_yuan != choice.expected_rate:
        raise RateChanged(rate=split.rate.points_per_yuan)
    return split


def _unit_points(session: Session, gift: Gift, member: Member, choice: Checkout, now) -> int:
    """The unit points price now (a member day's for the tier), as the page showed (else
    PriceChanged)."""
    unit = pricing.unit_points(session, gift, member, now)
    if choice.expected_points is not None and unit != choice.expected_points:
        raise PriceChanged(points=unit)
    return unit


def _decide_flash(
    session: Session, member: Member, event_id: int, now: datetime
) -> flash_gate.Seen:
    """What this member's attempt sees if they may take a unit now, else the refusal (the same
    with or without the member's lock: only the conditional stock decrement decides between
    winners). One statement: `flash_gate.under_lock`."""
    _not_frozen(session, member.id)  # known from the lock: no query
    seen = flash_gate.under_lock(session, member, event_id, now)
    if seen is None or now >= seen.event.ends_at or seen.cancelled:
        raise NotInWindow(ended=True)
    event = seen.event
    if event.segment and event.segment != seen.segment:
        raise NotForYou()
    if now < event.starts_at:
        raise NotInWindow(starts_at=event.starts_at)
    if not catalog.tier_allowed(event.gift, member):
        raise TierTooLow(tier=catalog.gate_tier(session, event.gift))
    if seen.claims >= event.per_member_limit:
        raise LimitReached(left=0)
    if event.stock <= 0:
        raise SoldOut()
    if seen.balance < event.points_price:
        raise NotEnoughPoints(shortfall=event.points_price - seen.balance)
    return seen


def redeem_flash(
    session: Session, member_id: int, event_id: int, *, now: datetime, request_key: str = ""
) -> Order:
    """One-tap flash redemption, picked up at the counter: no oversell, limit held under lock."""
    member = ledger.lock_member(session, member_id)
    if request_key and (found := _existing(session, member_id, request_key)):
        return found
    seen = _decide_flash(session, member, event_id, now)
    event = seen.event
    delivery = "wallet" if event.gift.kind in WALLET_KINDS else "pickup"
    if delivery == "wallet":  # codes go to those holding a unit (a loser must not hold codes)
        take_stock(session, FlashEvent, event.id, 1)
    what = Placement(
        qty=1,
        points=event.points_price,
        cash_fen=event.cash_fen,
        delivery=delivery,
        key=request_key or f"flash:{event.id}:{secrets.token_hex(8)}",
        store=seen.store if delivery == "pickup" else None,
        flash=event,
    )
    order = place(session, member, event.gift, what, now=now)
    if delivery == "pickup":  # the contended row last: its lock is held only until the commit,
        take_stock(session, FlashEvent, event.id, 1)  # and a loser rolls its order back (SoldOut)
    return order
