"""Orders in the console: search and filter, ship, cancel and refund (through the mall's own
order service, so points, stock and cash come back exactly as `flask orders refund` does)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from app.inputs import is_ascii_digits
from app.models import Booking, Gift, Member, Order, ServiceSlot, Shipment, User
from app.models.order import ORDER_STATUSES
from app.services.console import audit
from app.services.errors import DomainError
from app.services.mall import orders
from app.services.mall.errors import CannotCancel
from app.services.points import ledger
from app.timeutil import local_midnight

CARRIERS = ("sf", "jd", "zto", "yto", "sto", "yunda", "ems", "other")
TRACKING_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{5,39}")
KINDS = ("physical", "coupon", "virtual", "service")
DELIVERIES = ("pickup", "ship", "wallet", "service")


class OrderError(DomainError):
    """An order action that cannot go ahead; `code` says why."""


@dataclass(frozen=True)
class OrderFilter:
    """What the order list narrows to; every field optional."""

    search: str = ""  # order number, member phone or number, gift name
    status: str = ""
    kind: str = ""
    delivery: str = ""
    store_id: int | None = None
    since: date | None = None  # brand-local days, inclusive
    until: date | None = None


def _search(stmt: Select, text: str) -> Select:
    like = {"autoescape": True}
    gift = or_(Gift.name.contains(text, **like), Order.order_no.startswith(text, **like))
    if is_ascii_digits(text):
        return stmt.where(
            or_(gift, User.phone.contains(text, **like), Member.member_no.startswith(text, **like))
        )
    return stmt.where(gift)


def query(f: OrderFilter) -> Select:
    """Orders matching the filter (the table sorts and pages them)."""
    stmt = (
        select(Order)
        .join(Gift, Gift.id == Order.gift_id)
        .join(Member, Member.id == Order.member_id)
        .join(User, User.id == Member.user_id)
    )
    if f.search.strip():
        stmt = _search(stmt, f.search.strip())
    if f.status in ORDER_STATUSES:
        stmt = stmt.where(Order.status == f.status)
    if f.kind in KINDS:
        stmt = stmt.where(Gift.kind == f.kind)
    if f.delivery in DELIVERIES:
        stmt = stmt.where(Order.delivery == f.delivery)
    if f.store_id:
        stmt = stmt.where(Order.store_id == f.store_id)
    if f.since:
        stmt = stmt.where(Order.created_at >= local_midnight(f.since))
    if f.until:
        stmt = stmt.where(Order.created_at < local_midnight(f.until + timedelta(days=1)))
    return stmt


def _locked(session: Session, order_id: int) -> Order:
    """The order, reloaded under its member's lock (the lock every order change takes)."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderError("not_found")
    ledger.lock_member(session, order.member_id)
    session.refresh(order)
    return order


def ship(
    session: Session, actor: User, order_id: int, carrier: str, tracking_no: str, *, now: datetime
) -> Order:
    """Hand a shipping order to a carrier: the member sees carrier and tracking number, and the
    order is fulfilled (a returned parcel is then a refund)."""
    tracking_no = tracking_no.strip()
    if carrier not in CARRIERS or not TRACKING_RE.fullmatch(tracking_no):
        raise OrderError("tracking")
    order = _locked(session, order_id)
    if order.shipment is not None:
        return order  # a double submit: shipped once
    if order.delivery != "ship" or order.status != "to_ship":
        raise OrderError("not_shippable", status=order.status)
    session.add(
        Shipment(
            order_id=order.id, carrier=carrier, tracking_no=tracking_no,
            shipped_by_id=actor.id, shipped_at=now,
        )
    )  # fmt: skip
    orders.complete(session, order, now, f"shipped: {carrier} {tracking_no}")
    audit.record(
        session, actor, "order.ship", "order", order.order_no, now=now,
        summary=f"{carrier} {tracking_no}", before={"status": "to_ship"},
        after={"status": order.status, "carrier": carrier, "tracking_no": tracking_no},
        member_id=order.member_id,
    )  # fmt: skip
    return order


def _drop_booking(session: Session, order: Order, now: datetime) -> None:
    """A cancelled service order gives its seat back."""
    booking = session.scalar(
        select(Booking).where(Booking.order_id == order.id, Booking.status == "booked")
    )
    if booking is None:
        return
    booking.status, booking.closed_at = "cancelled", now
    session.execute(
        update(ServiceSlot)
        .where(ServiceSlot.id == booking.slot_id)
        .values(booked=ServiceSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def cancel(session: Session, actor: User, order_id: int, reason: str, *, now: datetime) -> Order:
    """Cancel an order not yet fulfilled: points (the exact lots), stock and cash go back."""
    if not reason.strip():
        raise OrderError("reason")
    order = _locked(session, order_id)
    if order.status == "cancelled":
        return order  # a double submit: cancelled once
    if order.status not in orders.CANCELLABLE:
        raise OrderError("not_cancellable", status=order.status)
    before = order.status
    _drop_booking(session, order, now)
    orders.release(session, order, now, "console")
    _audit_close(session, actor, order, "order.cancel", before, reason, now)
    return order


def refund(session: Session, actor: User, order_id: int, reason: str, *, now: datetime) -> Order:
    """Refund a fulfilled order (the gift came back), through the service `flask orders refund`
    uses; refunding twice writes nothing more."""
    if not reason.strip():
        raise OrderError("reason")
    order = _locked(session, order_id)
    before = order.status
    try:
        result = orders.refund(session, order.order_no, now=now, note="console")
    except CannotCancel as exc:
        raise OrderError("not_refundable", status=order.status) from exc
    if not getattr(result, "replay", False):
        _audit_close(session, actor, order, "order.refund", before, reason, now)
    return order


def _audit_close(session, actor, order: Order, action: str, before: str, reason: str, now):
    audit.record(
        session, actor, action, "order", order.order_no, now=now,
        summary=f"{order.total_points:,} points back", before={"status": before},
        after={"status": order.status}, reason=reason.strip(), member_id=order.member_id,
    )  # fmt: skip
