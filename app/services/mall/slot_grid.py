"""The booking page's picker: a store, then a brand-local day, then that day's times as a grid.

The choice travels as GET parameters (`?store=&day=`), so the page works without JavaScript;
anything unknown in them falls back to the booked time's store and day, else the first offered.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from app.models import Booking, ServiceSlot, Store
from app.timeutil import local_date


@dataclass(frozen=True)
class DayChip:
    """One day of the chip row: which day, how it is named, whether any seat is left."""

    day: date
    when: str  # "today", "tomorrow" or "later": the template names it
    has_free: bool


@dataclass(frozen=True)
class SlotGrid:
    """What the booking page shows: the stores, the chosen one's days, the chosen day's times."""

    stores: list[Store] = field(default_factory=list)
    store: Store | None = None
    days: list[DayChip] = field(default_factory=list)
    day: date | None = None
    slots: list[ServiceSlot] = field(default_factory=list)


def _stores(slots: list[ServiceSlot]) -> list[Store]:
    """The stores that offer a time, in the order of their first time."""
    seen: dict[int, Store] = {}
    for slot in slots:
        seen.setdefault(slot.store_id, slot.store)
    return sorted(seen.values(), key=lambda s: s.id)


def _pick(options: list, wanted, *fallbacks):
    """`wanted` if offered, else the first fallback offered, else the first option."""
    for candidate in (wanted, *fallbacks):
        if candidate is not None and candidate in options:
            return candidate
    return options[0] if options else None


def _when(day: date, today: date) -> str:
    return {0: "today", 1: "tomorrow"}.get((day - today).days, "later")


def grid(
    slots: list[ServiceSlot],
    now: datetime,
    *,
    store_id: int | None = None,
    day: date | None = None,
    booking: Booking | None = None,
) -> SlotGrid:
    """The picker for these open slots, for the store and day asked for (or sensible ones)."""
    stores = _stores(slots)
    if not stores:
        return SlotGrid()
    booked = booking.slot if booking is not None else None
    ids = [s.id for s in stores]
    chosen_id = _pick(ids, store_id, booked.store_id if booked else None)
    store = stores[ids.index(chosen_id)]
    at_store = [s for s in slots if s.store_id == store.id]
    dates = sorted({local_date(s.starts_at) for s in at_store})
    today = local_date(now)
    chips = [
        DayChip(
            d, _when(d, today), any(s.free > 0 for s in at_store if local_date(s.starts_at) == d)
        )
        for d in dates
    ]
    first_free = next((c.day for c in chips if c.has_free), None)
    chosen_day = _pick(dates, day, local_date(booked.starts_at) if booked else None, first_free)
    times = [s for s in at_store if local_date(s.starts_at) == chosen_day]
    return SlotGrid(stores, store, chips, chosen_day, times)
