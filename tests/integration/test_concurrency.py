"""Real threads on PostgreSQL: the member lock serializes ledger writes; the expiry job agrees."""

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import PointLot, PointTransaction, SignIn
from app.services.points import balances, earning, expiry, ledger, reversals
from app.services.points.audit import audit

pytestmark = pytest.mark.postgres

THREADS = 20
WAIT = 60  # seconds before a stuck barrier or thread fails the test instead of hanging it


@pytest.fixture
def pool_app(app):
    """A second app on the test database whose pool has a connection for every thread."""
    wide = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS, "max_overflow": 0, "pool_timeout": WAIT},
    )
    yield wide
    with wide.app_context():
        db.engine.dispose()


def race(app, count: int, work) -> list:
    """Run work(session, i) in `count` threads at once: each result, or the domain error raised."""
    barrier = threading.Barrier(count, timeout=WAIT)

    def one(i: int):
        with app.app_context():
            session = db.session
            session.connection()  # check a connection out first so all start on the barrier
            barrier.wait()
            try:
                result = work(session, i)
                session.commit()
                return result
            except ledger.LedgerError as error:
                session.rollback()
                return error
            finally:
                session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one, i) for i in range(count)]
        return [future.result(timeout=WAIT) for future in futures]


def funded_member(session, make_member, now, points: int) -> int:
    """A committed member holding `points` purchase points."""
    member = make_member()
    ledger.credit(session, member.id, "purchase", points, "fund", now=now)
    session.commit()
    return member.id


def test_concurrent_spends_never_overdraw(session, pool_app, make_member, now):
    """20 spends of 10 from 100 points: exactly 10 succeed and the balance ends at 0."""
    member = funded_member(session, make_member, now, 100)
    results = race(
        pool_app,
        THREADS,
        lambda s, i: ledger.debit(s, member, 10, f"spend-{i}", now=now).points,
    )
    refused = [r for r in results if isinstance(r, ledger.InsufficientPoints)]
    assert results.count(-10) == 10 and len(refused) == 10
    assert all(r.available == 0 for r in refused)
    assert balances.balance(session, member, now) == 0
    assert audit(session) == []


def test_concurrent_sign_ins_count_once(session, pool_app, make_member, now):
    """20 sign-ins on one day: one SignIn row, one earn, and only one call is the first."""
    member = make_member().id
    session.commit()
    results = race(pool_app, THREADS, lambda s, i: earning.sign_in(s, member, now))
    assert sorted(r.already for r in results) == [False] + [True] * (THREADS - 1)
    assert {(r.points, r.streak) for r in results} == {
        (earning.setting(session, "signin_points"), 1)
    }
    signins = session.scalar(select(func.count(SignIn.id)).where(SignIn.member_id == member))
    earns = session.scalars(
        select(PointTransaction).where(PointTransaction.member_id == member)
    ).all()
    assert signins == 1
    assert [(t.kind, t.source, t.points) for t in earns] == [("earn", "signin", results[0].points)]
    assert balances.balance(session, member, now) == results[0].points
    assert audit(session) == []


@pytest.mark.parametrize("operation", ["credit", "debit"])
def test_one_key_from_many_threads_writes_once(session, pool_app, make_member, now, operation):
    """The same idempotency key from 10 threads: every call returns the one transaction."""
    member = funded_member(session, make_member, now, 100)

    def write(s, _i):
        if operation == "credit":
            return ledger.credit(s, member, "purchase", 30, "same-key", now=now).id
        return ledger.debit(s, member, 30, "same-key", now=now).id

    ids = race(pool_app, 10, write)
    assert len(set(ids)) == 1 and isinstance(ids[0], int)
    assert session.scalar(select(func.count()).where(PointTransaction.idem_key == "same-key")) == 1
    assert balances.balance(session, member, now) == (130 if operation == "credit" else 70)
    assert audit(session) == []


def wait_until_blocked(app, pid: int, job) -> None:
    """Return once the job's backend `pid` waits for a lock; fail if the job ends first."""
    deadline = time.monotonic() + WAIT
    with app.app_context():
        check = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
        while db.session.scalar(check, {"pid": pid}) != "Lock":
            db.session.rollback()  # a fresh snapshot of pg_stat_activity each time
            if job.done():
                job.result()  # raises the job's error, if it had one
                pytest.fail("the expiry job never waited for the request's lock")
            assert time.monotonic() < deadline, "the expiry job never waited for a lock"
        db.session.remove()


def expiry_job(app, as_of, now, pids: queue.Queue) -> int:
    """The `points expire` command in its own connection; returns the number of lots expired."""
    with app.app_context():
        try:
            pids.put(db.session.scalar(text("SELECT pg_backend_pid()")))
            count = expiry.expire(db.session, as_of, now=now)
            db.session.commit()
            return count
        finally:
            db.session.remove()


def spend_before_midnight(session, member, expires_at):
    """The job starts at midnight while a spend of the last usable points, begun just before
    midnight, still holds the member's lock."""
    before = expires_at - timedelta(hours=1)
    # the spend goes first; the job expires the 6 points left on the lot
    return (
        expires_at,
        expires_at,
        1,
        lambda: ledger.debit(session, member, 4, "late-spend", now=before),
    )


def cancel_after_expiry(session, member, expires_at):
    """The nightly job runs while a redemption whose points have just expired is cancelled."""
    now = expires_at - timedelta(days=1)
    spend = ledger.debit(session, member, 4, "spend", now=now)
    session.commit()
    later = expires_at + timedelta(minutes=5)
    # the cancellation goes first and expires the whole lot itself: the job finds nothing left
    return later, later, 0, lambda: reversals.reverse(session, spend, "cancel", now=later)


@pytest.mark.parametrize("scenario", [spend_before_midnight, cancel_after_expiry])
def test_expiry_job_and_a_request_on_the_same_lot_do_not_deadlock(
    session, pool_app, make_member, now, scenario
):
    """A request holding the member lock touches a lot the expiry job wants: both complete."""
    member = make_member().id
    lot = ledger.credit(session, member, "signin", 10, "signin", now=now).entries[0].lot
    session.commit()
    job_now, as_of, expired, request = scenario(session, member, lot.expires_at)
    pids = queue.Queue()
    with ThreadPoolExecutor(max_workers=1) as pool:
        ledger.lock_member(session, member)  # every request locks the member first
        job = pool.submit(expiry_job, pool_app, as_of, job_now, pids)
        wait_until_blocked(pool_app, pids.get(timeout=WAIT), job)
        try:
            request()
            session.commit()
        finally:
            session.rollback()  # whatever happened, let the job go on
        assert job.result(timeout=WAIT) == expired
    assert session.get(PointLot, lot.id).remaining == 0
    assert balances.balance(session, member, job_now) == 0
    assert audit(session) == []
