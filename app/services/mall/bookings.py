"""In-store service appointments: slots with capacity, booking, reschedule, cancel, check-in."""

from dataclasses import dataclass
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
                ServiceSlot.closed_at.is_(None),
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
        .where(
            ServiceSlot.id == slot_id,
            ServiceSlot.booked < ServiceSlot.capacity,
            ServiceSlot.closed_at.is_(None),  # a slot the store closed takes no one
        )
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


def service_order(session: Session, member_id: int, order_id: int) -> Order:
    """The member's service order: only those have a booking page (else BookingError not_found)."""
    order = _member_order(session, member_id, order_id)
    if order.delivery != "service":
        raise BookingError("not_found")
    return order


@dataclass(frozen=True)
class OrderActions:
    """What the member can do with an order now, and why not where the answer would be no."""

    status: str  # the status shown: the order's, or "booked" once a service order has its time
    booking: Booking | None = None
    can_book: bool = False  # choose a time (a service order without one yet)
    can_change: bool = False  # move the booked time
    can_cancel: bool = False
    why_not: BookingError | None = None  # why the booked time can no longer be changed/cancelled


def actions(session: Session, order: Order, now: datetime) -> OrderActions:
    """What the order page offers: exactly what book, cancel and the cut-off would accept now."""
    if order.delivery != "service" or order.status != "to_book":
        return OrderActions(order.status, can_cancel=order.status in orders.CANCELLABLE)
    booking = current(session, order.id)
    if booking is None:
        return OrderActions("to_book", can_book=True, can_cancel=True)
    late = _too_late(session, booking, now)
    return OrderActions(
        "booked", booking, can_change=late is None, can_cancel=late is None, why_not=late
    )


def shown_statuses(session: Session, listed: list[Order]) -> dict[int, str]:
    """The status each order of a list shows ("booked" for service orders with their time)."""
    waiting = [o.id for o in listed if o.delivery == "service" and o.status == "to_book"]
    booked = set()
    if waiting:
        booked = set(
            session.scalars(
                select(Booking.order_id).where(
                    Booking.order_id.in_(waiting), Booking.status == "booked"
                )
            )
        )
    return {o.id: "booked" if o.id in booked else o.status for o in listed}


def _usable_slot(
    session: Session, order: Order, slot_id: int, now: datetime, store_id: int | None
) -> ServiceSlot:
    slot = session.get(ServiceSlot, slot_id)
    if slot is None or slot.gift_id != order.gift_id or slot.starts_at <= now or slot.closed_at:
        raise BookingError("slot_unavailable")
    if store_id is not None and slot.store_id != store_id:  # the page showed another store
        raise BookingError("slot_unavailable")
    return slot


def book(
    session: Session,
    member_id: int,
    order_id: int,
    slot_id: int,
    *,
    now: datetime,
    store_id: int | None = None,
) -> Booking:
    """Book (or move) a service order's time; a full slot or another store's is refused."""
    ledger.lock_member(session, member_id)
    order = service_order(session, member_id, order_id)
    if order.status != "to_book":
        raise BookingError("not_bookable")
    slot = _usable_slot(session, order, slot_id, now, store_id)
    booking = current(session, order.id)
    if booking is not None:
        if booking.slot_id == slot.id:
            return booking
        _before_cutoff(session, booking, now)
        _free_seat(session, booking.slot_id)
    _take_seat(session, slot.id)
    step = "booked" if booking is None else "rebooked"  # the timeline: booked, then each move
    if booking is None:
        booking = Booking(order_id=order.id, slot_id=slot.id, member_id=member_id, created_at=now)
        session.add(booking)
    booking.slot_id = slot.id
    session.add(OrderEvent(order_id=order.id, status=step, at=now, note=f"slot {slot.id}"))
    session.flush()
    return booking


def _too_late(session: Session, booking: Booking, now: datetime) -> BookingError | None:
    """Why the booked time can no longer be moved or cancelled (the cut-off), or None."""
    hours = setting(session, "booking_cutoff_hours", at=now)
    if booking.slot.starts_at - timedelta(hours=hours) <= now:
        return BookingError("too_late", hours=hours)
    return None


def _before_cutoff(session: Session, booking: Booking, now: datetime) -> None:
    if late := _too_late(session, booking, now):
        raise late


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
    if setting(session, "no_show_returns_points", at=now):
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
