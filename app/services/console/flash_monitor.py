"""The live monitor of a flash event: stock left, redemptions per minute, refusals by reason.

Redemptions are read from the orders. Refusals leave no row anywhere, so the member's view counts
each one in the shared counters (`flash:<id>:refused:<reason>`; Redis `INCR` when REDIS_URL is
set, else one upsert in a short transaction of its own). A counter window is fixed and
epoch-aligned, so the tally uses long windows and reads every window the event touches.
"""

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


def count_refusal(session: Session, event_id: int, reason: str, now: datetime) -> None:
    """Count one refused attempt; the caller commits (a short transaction of its own)."""
    reason = reason if reason in REASONS else "other"
    if not current_app.config.get("REDIS_URL") and session.get_bind().dialect.name == "postgresql":
        # A monitoring tally: losing the last few counts in a crash is acceptable, making every
        # loser of a burst wait for a WAL flush is not.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    counters.hit(session, refusal_key(event_id, reason), MAX_INT, TALLY, now)


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
