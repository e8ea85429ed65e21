"""The expiry job in batches: a member outside the running batch is never kept waiting."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Member, PointTransaction
from app.services.points import balances, earning, expiry, ledger
from app.services.points.audit import audit
from app.timeutil import utcnow

WAIT = 30  # seconds before a stuck thread fails the test instead of hanging it


def members_with_due_lots(session, make_member, count: int, now) -> list[int]:
    """`count` members, each with a sign-in lot that expired yesterday and a lot still valid."""
    ids = []
    for n in range(count):
        member = make_member()
        ledger.credit(session, member.id, "signin", 5, f"old:{n}", now=now - timedelta(days=95))
        ledger.credit(session, member.id, "adjustment", 100, f"new:{n}", now=now)
        ids.append(member.id)
    session.commit()
    return ids


def test_points_expire_commits_batch_by_batch_and_expires_everything(
    app, session, make_member, monkeypatch
):
    now = utcnow()
    ids = members_with_due_lots(session, make_member, 7, now)
    monkeypatch.setattr(expiry, "BATCH", 2)
    commits = []
    monkeypatch.setattr(
        db.session, "commit", lambda real=db.session.commit: commits.append(1) or real()
    )
    result = app.test_cli_runner().invoke(args=["points", "expire"])
    assert result.output.strip() == "expired 7 lot(s)"
    assert len(commits) >= 4  # one a batch of two member ids, and the last
    expired = select(func.count(PointTransaction.id)).where(PointTransaction.kind == "expire")
    assert session.scalar(expired) == 7 and audit(session) == []
    assert all(balances.balance(session, m, utcnow()) == 100 for m in ids)


@contextmanager
def job_held_in_its_first_batch(app, now, batch: int):
    """Run the expiry job in a thread and hold it inside its first batch (member and lot locks
    taken, nothing committed) until the block ends; yields the lots each batch expired."""
    in_batch, paused, resume, done = threading.Event(), threading.Event(), threading.Event(), []
    real_take = expiry.take_lots

    def take_and_wait(*args, **kwargs):
        count = real_take(*args, **kwargs)
        if not in_batch.is_set() and count:
            in_batch.set()
            paused.set()
            resume.wait(WAIT)
        return count

    def job():
        with app.app_context():
            for lots in expiry.expire_in_batches(db.session, now, now=now, batch=batch):
                db.session.commit()
                done.append(lots)
            db.session.remove()

    expiry.take_lots = take_and_wait
    worker = threading.Thread(target=job)
    try:
        worker.start()
        assert paused.wait(WAIT), "the job never reached its first batch"
        yield done
    finally:
        resume.set()
        worker.join(WAIT)
        expiry.take_lots = real_take


@pytest.mark.postgres
def test_a_members_sign_in_is_not_blocked_while_the_expiry_job_runs(app, session, make_member):
    """The job is held inside its first batch; a member of a later batch signs in and spends
    meanwhile, with a lock timeout that would fail the request had it to wait; then the job
    finishes and everything adds up."""
    now = utcnow()
    ids = members_with_due_lots(session, make_member, 6, now)
    with job_held_in_its_first_batch(app, now, batch=ids[2] - ids[0]) as done:
        with app.app_context():
            held = db.session
            held.execute(text("SET LOCAL lock_timeout = '1s'"))
            with pytest.raises(OperationalError):  # the job really holds the first batch
                ledger.lock_member(held, ids[0])
            held.rollback()
            held.execute(text("SET LOCAL lock_timeout = '1s'"))
            member = ids[-1]  # in a later batch
            assert earning.sign_in(held, member, now).points > 0
            ledger.debit(held, member, 50, "spend-during-expiry", now=now)
            held.commit()
            held.remove()
    assert sum(done) == 6
    session.expire_all()
    assert audit(session) == []
    assert balances.balance(session, ids[-1], now) == 100 - 50 + 5
    assert session.scalar(select(func.count(Member.id))) == 6
