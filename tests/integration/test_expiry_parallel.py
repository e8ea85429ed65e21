"""The expiry job's batches on several connections at once (PostgreSQL), one at a time on SQLite."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import parallel, periods, registry, scheduler
from app.jobs.registry import JOBS
from app.models import LedgerEntry, PointTransaction
from app.services.points import balances, expiry
from app.services.points.audit import audit
from app.timeutil import utcnow
from tests.conftest import BACKEND
from tests.integration.test_expiry_batches import WAIT, members_with_due_lots

MEMBERS = 9


def expiry_count(session, member_id: int | None = None) -> int:
    """Expiry transactions written so far (of one member)."""
    expired = select(func.count(PointTransaction.id)).where(PointTransaction.kind == "expire")
    if member_id is not None:
        expired = expired.where(PointTransaction.member_id == member_id)
    return session.scalar(expired)


def assert_expired_once(session, ids, now) -> None:
    """Every member's due lot expired by exactly one entry; the valid lot untouched."""
    session.expire_all()
    assert expiry_count(session) == len(ids)
    per_lot = (
        select(func.count(LedgerEntry.id))
        .join(PointTransaction, PointTransaction.id == LedgerEntry.txn_id)
        .where(PointTransaction.kind == "expire")
        .group_by(LedgerEntry.lot_id)
    )
    assert list(session.scalars(per_lot)) == [1] * len(ids)
    assert audit(session) == []
    assert all(balances.balance(session, m, now) == 100 for m in ids)


@pytest.fixture
def two_in_flight(monkeypatch):
    """expiry.take_lots held at a barrier until two batches are inside it at once (the first
    two calls only); records the thread and session of every call."""
    barrier, lock, calls = threading.Barrier(2, timeout=WAIT), threading.Lock(), []
    real = expiry.take_lots

    def take_lots(session, *args, **kwargs):
        with lock:
            calls.append((threading.get_ident(), session))
            first_two = len(calls) <= 2
        count = real(session, *args, **kwargs)
        if first_two:
            barrier.wait()  # BrokenBarrierError (the batch fails) unless another batch is here
        return count

    monkeypatch.setattr(expiry, "take_lots", take_lots)
    return calls


@pytest.mark.postgres
def test_two_workers_expire_every_due_lot_once_with_two_batches_in_flight(
    app, session, make_member, two_in_flight
):
    app.config["EXPIRY_WORKERS"] = 2
    now = utcnow()
    ids = members_with_due_lots(session, make_member, MEMBERS, now)
    done = []
    for lots in parallel.expire_points(session, now, now=now, batch=2):
        assert threading.current_thread() is threading.main_thread()
        session.commit()
        done.append(lots)
    assert sum(done) == MEMBERS and len(done) == len(expiry.member_ranges(session, 2))
    threads = {ident for ident, _ in two_in_flight}
    assert len(threads) == 2 and threading.get_ident() not in threads
    assert all(used not in (session, db.session()) for _, used in two_in_flight)
    assert_expired_once(session, ids, now)
    assert sum(parallel.expire_points(session, now, now=now, batch=2)) == 0  # idempotent


@pytest.mark.postgres
def test_the_expire_points_job_runs_its_batches_on_two_workers(
    app, session, make_member, two_in_flight, monkeypatch
):
    app.config["EXPIRY_WORKERS"] = 2
    monkeypatch.setattr(registry, "BATCH", 2)
    now = utcnow()
    ids = members_with_due_lots(session, make_member, MEMBERS, now)
    job = JOBS["expire-points"]
    run = scheduler.run_period(session, job, periods.start_of(job.period, now), lambda: now)
    assert (run.rows, run.error) == (MEMBERS, None) and run.finished_at
    assert len({ident for ident, _ in two_in_flight}) == 2
    assert_expired_once(session, ids, now)


@pytest.mark.postgres
def test_a_failed_batch_fails_the_job_after_the_batch_in_flight_commits(
    app, session, make_member, monkeypatch
):
    """The first member's batch fails while the second's is in flight (a barrier holds both);
    the job records the error only once the second has committed; a re-run does the rest."""
    app.config["EXPIRY_WORKERS"] = 2
    monkeypatch.setattr(registry, "BATCH", 2)
    now = utcnow()
    ids = members_with_due_lots(session, make_member, MEMBERS, now)
    failing, other = ((m // 2 * 2, m // 2 * 2 + 2) for m in (ids[0], ids[2]))  # adjacent ranges
    barrier, real = threading.Barrier(2, timeout=WAIT), expiry.expire

    def expire(batch_session, as_of, *, now, members=None):
        lots = real(batch_session, as_of, now=now, members=members)
        if members in (failing, other):
            barrier.wait()
        if members == failing:
            raise RuntimeError("boom")
        return lots

    monkeypatch.setattr(expiry, "expire", expire)
    job, start = JOBS["expire-points"], periods.start_of("daily", now)
    run = scheduler.run_period(session, job, start, lambda: now)
    assert run.error == "RuntimeError: boom" and run.finished_at is None
    session.expire_all()
    assert expiry_count(session, ids[0]) == 0  # rolled back
    assert expiry_count(session, ids[2]) == 1  # committed before the error was raised
    assert 1 <= expiry_count(session) < MEMBERS and audit(session) == []
    monkeypatch.setattr(expiry, "expire", real)
    rerun = scheduler.run_period(session, job, start, lambda: now)
    assert rerun.error is None and rerun.finished_at and rerun.attempts == 2
    assert_expired_once(session, ids, now)


@pytest.mark.postgres
def test_a_stopped_job_submits_no_more_batches_and_waits_for_those_in_flight(
    app, session, make_member, monkeypatch
):
    app.config["EXPIRY_WORKERS"] = 2
    monkeypatch.setattr(registry, "BATCH", 2)
    now = utcnow()
    ids = members_with_due_lots(session, make_member, MEMBERS, now)
    job, start = JOBS["expire-points"], periods.start_of("daily", now)
    stopped = scheduler.run_period(session, job, start, lambda: now, stop=lambda: True)
    assert stopped.finished_at is None and stopped.error is None
    assert not [t for t in threading.enumerate() if t.name.startswith("expire-points")]
    session.expire_all()
    assert 1 <= expiry_count(session) < MEMBERS and audit(session) == []  # ≤ 3 of 5 batches ran
    later = now + scheduler.LEASE + timedelta(minutes=1)  # the stopped run's lease is over
    resumed = scheduler.run_period(session, job, start, lambda: later)
    assert resumed.finished_at and resumed.attempts == 2
    assert_expired_once(session, ids, now)


@pytest.mark.parametrize(
    "workers",
    [1, pytest.param(2, marks=pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite only"))],
)
def test_one_worker_or_sqlite_runs_the_batches_serially_on_the_callers_session(
    app, session, make_member, monkeypatch, workers
):
    app.config["EXPIRY_WORKERS"] = workers
    now = utcnow()
    ids = members_with_due_lots(session, make_member, 5, now)
    calls, real = [], expiry.take_lots

    def take_lots(batch_session, *args, **kwargs):
        calls.append((threading.get_ident(), batch_session is session))
        return real(batch_session, *args, **kwargs)

    monkeypatch.setattr(expiry, "take_lots", take_lots)
    done = []
    for lots in parallel.expire_points(session, now, now=now, batch=2):
        session.commit()
        done.append(lots)
    assert sum(done) == 5 and set(calls) == {(threading.get_ident(), True)}
    assert_expired_once(session, ids, now)
