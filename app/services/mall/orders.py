"""Orders after checkout: the member's list, payment, cancellation and the unpaid-order timeout."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import FlashEvent, Gift, Order, OrderEvent, Payment
from app.services.mall.errors import CannotCancel, NotInWindow
from app.services.points import ledger, reversals

CANCELLABLE = ("pending_payment", "to_pickup", "to_ship", "to_book")
SANDBOX = "sandbox"


class OrderNotFound(Exception):
    """No such order for this member (another member's order is 'not found' too)."""


def for_member(session: Session, member_id: int, now: datetime) -> list[Order]:
    """The member's orders, newest first (overdue unpaid ones are closed first)."""
    expire_unpaid(session, now, member_id=member_id)
    return list(
        session.scalars(
            select(Order).where(Order.member_id == member_id).order_by(Order.id.desc()).limit(100)
        )
    )


def get(session: Session, member_id: int, order_id: int, now: datetime) -> Order:
    """One of the member's orders; OrderNotFound for anyone else's."""
    order = session.get(Order, order_id)
    if order is None or order.member_id != member_id:
        raise OrderNotFound(order_id)
    if order.status == "pending_payment" and order.pay_by <= now:
        expire_unpaid(session, now, member_id=member_id)
    return order


def _event(session: Session, order: Order, status: str, now: datetime, note: str = "") -> None:
    order.status = status
    session.add(OrderEvent(order_id=order.id, status=status, at=now, note=note))


def complete(session: Session, order: Order, now: datetime, note: str) -> Order:
    """Close an order as fulfilled (handed over, checked in, delivered), with its timeline entry."""
    order.closed_at = now
    _event(session, order, "completed", now, note)
    session.flush()
    return order


def release(
    session: Session, order: Order, now: datetime, note: str, status: str = "cancelled"
) -> None:
    """Give back points (the exact lots), stock and codes, and close the order."""
    txn = ledger.find(session, f"order:{order.order_no}")
    if txn is not None:
        reversals.reverse(session, txn, f"{status}:{order.order_no}", now=now, memo=note)
    model, row_id = (
        (FlashEvent, order.flash_event_id) if order.flash_event_id else (Gift, order.gift_id)
    )
    session.execute(
        update(model)
        .where(model.id == row_id)
        .values(stock=model.stock + order.qty)
        .execution_options(synchronize_session=False)
    )
    session.expire(session.get(model, row_id), ["stock"])
    for code in order.codes:
        code.order_id = None
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
    if payment is not None and payment.status in ("pending", "paid"):
        payment.status = "refunded" if payment.status == "paid" else "cancelled"
    order.closed_at = now
    _event(session, order, status, now, note)


def cancel(session: Session, member_id: int, order_id: int, *, now: datetime) -> Order:
    """Cancel before fulfilment: points, stock and cash go back. Cancelling twice is harmless."""
    ledger.lock_member(session, member_id)
    order = get(session, member_id, order_id, now)
    session.refresh(order)
    if order.status == "cancelled":
        return order
    if order.status not in CANCELLABLE:
        raise CannotCancel(status=order.status)
    release(session, order, now, "member")
    return order


@dataclass(frozen=True)
class Refund:
    """A refunded order, and whether it had been refunded before (then nothing was written)."""

    order: Order
    replay: bool


def refund(session: Session, order_no: str, *, now: datetime, note: str = "returned") -> Refund:
    """Refund a fulfilled order (the gift came back): exact lots, stock and cash are returned.
    Coupons and virtual codes were revealed at once, so those orders cannot be refunded.
    A second refund of the same order is a replay: it writes nothing."""
    order = session.scalar(select(Order).where(Order.order_no == order_no))
    if order is None:
        raise OrderNotFound(order_no)
    ledger.lock_member(session, order.member_id)
    session.refresh(order)
    if order.status == "refunded":
        return Refund(order, True)
    if order.status != "completed" or order.delivery == "wallet":
        raise CannotCancel(status=order.status)
    release(session, order, now, note, status="refunded")
    return Refund(order, False)


def expire_unpaid(session: Session, now: datetime, *, member_id: int | None = None) -> int:
    """Cancel orders still unpaid after their deadline; idempotent (a job, and lazily on read)."""
    stmt = select(Order.id, Order.member_id).where(
        Order.status == "pending_payment", Order.pay_by <= now
    )
    if member_id is not None:
        stmt = stmt.where(Order.member_id == member_id)
    count = 0
    for order_id, owner in session.execute(stmt).all():
        ledger.lock_member(session, owner)
        order = session.get(Order, order_id)
        session.refresh(order)
        if order.status == "pending_payment":
            release(session, order, now, "payment timeout")
            count += 1
    return count


def start_payment(session: Session, member_id: int, order_id: int, *, now: datetime) -> Payment:
    """The sandbox payment for an unpaid order (created once)."""
    order = get(session, member_id, order_id, now)
    if order.status != "pending_payment":
        raise NotInWindow(status=order.status)
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
    if payment is None:
        payment = Payment(
            order_id=order.id,
            provider=SANDBOX,
            amount_fen=order.cash_due_fen,
            status="pending",
            created_at=now,
        )
        session.add(payment)
        session.flush()
    return payment


def complete_payment(session: Session, member_id: int, order_id: int, *, now: datetime) -> Order:
    """The provider says paid: the order moves on to fulfilment. Paying twice is harmless."""
    ledger.lock_member(session, member_id)
    order = get(session, member_id, order_id, now)
    session.refresh(order)
    if order.paid_at:
        return order
    payment = start_payment(session, member_id, order_id, now=now)
    payment.status, payment.paid_at, order.paid_at = "paid", now, now
    status = {"ship": "to_ship", "pickup": "to_pickup", "service": "to_book"}.get(
        order.delivery, "completed"
    )
    if status == "completed":
        order.closed_at = now
    _event(session, order, status, now, SANDBOX)
    return order
