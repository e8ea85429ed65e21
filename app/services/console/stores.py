"""Stores, their counter stock and their service slots: what operators change."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from app.models import Booking, Gift, OrderEvent, ServiceSlot, Store, StoreStock, User
from app.services.console import audit
from app.timeutil import brand_tz, local_date

CODE_RE = re.compile(r"[A-Z]{2,4}[0-9]{3}")
MAX_STOCK_MOVE = 100_000
MAX_SLOTS = 500  # one bulk creation makes at most this many slots
MAX_DAYS = 92
LOCALES = ("en", "zh_Hant")  # besides zh_Hans, which is `name`


class StoreError(Exception):
    """A store change that cannot go ahead; `code` says why, `detail` holds numbers to show."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code, self.detail = code, detail


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


def query(search: str = "") -> Select:
    """Stores, narrowed by code, name or city."""
    stmt = select(Store)
    if search.strip():
        text = search.strip()
        like = {"autoescape": True}
        stmt = stmt.where(
            Store.code.contains(text.upper(), **like)
            | Store.name.contains(text, **like)
            | Store.city.contains(text, **like)
        )
    return stmt


def _state(store: Store) -> dict:
    return {"code": store.code, "name": store.name, "names": dict(store.names or {}),
            "city": store.city}  # fmt: skip


def _names(names: dict | None) -> dict:
    """The translated names kept: en and zh_Hant, trimmed, empty ones left out."""
    kept = {k: (v or "").strip()[:80] for k, v in (names or {}).items() if k in LOCALES}
    return {k: v for k, v in kept.items() if v}


def create(
    session: Session, actor: User, code: str, name: str, city: str, *, now: datetime,
    names: dict | None = None,
):  # fmt: skip
    """A new store (its code is what the POS reports; it never changes)."""
    code = code.strip().upper()
    if not CODE_RE.fullmatch(code) or not name.strip():
        raise StoreError("invalid")
    if session.scalar(select(Store.id).where(Store.code == code)):
        raise StoreError("taken")
    store = Store(code=code, name=name.strip(), names=_names(names), city=city.strip())
    session.add(store)
    session.flush()
    audit.record(session, actor, "store.create", "store", code, now=now, after=_state(store))
    return store


def _store(session: Session, store_id: int) -> Store:
    store = session.get(Store, store_id, with_for_update=True, populate_existing=True)
    if store is None:
        raise StoreError("not_found")
    return store


def update_store(
    session: Session, actor: User, store_id: int, name: str, city: str, *, now,
    names: dict | None = None,
):  # fmt: skip
    """Rename a store (in each language) or change its city."""
    if not name.strip():
        raise StoreError("invalid")
    store = _store(session, store_id)
    before = _state(store)
    store.name, store.city = name.strip(), city.strip()
    if names is not None:
        store.names = _names(names)
    old, new = audit.changes(before, _state(store))
    if new:
        audit.record(
            session, actor, "store.update", "store", store.code, now=now, before=old, after=new
        )
    return store


def set_open(session: Session, actor: User, store_id: int, is_open: bool, reason: str, *, now):
    """Close a store (no new pickups; its future slots close and booked members are told),
    or open it again. Returns how many bookings were cancelled."""
    if not is_open and not reason.strip():
        raise StoreError("reason")
    store = _store(session, store_id)
    if (store.closed_at is None) == is_open:
        return 0
    store.closed_at = None if is_open else now
    cancelled = 0
    if not is_open:
        future = session.scalars(
            select(ServiceSlot.id).where(
                ServiceSlot.store_id == store.id,
                ServiceSlot.starts_at > now,
                ServiceSlot.closed_at.is_(None),
            )
        ).all()
        cancelled = sum(_close(session, slot_id, now) for slot_id in future)
    action = "store.reopen" if is_open else "store.close"
    audit.record(
        session, actor, action, "store", store.code, now=now,
        before={"open": not is_open}, after={"open": is_open, "bookings_cancelled": cancelled},
        reason=reason.strip(),
    )  # fmt: skip
    return cancelled


def move_stock(
    session: Session, actor: User, store_id: int, gift_id: int, delta: int, reason: str, *, now
) -> int:
    """Counter stock in (+N received) or out (−N written off), never below zero; the new level."""
    if delta == 0 or abs(delta) > MAX_STOCK_MOVE:
        raise StoreError("delta", max=MAX_STOCK_MOVE)
    if not reason.strip():
        raise StoreError("reason")
    store, gift = _store(session, store_id), session.get(Gift, gift_id)
    if gift is None:
        raise StoreError("gift")
    row = session.scalar(
        select(StoreStock).where(StoreStock.store_id == store.id, StoreStock.gift_id == gift.id)
    )
    if row is None:
        if delta < 0:
            raise StoreError("stock", left=0)
        row = StoreStock(store_id=store.id, gift_id=gift.id, stock=0)
        session.add(row)
        session.flush()
    done = session.execute(
        update(StoreStock)
        .where(StoreStock.id == row.id, StoreStock.stock + delta >= 0)
        .values(stock=StoreStock.stock + delta)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    if done.rowcount != 1:
        raise StoreError("stock", left=row.stock)
    audit.record(
        session, actor, "store.stock", "store", store.code, now=now,
        summary=f"{gift.name} {delta:+,}", before={"stock": row.stock - delta},
        after={"stock": row.stock, "gift_id": gift.id}, reason=reason.strip(),
    )  # fmt: skip
    return row.stock


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
    store = _store(session, store_id)
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


def tell_member(session: Session, booking: Booking, now: datetime) -> None:
    """Tell a booked member the store cancelled their appointment.

    For now the order's timeline carries it (the member's order page shows the notice and
    offers another time); the notifications feature hooks in here."""
    session.add(
        OrderEvent(
            order_id=booking.order_id, status="slot_closed", at=now, note=f"slot {booking.slot_id}"
        )
    )


def _close(session: Session, slot_id: int, now: datetime) -> int:
    """Close one slot: no new bookings; its bookings are cancelled (the orders can book again)."""
    slot = session.get(ServiceSlot, slot_id, with_for_update=True, populate_existing=True)
    if slot.closed_at is not None:
        return 0
    slot.closed_at = now
    booked = session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == "booked")
    ).all()
    for booking in booked:
        booking.status, booking.closed_at = "cancelled", now
        tell_member(session, booking, now)
    slot.booked -= len(booked)
    session.flush()
    return len(booked)


def close_slot(session: Session, actor: User, slot_id: int, reason: str, *, now) -> int:
    """Close a slot and cancel its bookings (members told); returns how many were booked."""
    if not reason.strip():
        raise StoreError("reason")
    slot = session.get(ServiceSlot, slot_id)
    if slot is None:
        raise StoreError("not_found")
    store = _store(session, slot.store_id)
    cancelled = _close(session, slot.id, now)
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


def counter_stock(session: Session, store_id: int) -> list[StoreStock]:
    """Every gift kept at the store's counter, with its stock."""
    return list(
        session.scalars(
            select(StoreStock)
            .join(Gift, Gift.id == StoreStock.gift_id)
            .where(StoreStock.store_id == store_id)
            .order_by(Gift.name)
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
