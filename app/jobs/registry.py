"""The periodic jobs: name, period, how many missed periods to catch up, and the work in batches.

Each job's `run(session, period_start, now)` yields the rows touched per batch; the scheduler
commits after every batch, so a long job can be stopped and resumed (each batch is idempotent).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import parallel, periods
from app.services.accounts import sessions, verification
from app.services.alerts import monitor
from app.services.analytics import pairs, rfm, rollups, shelf_stats
from app.services.console import clearing
from app.services.limits import counters
from app.services.mall import orders
from app.services.notify import events, outbox, reminders
from app.services.points import expiry, tasks, tiers
from app.services.tasks import birthday

BATCH = expiry.BATCH  # members per expiry batch: one transaction never locks the whole membership


@dataclass(frozen=True)
class Job:
    """A periodic job."""

    name: str
    period: str  # minute | daily | monthly
    catch_up: int  # how many missed past periods to run on start (0: only the current one)
    run: Callable[[Session, datetime, datetime], Iterator[int]]
    overdue_after_periods: int = 2  # /healthz/ready calls it overdue after this many periods


def _expire_points(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """Expire every lot due by now, a batch of members at a time (EXPIRY_WORKERS at once)."""
    yield from parallel.expire_points(session, now, now=now, batch=BATCH)


def _expire_orders(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    yield orders.expire_unpaid(session, now)


def _review_tiers(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """This month's review as of now; a missed month's as of its first instant."""
    current = now < periods.following("monthly", period_start)
    yield tiers.review(session, now if current else period_start)


def _clear_points(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """Run the approved points clearings whose day has come (each one once)."""
    for _item, touched in clearing.run_due(session, now):
        yield touched.members


def _rfm(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """Every member's RFM scores and segment as of now (a missed day's run is today's)."""
    if now < periods.following("daily", period_start):
        yield rfm.recompute(session, now)


def _gift_pairs(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """'For you's co-redemption pairs and tier/segment favourites, rewritten (after the RFM)."""
    if now < periods.following("daily", period_start):
        yield pairs.recompute(session, now)


def _send_outbox(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """Text messages due (after the quiet hours), each claimed by one sender."""
    yield from outbox.deliver(session, now)


def _birthdays(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """This year's birthday points to every member in their brand-local birthday month (once)."""
    after = 0
    while ids := tasks.birthday_due(session, now, BATCH, after):
        for member_id in ids:
            birthday.give(session, member_id, now=now)
        after = ids[-1]
        yield len(ids)


def _prune(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """Old rate-limit windows, SMS codes, sandbox messages and sessions past their lifetime."""
    yield counters.prune(session, now)
    yield verification.prune(session, now)
    yield sessions.prune(session, now, current_app.permanent_session_lifetime)


JOBS = {
    job.name: job
    for job in (
        Job("expire-points", "daily", 7, _expire_points),
        Job("expire-orders", "minute", 0, _expire_orders, overdue_after_periods=10),
        Job("review-tiers", "monthly", 1, _review_tiers),
        Job("clear-points", "daily", 7, _clear_points),
        Job("prune", "daily", 0, _prune),
        Job("birthdays", "daily", 1, _birthdays),
        Job("rfm", "daily", 1, _rfm),
        Job("gift-pairs", "daily", 1, _gift_pairs),
        Job("shelf-stats", "minute", 0, shelf_stats.run, overdue_after_periods=10),
        Job("alerts", "minute", 0, monitor.run, overdue_after_periods=10),
        Job("reminders", "daily", 1, reminders.run),
        Job("event-reminders", "minute", 0, events.run, overdue_after_periods=10),
        Job("send-outbox", "minute", 0, _send_outbox, overdue_after_periods=10),
        Job("rollups", "minute", 0, rollups.run, overdue_after_periods=10),
    )
}
