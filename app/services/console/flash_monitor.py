"""The live monitor of a flash event: stock left, redemptions per minute, refusals by reason.

Redemptions are read from the orders. Refusals leave no row anywhere, so the member's view counts
each one in the shared counters (`flash:<id>:refused:<reason>`; Redis `INCR` when REDIS_URL is
set). Without Redis a process adds its refusals up and writes them at most every
FLASH_TALLY_SECONDS, one upsert per reason (0: each at once): the losers of a burst then write
nothing, instead of queueing on one counter row. A counter window is fixed and epoch-aligned, so
the tally uses long windows and reads every window the event touches.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.inputs import MAX_INT
from app.models import FlashEvent, Order
from app.services.console.flash import status
from app.services.limits import counters
from app.timeutil import brand_tz

REASONS = ("sold_out", "limit", "points", "tier", "not_in_window", "other")
TALLY = timedelta(days=30)  # one counter window; an event's refusals fall in one or a few
SLACK = timedelta(days=1)  # refusals this long before the start or after the end still count
MINUTES = 10  # the per-minute series
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 44, 14, 110  # the SVG chart, in user units


def refusal_key(event_id: int, reason: str) -> str:
    """The shared counter of one refusal reason of one event."""
    return f"flash:{event_id}:refused:{reason}"


_pending: Counter = Counter()  # (counter key, window start) -> refusals this process holds
_pending_lock = threading.Lock()
_written_at = [0.0]  # time.monotonic() of this process's last write


def count_refusal(session: Session, event_id: int, reason: str, now: datetime) -> None:
    """Count one refused attempt; the caller commits (a short transaction of its own, which
    writes nothing while this process holds its refusals)."""
    tally = (refusal_key(event_id, reason if reason in REASONS else "other"),
             counters.window_start(now, TALLY))  # fmt: skip
    if current_app.config.get("REDIS_URL") or not current_app.config.get("FLASH_TALLY_SECONDS"):
        _write(session, {tally: 1})
        return
    with _pending_lock:
        _pending[tally] += 1
    write_pending(session)


def holds_refusals() -> bool:
    """Whether this process holds refusals not yet written (a look, no lock)."""
    return bool(_pending)


def refusals_due() -> bool:
    """Whether this process holds refusals and FLASH_TALLY_SECONDS have passed since its last
    write (a look, no lock)."""
    seconds = current_app.config.get("FLASH_TALLY_SECONDS", 0)
    return bool(_pending) and time.monotonic() - _written_at[0] >= seconds


def write_pending(session: Session, *, force: bool = False) -> bool:
    """Write this process's held refusals once FLASH_TALLY_SECONDS have passed since its last
    write (or at once with `force`); whether it wrote. The caller commits."""
    with _pending_lock:
        if not (force and _pending) and not refusals_due():
            return False
        held = dict(_pending)
        _pending.clear()
        _written_at[0] = time.monotonic()
    try:
        _write(session, held)
    except Exception:
        with _pending_lock:  # kept for the next write
            _pending.update(held)
        raise
    return True


def _write(session: Session, counts: dict) -> None:
    if not current_app.config.get("REDIS_URL") and session.get_bind().dialect.name == "postgresql":
        # A monitoring tally: losing the last few counts in a crash is acceptable, making every
        # loser of a burst wait for a WAL flush is not.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    for (key, start), count in sorted(counts.items()):
        counters.hit(session, key, MAX_INT, TALLY, start, by=count)


def _windows(event: FlashEvent, now: datetime) -> list[datetime]:
    """An instant in each counter window the event's refusals can be in."""
    first = event.starts_at - SLACK
    last = max(first, min(now, event.ends_at + SLACK))
    at, found = counters.window_start(first, TALLY), []
    while at <= last:
        found.append(at)
        at += TALLY
    return found


def refusals(session: Session, event: FlashEvent, now: datetime) -> dict[str, int]:
    """Refused attempts so far, by reason."""
    windows = _windows(event, now)
    return {
        reason: sum(
            counters.peek(session, refusal_key(event.id, reason), TALLY, at) for at in windows
        )
        for reason in REASONS
    }


@dataclass(frozen=True)
class Minute:
    """One bar of the per-minute chart."""

    label: str  # brand-local HH:MM
    count: int
    x: int
    height: int

    @property
    def y(self) -> int:
        """The top of the bar (SVG y grows downwards)."""
        return CHART_HEIGHT - self.height


def per_minute(session: Session, event: FlashEvent, now: datetime) -> list[Minute]:
    """Redemptions in each of the last ten minutes (of the event, once it is over)."""
    end = min(now, event.ends_at)
    first = end.replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    counts = [0] * MINUTES
    for at in session.scalars(
        select(Order.created_at).where(
            Order.flash_event_id == event.id, Order.created_at >= first, Order.created_at <= end
        )
    ):
        counts[min(int((at - first).total_seconds()) // 60, MINUTES - 1)] += 1
    peak, tz = max(counts) or 1, brand_tz()
    return [
        Minute(
            label=(first + timedelta(minutes=i)).astimezone(tz).strftime("%H:%M"),
            count=count,
            x=i * (BAR_WIDTH + BAR_GAP),
            height=max(2, count * (CHART_HEIGHT - 14) // peak) if count else 0,
        )
        for i, count in enumerate(counts)
    ]


@dataclass(frozen=True)
class Monitor:
    """Everything the monitor shows at one instant."""

    event: FlashEvent
    status: str
    minutes: list[Minute]
    refusals: dict[str, int]
    chart_width: int = MINUTES * (BAR_WIDTH + BAR_GAP) - BAR_GAP
    chart_height: int = CHART_HEIGHT
    bar_width: int = BAR_WIDTH

    @property
    def over(self) -> bool:
        """Ended or cancelled: nothing changes any more (polling stops)."""
        return self.status in ("ended", "cancelled")

    @property
    def sold(self) -> int:
        """Units taken so far."""
        return self.event.initial_stock - self.event.stock

    @property
    def refused(self) -> int:
        """Refused attempts of every reason."""
        return sum(self.refusals.values())

    @property
    def last_ten(self) -> int:
        """Redemptions in the charted ten minutes."""
        return sum(m.count for m in self.minutes)


def monitor(session: Session, event: FlashEvent, cancelled: bool, now: datetime) -> Monitor:
    """The monitor of one event now."""
    return Monitor(
        event=event,
        status=status(event, cancelled, now),
        minutes=per_minute(session, event, now),
        refusals=refusals(session, event, now),
    )
