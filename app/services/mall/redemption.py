"""Redeeming gifts and flash events: stock, limits, points and the order in one transaction.

The caller commits on success and rolls back on any RedeemError or InsufficientPoints, so a
failed redemption leaves nothing behind.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import (
    Address,
    FlashCancellation,
    FlashEvent,
    Gift,
    GiftCode,
    Member,
    Order,
    OrderEvent,
    Store,
)
from app.services.mall import catalog, pricing
from app.services.mall.errors import (
    AccountFrozen,
    BadRequest,
    LimitReached,
    NotEnoughPoints,
    NotInWindow,
    PriceChanged,
    RateChanged,
    SoldOut,
    TierTooLow,
)
from app.services.points import balances, ledger
from app.services.points.earning import setting
from app.timeutil import local_date

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


def _new_numbers(session: Session, now: datetime) -> tuple[str, str]:
    """A readable order number and an unused 8-digit pickup code."""
    order_no = f"R{local_date(now):%y%m%d}{secrets.randbelow(10**8):08d}"
    while True:
        code = f"{secrets.randbelow(9 * 10**7) + 10**7}"
        if not session.scalar(select(Order.id).where(Order.pickup_code == code)):
            return order_no, code


def _existing(session: Session, member_id: int, key: str) -> Order | None:
    return session.scalar(select(Order).where(Order.request_key == f"{member_id}:{key}"))


def _debit(session: Session, member: Member, points: int, order_no: str, now: datetime) -> None:
    try:
        ledger.debit(
            session,
            member.id,
            points,
            f"order:{order_no}",
            now=now,
            kind="redeem",
            ref=f"redeem:{order_no}",
        )
    except ledger.InsufficientPoints as exc:
        raise NotEnoughPoints(shortfall=exc.shortfall) from exc
    except ledger.MemberFrozen as exc:  # the counter's redemptions end here too
        raise AccountFrozen() from exc


def _not_frozen(session: Session, member_id: int) -> None:
    """A frozen member is told so first, before stock, limits or points are looked at."""
    if ledger.is_frozen(session, member_id):
        raise AccountFrozen()


def take_stock(session: Session, model, row_id: int, qty: int) -> None:
    """Conditional decrement: two buyers of the last unit cannot both win."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.stock >= qty)
        .values(stock=model.stock - qty)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise SoldOut()
    session.expire(session.get(model, row_id), ["stock"])


def place(
    session: Session,
    member: Member,
    gift: Gift,
    *,
    qty: int,
    points: int,
    cash_fen: int,
    breakdown: pricing.Breakdown | None,
    delivery: str,
    store: Store | None,
    address: dict | None,
    key: str,
    now: datetime,
    flash: FlashEvent | None = None,
) -> Order:
    order_no, pickup_code = _new_numbers(session, now)
    cash_due = breakdown.cash_due_fen if breakdown else cash_fen
    status = "pending_payment" if cash_due and delivery != "pickup" else _fulfil_status(delivery)
    order = Order(
        order_no=order_no,
        request_key=f"{member.id}:{key}",
        member_id=member.id,
        gift_id=gift.id,
        flash_event_id=flash.id if flash else None,
        qty=qty,
        points=points,
        cash_fen=cash_fen,
        points_for_cash=breakdown.points_for_cash if breakdown else 0,
        cash_rate=breakdown.rate.points_per_yuan
        if breakdown and breakdown.yuan_by_points
        else None,
        cash_due_fen=cash_due,
        delivery=delivery,
        store_id=store.id if store else None,
        address=address,
        status=status,
        created_at=now,
        pickup_code=pickup_code if delivery == "pickup" else None,
        pay_by=now + timedelta(minutes=setting(session, "unpaid_order_minutes", at=now))
        if status == "pending_payment"
        else None,
    )
    order.events.append(OrderEvent(status=status, at=now))
    session.add(order)
    session.flush()
    _debit(session, member, order.total_points, order_no, now)
    if delivery == "wallet":
        _hand_out_codes(session, order, now)
    return order


def _fulfil_status(delivery: str) -> str:
    return {"pickup": "to_pickup", "ship": "to_ship", "wallet": "completed", "service": "to_book"}[
        delivery
    ]


def _hand_out_codes(session: Session, order: Order, now: datetime) -> None:
    """Coupons and virtual goods arrive at once: one pooled code per unit, each to one order."""
    codes = session.scalars(
        select(GiftCode)
        .where(GiftCode.gift_id == order.gift_id, GiftCode.order_id.is_(None))
        .order_by(GiftCode.id)
        .limit(order.qty)
        .with_for_update(skip_locked=True)
    ).all()
    if len(codes) < order.qty:
        raise SoldOut()
    for code in codes:
        code.order_id = order.id
    if order.status == "completed":
        order.closed_at = now


def _pickup_store(session: Session, member: Member, store_id: int | None) -> Store:
    """The chosen store, else the member's last pickup store, else the first store."""
    if store_id:
        store = session.get(Store, store_id)
        if store is None or store.closed_at is not None:
            raise BadRequest(field="store")
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
    gift = session.get(Gift, gift_id)
    if gift is None:
        raise NotInWindow()
    if not 1 <= choice.qty <= gift.per_order_max:
        raise BadRequest(field="qty", max=gift.per_order_max)
    _check_gift(session, gift, member, choice.qty, now)
    delivery = _delivery(gift, choice)
    cash_fen = gift.cash_fen * choice.qty
    split = pricing.breakdown(session, cash_fen, choice.yuan_by_points, now) if cash_fen else None
    if split and split.yuan_by_points and split.rate.points_per_yuan != choice.expected_rate:
        raise RateChanged(rate=split.rate.points_per_yuan)
    unit = pricing.unit_points(session, gift, member, now)
    if choice.expected_points is not None and unit != choice.expected_points:
        raise PriceChanged(points=unit)
    take_stock(session, Gift, gift.id, choice.qty)
    order = place(
        session,
        member,
        gift,
        qty=choice.qty,
        points=unit * choice.qty,
        cash_fen=cash_fen,
        breakdown=split,
        delivery=delivery,
        store=_pickup_store(session, member, choice.store_id) if delivery == "pickup" else None,
        address=_address(session, member, choice.address_id) if delivery == "ship" else None,
        key=choice.request_key,
        now=now,
    )
    if delivery == "service" and choice.slot_id and order.status == "to_book":
        from app.services.mall import bookings  # bookings builds on orders, which builds on this

        bookings.book(session, member.id, order.id, choice.slot_id, now=now)
    return order


def flash_claims(session: Session, event_id: int, member_id: int) -> int:
    """Units of a flash event the member holds (cancelled orders give the right back)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Order.qty), 0)).where(
                Order.flash_event_id == event_id,
                Order.member_id == member_id,
                Order.status.in_(catalog.OPEN_STATUSES),
            )
        )
    )


def _decide_flash(session: Session, member: Member, event_id: int, now: datetime) -> FlashEvent:
    """The event if this member may take a unit now, else the refusal (the same with or without
    the member's lock: only the conditional stock decrement decides between winners)."""
    _not_frozen(session, member.id)
    event = session.get(FlashEvent, event_id)
    if event is None or now >= event.ends_at or session.get(FlashCancellation, event_id):
        raise NotInWindow(ended=True)
    if now < event.starts_at:
        raise NotInWindow(starts_at=event.starts_at)
    if not catalog.tier_allowed(event.gift, member):
        raise TierTooLow(tier=catalog.gate_tier(session, event.gift))
    if flash_claims(session, event.id, member.id) >= event.per_member_limit:
        raise LimitReached(left=0)
    if event.stock <= 0:
        raise SoldOut()
    balance = balances.balance(session, member.id, now)
    if balance < event.points_price:
        raise NotEnoughPoints(shortfall=event.points_price - balance)
    return event


def redeem_flash(
    session: Session, member_id: int, event_id: int, *, now: datetime, request_key: str = ""
) -> Order:
    """One-tap flash redemption, picked up at the counter: no oversell, limit held under lock."""
    member = ledger.lock_member(session, member_id)
    if request_key and (found := _existing(session, member_id, request_key)):
        return found
    event = _decide_flash(session, member, event_id, now)
    delivery = "wallet" if event.gift.kind in WALLET_KINDS else "pickup"
    if delivery == "wallet":  # codes go to those holding a unit (a loser must not hold codes)
        take_stock(session, FlashEvent, event.id, 1)
    order = place(
        session,
        member,
        event.gift,
        qty=1,
        points=event.points_price,
        cash_fen=event.cash_fen,
        breakdown=None,
        delivery=delivery,
        store=_pickup_store(session, member, None) if delivery == "pickup" else None,
        address=None,
        key=request_key or f"flash:{event.id}:{secrets.token_hex(8)}",
        now=now,
        flash=event,
    )
    if delivery == "pickup":  # the contended row last: its lock is held only until the commit,
        take_stock(session, FlashEvent, event.id, 1)  # and a loser rolls its order back (SoldOut)
    return order
