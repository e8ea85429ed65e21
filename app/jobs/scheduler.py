"""Run each job once per brand-local period, across any number of schedulers and restarts.

A period is claimed by inserting its job_runs row (unique on job + period): a second scheduler
started by mistake loses the insert and skips it. A failed run, or one whose process died (its
claim older than LEASE without finishing), is claimed again by an UPDATE that only one wins. Work
is committed batch by batch, so a stopped job resumes where it was on the next claim.
"""

import logging
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.jobs import periods
from app.jobs.registry import JOBS, Job
from app.models import JobRun

log = logging.getLogger("pointsmall.jobs")
LEASE = timedelta(minutes=30)
LOCK_KEY = 7_204_119  # pg_advisory_lock: one scheduler loop at a time on PostgreSQL
TICK_SECONDS = 15


def due_periods(session: Session, job: Job, now: datetime) -> list[datetime]:
    """The current period and up to `catch_up` missed ones after the last run, oldest first."""
    current = periods.start_of(job.period, now)
    runs = dict(
        session.execute(
            select(JobRun.period_key, JobRun.finished_at).where(JobRun.job == job.name)
        ).all()
    )
    due, start = [], current
    for _ in range(job.catch_up + 1):
        period_key = periods.key(job.period, start)
        if period_key in runs and runs[period_key] is not None:
            break  # finished: everything before it was handled then
        due.append(start)
        if period_key in runs:
            break  # failed or cut short: retry it; the periods before it were handled then
        start = periods.previous(job.period, start)
    if not runs:  # never ran here: the current period only, no backlog from before install
        due = due[:1]
    return list(reversed(due))


def claim(session: Session, job: Job, start: datetime, now: datetime) -> JobRun | None:
    """Take the period for this process, or None when another has it (or it is done)."""
    period_key = periods.key(job.period, start)
    try:
        with session.begin_nested():
            run = JobRun(job=job.name, period_key=period_key, started_at=now)
            session.add(run)
        session.commit()
        return run
    except IntegrityError:
        session.rollback()
    retry = (
        update(JobRun)
        .where(JobRun.job == job.name, JobRun.period_key == period_key)
        .where(
            or_(
                JobRun.error.is_not(None),
                (JobRun.finished_at.is_(None)) & (JobRun.started_at < now - LEASE),
            )
        )
        .values(error=None, started_at=now, finished_at=None, attempts=JobRun.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    won = session.execute(retry).rowcount == 1
    session.commit()
    if not won:
        return None
    return session.scalar(
        select(JobRun).where(JobRun.job == job.name, JobRun.period_key == period_key)
    )


def run_period(
    session: Session, job: Job, start: datetime, clock: Callable[[], datetime], stop=lambda: False
) -> JobRun | None:
    """Claim and run one period batch by batch (a commit per batch); record rows or the error."""
    run = claim(session, job, start, clock())
    if run is None:
        return None
    run_id, total = run.id, 0
    try:  # closed on a stop: a job running batches in threads waits for them there
        with closing(job.run(session, start, clock())) as batches:
            for rows in batches:
                session.commit()
                total += rows or 0
                if stop():
                    log.warning("job %s %s stopped after %s rows", job.name, run.period_key, total)
                    return session.get(JobRun, run_id)
    except Exception as exc:  # a job's failure is recorded, and the period is retried later
        return _failed(session, job, start, run_id, exc)
    session.execute(
        update(JobRun).where(JobRun.id == run_id).values(finished_at=clock(), rows=total)
    )
    session.commit()
    log.info("job %s %s done: %s rows", job.name, periods.key(job.period, start), total)
    return session.get(JobRun, run_id)


def _failed(session: Session, job: Job, start: datetime, run_id: int, exc: Exception) -> JobRun:
    """Record the error on the run (after rolling back what the batch wrote) and log it."""
    session.rollback()
    session.execute(
        update(JobRun).where(JobRun.id == run_id).values(error=f"{type(exc).__name__}: {exc}"[:500])
    )
    session.commit()
    log.exception("job %s %s failed", job.name, periods.key(job.period, start))
    return session.get(JobRun, run_id)


def tick(session: Session, clock: Callable[[], datetime], stop=lambda: False) -> list[JobRun]:
    """Run whatever is due now, every job in turn."""
    runs = []
    for job in JOBS.values():
        for start in due_periods(session, job, clock()):
            if stop():
                return runs
            if (run := run_period(session, job, start, clock, stop)) is not None:
                runs.append(run)
    return runs


def _lock(engine):
    """On PostgreSQL, a connection of its own holding the scheduler's advisory lock (or None)."""
    if engine.dialect.name != "postgresql":
        return True
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
        return conn  # kept open (and locked) for the life of the scheduler
    conn.close()
    return None


def loop(engine, session: Session, clock: Callable[[], datetime], stop: Callable[[], bool]) -> None:
    """The long-lived scheduler: hold the advisory lock (PostgreSQL), then tick until stopped."""
    lock = _lock(engine)
    while lock is None and not stop():
        log.info("another scheduler holds the lock; waiting")
        _sleep(TICK_SECONDS, stop)
        lock = _lock(engine)
    log.info("scheduler started: %s", ", ".join(JOBS))
    try:
        while not stop():
            tick(session, clock, stop)
            session.close()
            _sleep(TICK_SECONDS, stop)
    finally:
        if lock is not True and lock is not None:
            lock.close()
    log.info("scheduler stopped")


def _sleep(seconds: int, stop: Callable[[], bool]) -> None:
    """Wait, waking every second to notice a stop request (the process's own clock)."""
    for _ in range(seconds):
        if stop():
            return
        time.sleep(1)
