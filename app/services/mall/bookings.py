"""In-store service appointments: slots with capacity, booking, reschedule, cancel, check-in."""

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Booking, Order, OrderEvent, ServiceSlot, User
from app.services.mall import orders
from app.services.mall.errors import RedeemError
from app.services.points import ledger
from app.services.points.earning import setting
from app.timeutil import local_date, local_midnight


class BookingError(RedeemError):
    """A booking change that cannot go ahead; `code` says why."""


def open_slots(session: Session, gift_id: int, now: datetime, days: int = 7) -> list[ServiceSlot]:
    """Future slots of a service in the coming days, every store, soonest first."""
    return list(
        session.scalars(
            select(ServiceSlot)
            .where(
                ServiceSlot.gift_id == gift_id,
                ServiceSlot.starts_at > now,
                ServiceSlot.starts_at < now + timedelta(days=days),
            )
            .order_by(ServiceSlot.starts_at, ServiceSlot.store_id)
        )
    )


def _take_seat(session: Session, slot_id: int) -> None:
    """Conditional increment: the last seat goes to exactly one member."""
    result = session.execute(
        update(ServiceSlot)
        .where(ServiceSlot.id == slot_id, ServiceSlot.booked < ServiceSlot.capacity)
        .values(booked=ServiceSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise BookingError("slot_full")
    session.expire(session.get(ServiceSlot, slot_id), ["booked"])


def _free_seat(session: Session, slot_id: int) -> None:
    session.execute(
        update(ServiceSlot)
        .where(ServiceSlot.id == slot_id)
        .values(booked=ServiceSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(session.get(ServiceSlot, slot_id), ["booked"])


def current(session: Session, order_id: int) -> Booking | None:
    """The live booking of a service order."""
    return session.scalar(
        select(Booking).where(Booking.order_id == order_id, Booking.status == "booked")
    )


def _member_order(session: Session, member_id: int, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.member_id != member_id:
        raise BookingError("not_found")
    return order


def _usable_slot(session: Session, order: Order, slot_id: int, now: datetime) -> ServiceSlot:
    slot = session.get(ServiceSlot, slot_id)
    if slot is None or slot.gift_id != order.gift_id or slot.starts_at <= now:
        raise BookingError("slot_unavailable")
    return slot


def book(
    session: Session, member_id: int, order_id: int, slot_id: int, *, now: datetime
) -> Booking:
    """Book (or move) the appointment of a service order; a full slot is refused."""
    ledger.lock_member(session, member_id)
    order = _member_order(session, member_id, order_id)
    if order.status != "to_book":
        raise BookingError("not_bookable")
    slot = _usable_slot(session, order, slot_id, now)
    booking = current(session, order.id)
    if booking is not None:
        if booking.slot_id == slot.id:
            return booking
        _before_cutoff(session, booking, now)
        _free_seat(session, booking.slot_id)
    _take_seat(session, slot.id)
    if booking is None:
        booking = Booking(order_id=order.id, slot_id=slot.id, member_id=member_id, created_at=now)
        session.add(booking)
    booking.slot_id = slot.id
    session.add(OrderEvent(order_id=order.id, status="to_book", at=now, note=f"slot {slot.id}"))
    session.flush()
    return booking


def _before_cutoff(session: Session, booking: Booking, now: datetime) -> None:
    cutoff = timedelta(hours=setting(session, "booking_cutoff_hours"))
    if booking.slot.starts_at - cutoff <= now:
        raise BookingError("too_late", hours=cutoff.seconds // 3600 + cutoff.days * 24)


def cancel(session: Session, member_id: int, order_id: int, *, now: datetime) -> Order:
    """Cancel the appointment and the order before the cut-off: the points come back."""

    ledger.lock_member(session, member_id)
    order = _member_order(session, member_id, order_id)
    booking = current(session, order.id)
    if booking is not None:
        _before_cutoff(session, booking, now)
        _free_seat(session, booking.slot_id)
        booking.status, booking.closed_at = "cancelled", now
    return orders.cancel(session, member_id, order_id, now=now)


def appointments(session: Session, store_id: int, now: datetime) -> list[Booking]:
    """Today's and tomorrow's appointments at a store (brand-local days)."""
    start = local_midnight(local_date(now))
    return list(
        session.scalars(
            select(Booking)
            .join(ServiceSlot)
            .where(
                ServiceSlot.store_id == store_id,
                ServiceSlot.starts_at >= start,
                ServiceSlot.starts_at < start + timedelta(days=2),
            )
            .order_by(ServiceSlot.starts_at, Booking.id)
        )
    )


def for_member_at_store(session: Session, member_id: int, store_id: int, now: datetime):
    """The member's open appointments at this store today and tomorrow."""
    return [
        b
        for b in appointments(session, store_id, now)
        if b.member_id == member_id and b.status == "booked"
    ]


def upcoming(session: Session, member_id: int, now: datetime) -> list[Booking]:
    """The member's future appointments, for the reminders on /me."""
    return list(
        session.scalars(
            select(Booking)
            .join(ServiceSlot)
            .where(
                Booking.member_id == member_id,
                Booking.status == "booked",
                ServiceSlot.ends_at > now,
            )
            .order_by(ServiceSlot.starts_at)
        )
    )


def _staff_booking(session: Session, staff: User, booking_id: int) -> Booking:
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booking is None or booking.slot.store_id != staff.store_id:
        raise BookingError("not_found")
    if booking.status != "booked":
        raise BookingError("already_" + booking.status)
    return booking


def check_in(session: Session, staff: User, booking_id: int, *, now: datetime) -> Booking:
    """The member is here: the booking is consumed and the order completed."""
    booking = _staff_booking(session, staff, booking_id)
    booking.status, booking.closed_at = "checked_in", now
    orders.complete(session, booking.order, now, f"checked in at {staff.store.code}")
    return booking


def no_show(session: Session, staff: User, booking_id: int, *, now: datetime) -> Booking:
    """The member did not come: points kept or returned, by the no-show policy setting."""

    booking = _staff_booking(session, staff, booking_id)
    booking.status, booking.closed_at = "no_show", now
    if setting(session, "no_show_returns_points"):
        orders.release(session, booking.order, now, "no-show")
    else:
        orders.complete(session, booking.order, now, "no-show")
    session.flush()
    return booking


def day_slots(slots: list[ServiceSlot]) -> dict[date, list[ServiceSlot]]:
    """Slots grouped by brand-local day, for the booking page."""
    days: dict[date, list[ServiceSlot]] = {}
    for slot in slots:
        days.setdefault(local_date(slot.starts_at), []).append(slot)
    return days
