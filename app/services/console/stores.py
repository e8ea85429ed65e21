"""Stores and their counter stock: what operators change (service slots: `slots`)."""

import re
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from app.models import Booking, Gift, OrderEvent, ServiceSlot, Store, StoreStock, User
from app.services.console import audit
from app.services.errors import DomainError

CODE_RE = re.compile(r"[A-Z]{2,4}[0-9]{3}")
MAX_STOCK_MOVE = 100_000
LOCALES = ("en", "zh_Hant")  # besides zh_Hans, which is `name`


class StoreError(DomainError):
    """A store change that cannot go ahead; `code` says why, `detail` holds numbers to show."""


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


def get_store(session: Session, store_id: int) -> Store:
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
    store = get_store(session, store_id)
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
    store = get_store(session, store_id)
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
        cancelled = sum(close_bookings(session, slot_id, now) for slot_id in future)
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
    store, gift = get_store(session, store_id), session.get(Gift, gift_id)
    if gift is None:
        raise StoreError("gift")
    row = _stock_row(session, store, gift, delta)
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


def _stock_row(session: Session, store: Store, gift: Gift, delta: int) -> StoreStock:
    """The counter's stock row of the gift; a first delivery opens it at zero."""
    row = session.scalar(
        select(StoreStock).where(StoreStock.store_id == store.id, StoreStock.gift_id == gift.id)
    )
    if row is None:
        if delta < 0:
            raise StoreError("stock", left=0)
        row = StoreStock(store_id=store.id, gift_id=gift.id, stock=0)
        session.add(row)
        session.flush()
    return row


def tell_member(session: Session, booking: Booking, now: datetime) -> None:
    """Tell a booked member the store cancelled their appointment.

    For now the order's timeline carries it (the member's order page shows the notice and
    offers another time); the notifications feature hooks in here."""
    session.add(
        OrderEvent(
            order_id=booking.order_id, status="slot_closed", at=now, note=f"slot {booking.slot_id}"
        )
    )


def close_bookings(session: Session, slot_id: int, now: datetime) -> int:
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
