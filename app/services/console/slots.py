"""Service slots at the stores: created in bulk from a plan, closed with their bookings."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Gift, ServiceSlot, User
from app.services.console import audit
from app.services.console.stores import StoreError, close_bookings, get_store
from app.timeutil import brand_tz, local_date

MAX_SLOTS = 500  # one bulk creation makes at most this many slots
MAX_DAYS = 92


@dataclass(frozen=True)
class SlotPlan:
    """Slots to create in bulk: every chosen weekday between two brand-local days, at times."""

    gift_id: int
    first_day: date
    last_day: date
    weekdays: frozenset[int]  # Monday = 0
    times: tuple[time, ...]
    minutes: int
    capacity: int


def _starts(plan: SlotPlan) -> list[datetime]:
    days = (plan.last_day - plan.first_day).days + 1
    starts = []
    for offset in range(days):
        day = plan.first_day + timedelta(days=offset)
        if day.weekday() in plan.weekdays:
            starts += [
                datetime.combine(day, t, tzinfo=brand_tz()).astimezone(UTC) for t in plan.times
            ]
    return starts


def _check_plan(session: Session, plan: SlotPlan, now: datetime) -> list[datetime]:
    gift = session.get(Gift, plan.gift_id)
    if gift is None or gift.kind != "service":
        raise StoreError("service")
    if not plan.first_day <= plan.last_day or plan.first_day < local_date(now):
        raise StoreError("days")
    if (plan.last_day - plan.first_day).days >= MAX_DAYS or not plan.weekdays or not plan.times:
        raise StoreError("days")
    starts = [s for s in _starts(plan) if s > now]
    if len(starts) > MAX_SLOTS:
        raise StoreError("too_many", max=MAX_SLOTS, asked=len(starts))
    return starts


def create_slots(session: Session, actor: User, store_id: int, plan: SlotPlan, *, now) -> int:
    """Slots for every chosen day and time (past ones and ones that exist already are skipped);
    returns how many were made."""
    store = get_store(session, store_id)
    if store.closed_at is not None:
        raise StoreError("closed")
    starts = _check_plan(session, plan, now)
    have = set(
        session.scalars(
            select(ServiceSlot.starts_at).where(
                ServiceSlot.store_id == store.id, ServiceSlot.gift_id == plan.gift_id
            )
        )
    )
    new = [s for s in starts if s not in have]
    length = timedelta(minutes=plan.minutes)
    session.add_all(
        ServiceSlot(
            gift_id=plan.gift_id, store_id=store.id, starts_at=s, ends_at=s + length,
            capacity=plan.capacity,
        )
        for s in new
    )  # fmt: skip
    session.flush()
    audit.record(
        session, actor, "slot.bulk_create", "store", store.code, now=now,
        summary=f"{len(new)} slots {plan.first_day}…{plan.last_day}",
        after={"created": len(new), "gift_id": plan.gift_id, "capacity": plan.capacity},
    )  # fmt: skip
    return len(new)


def close_slot(session: Session, actor: User, slot_id: int, reason: str, *, now) -> int:
    """Close a slot and cancel its bookings (members told); returns how many were booked."""
    if not reason.strip():
        raise StoreError("reason")
    slot = session.get(ServiceSlot, slot_id)
    if slot is None:
        raise StoreError("not_found")
    store = get_store(session, slot.store_id)
    cancelled = close_bookings(session, slot.id, now)
    audit.record(
        session, actor, "slot.close", "slot", slot.id, now=now,
        summary=f"{store.code} {slot.starts_at.isoformat()}",
        after={"closed": True, "bookings_cancelled": cancelled}, reason=reason.strip(),
    )  # fmt: skip
    return cancelled


def upcoming_slots(session: Session, store_id: int, now: datetime, days: int = 14) -> list:
    """The store's slots of the coming days with their service's name, soonest first."""
    return list(
        session.execute(
            select(ServiceSlot, Gift.name)
            .join(Gift, Gift.id == ServiceSlot.gift_id)
            .where(
                ServiceSlot.store_id == store_id,
                ServiceSlot.ends_at > now,
                ServiceSlot.starts_at < now + timedelta(days=days),
            )
            .order_by(ServiceSlot.starts_at, ServiceSlot.id)
        )
    )


def slot_counts(session: Session, now: datetime) -> dict[int, int]:
    """Open future slots per store."""
    rows = session.execute(
        select(ServiceSlot.store_id, func.count(ServiceSlot.id))
        .where(ServiceSlot.starts_at > now, ServiceSlot.closed_at.is_(None))
        .group_by(ServiceSlot.store_id)
    )
    return dict(rows.all())
