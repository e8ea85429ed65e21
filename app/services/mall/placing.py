"""Writing a redemption's order once every check has passed: stock, numbers, points, codes.

The shelves, flash events and the counter all place their orders here, so an order is always
written the same way: its status from how it is delivered and paid, its points debited from the
ledger under the order's key, and coupons or virtual goods handed out at once.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import reads, writes
from app.models import FlashEvent, Gift, GiftCode, Member, Order, OrderEvent, Store
from app.services.mall import pricing
from app.services.mall.errors import AccountFrozen, NotEnoughPoints, SoldOut
from app.services.points import ledger
from app.services.points.earning import setting
from app.timeutil import local_date

CODE_TAKEN = reads.hot(select(Order.id).where(Order.pickup_code == bindparam("code")))
NEW_EVENT = reads.hot(insert(OrderEvent))


@dataclass(frozen=True)
class Placement:
    """What the order is for: quantity, price, delivery and the request key it answers."""

    qty: int
    points: int
    cash_fen: int
    delivery: str
    key: str
    breakdown: pricing.Breakdown | None = None
    store: Store | None = None
    address: dict | None = None
    flash: FlashEvent | None = None

    @property
    def cash_due_fen(self) -> int:
        """Cash still to pay once points have paid their part of it."""
        return self.breakdown.cash_due_fen if self.breakdown else self.cash_fen


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


def place(session: Session, member: Member, gift: Gift, what: Placement, *, now: datetime) -> Order:
    """Write the order, debit its points and hand out its codes (the caller checked the rest).
    Core INSERTs (`app.writes`: a flush costs twice them); the gift and store an answer reads
    are the session's, so `order.gift` and `order.store` need no query."""
    order_no, pickup_code = _new_numbers(session, now)
    status = _status(what)
    values = _order_row(member, gift, what, status, now) | _cash_split(what)
    values |= {"order_no": order_no, "pay_by": _pay_by(session, status, now)}
    values["pickup_code"] = pickup_code if what.delivery == "pickup" else None
    order = writes.add_loaded(session, Order, values)
    set_committed_value(order, "gift", gift)  # held by the order, as a flush would leave them
    set_committed_value(order, "store", what.store)
    event = {"order_id": order.id, "status": status, "note": "", "at": now}
    writes.execute(session, NEW_EVENT, event)
    if order.total_points:  # a gift given (the birthday's) takes no points
        _debit(session, member, order.total_points, order_no, now)
    if what.delivery == "wallet":
        _hand_out_codes(session, order, now)
    return order


def _order_row(member: Member, gift: Gift, what: Placement, status: str, now: datetime) -> dict:
    """The order's columns that follow from what was chosen."""
    return {
        "request_key": f"{member.id}:{what.key}",
        "member_id": member.id,
        "gift_id": gift.id,
        "flash_event_id": what.flash.id if what.flash else None,
        "qty": what.qty,
        "points": what.points,
        "cash_fen": what.cash_fen,
        "delivery": what.delivery,
        "store_id": what.store.id if what.store else None,
        "address": what.address,
        "status": status,
        "created_at": now,
        "paid_at": None,
        "closed_at": None,
    }


def _status(what: Placement) -> str:
    """Cash to pay online waits for payment; everything else goes straight to fulfilment."""
    if what.cash_due_fen and what.delivery != "pickup":
        return "pending_payment"
    return _fulfil_status(what.delivery)


def _cash_split(what: Placement) -> dict:
    """How the cash part is paid: points paying part of it (at which rate) and the cash due."""
    split = what.breakdown
    return {
        "points_for_cash": split.points_for_cash if split else 0,
        "cash_rate": split.rate.points_per_yuan if split and split.yuan_by_points else None,
        "cash_due_fen": what.cash_due_fen,
    }


def _pay_by(session: Session, status: str, now: datetime) -> datetime | None:
    """An unpaid order is cancelled after the brand's payment window."""
    if status != "pending_payment":
        return None
    return now + timedelta(minutes=setting(session, "unpaid_order_minutes", at=now))


def _new_numbers(session: Session, now: datetime) -> tuple[str, str]:
    """A readable order number and an unused 8-digit pickup code."""
    order_no = f"R{local_date(now):%y%m%d}{secrets.randbelow(10**8):08d}"
    while True:
        code = f"{secrets.randbelow(9 * 10**7) + 10**7}"
        if reads.execute(session, CODE_TAKEN, {"code": code}).first() is None:
            return order_no, code


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
