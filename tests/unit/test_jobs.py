"""The scheduler: brand-local periods, each run once, caught up, retried, resumed, and batched."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import periods, scheduler
from app.jobs.registry import JOBS, Job
from app.models import JobRun, PointLot
from app.services.points import balances, ledger
from app.timeutil import local_midnight


def bj(day: str, hh: int, mm: int) -> datetime:
    """A Beijing wall-clock time as UTC."""
    return local_midnight(date.fromisoformat(day)) + timedelta(hours=hh, minutes=mm)


@pytest.mark.parametrize(
    ("moment", "daily", "monthly"),
    [
        (bj("2026-12-31", 23, 59), "2026-12-31", "2026-12"),
        (bj("2027-01-01", 0, 1), "2027-01-01", "2027-01"),
    ],
)
def test_period_keys_are_brand_local(moment, daily, monthly):
    assert periods.key("daily", periods.start_of("daily", moment)) == daily
    assert periods.key("monthly", periods.start_of("monthly", moment)) == monthly
    # 00:01 Beijing on Jan 1 is still Dec 31 in UTC: the key follows Beijing, not UTC
    assert moment.astimezone(UTC).date() == date(2026, 12, 31)


def test_period_arithmetic_round_trips():
    start = periods.start_of("monthly", bj("2027-03-15", 9, 0))
    assert periods.key("monthly", periods.previous("monthly", start)) == "2027-02"
    assert periods.key("monthly", periods.following("monthly", start)) == "2027-04"
    assert (
        periods.key("minute", periods.start_of("minute", bj("2027-03-15", 9, 7)))
        == "2027-03-15T09:07"
    )


class Counting:
    """A fake job body that counts its calls and can fail or yield several batches."""

    def __init__(self, batches=1, fail=False):
        self.calls, self.batches, self.fail = [], batches, fail

    def __call__(self, session, start, now):
        self.calls.append(start)
        for n in range(self.batches):
            if self.fail:
                raise RuntimeError("boom")
            yield n + 1


@pytest.fixture
def fake(monkeypatch):
    """Replace the registry by one daily job whose body we control."""

    def install(**kwargs):
        body = Counting(**kwargs)
        job = Job("demo-daily", "daily", 7, body)
        monkeypatch.setattr(scheduler, "JOBS", {job.name: job})
        return job, body

    return install


def test_each_period_runs_once(session, fake):
    job, body = fake()
    clock = lambda: bj("2027-01-10", 0, 5)  # noqa: E731
    assert len(scheduler.tick(session, clock)) == 1
    assert scheduler.tick(session, clock) == []
    assert body.calls == [periods.start_of("daily", clock())]
    run = session.scalar(select(JobRun))
    assert (run.period_key, run.rows, run.error) == ("2027-01-10", 1, None) and run.finished_at


def test_missed_days_are_caught_up_after_the_last_run(session, fake):
    job, body = fake()
    scheduler.tick(session, lambda: bj("2027-01-05", 1, 0))
    scheduler.tick(session, lambda: bj("2027-01-09", 1, 0))  # the scheduler was down 3 days
    keys = list(session.scalars(select(JobRun.period_key).order_by(JobRun.period_key)))
    assert keys == ["2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08", "2027-01-09"]


def test_a_failed_run_is_recorded_and_retried(session, fake):
    job, body = fake(fail=True)
    clock = lambda: bj("2027-01-10", 3, 0)  # noqa: E731
    scheduler.tick(session, clock)
    run = session.scalar(select(JobRun))
    assert run.error == "RuntimeError: boom" and run.finished_at is None
    body.fail = False
    scheduler.tick(session, clock)
    session.expire_all()
    run = session.scalar(select(JobRun))
    assert run.error is None and run.finished_at and run.attempts == 2


def test_a_run_killed_mid_batch_resumes_after_its_lease(session, fake):
    job, body = fake(batches=3)
    start = bj("2027-01-10", 3, 0)
    stopped = scheduler.run_period(session, job, periods.start_of("daily", start), lambda: start,
                                   stop=lambda: True)  # fmt: skip
    assert stopped.finished_at is None
    assert scheduler.tick(session, lambda: start + timedelta(minutes=5)) == []  # still leased
    resumed = scheduler.tick(session, lambda: start + scheduler.LEASE + timedelta(minutes=1))
    assert len(resumed) == 1 and resumed[0].finished_at and resumed[0].attempts == 2


def test_expire_points_works_in_batches_of_members(session, make_member, monkeypatch):
    monkeypatch.setattr("app.jobs.registry.BATCH", 2)
    members = [make_member() for _ in range(5)]
    earned = bj("2026-06-01", 12, 0)
    for m in members:
        ledger.credit(session, m.id, "signin", 5, f"s{m.id}", now=earned)
    session.commit()
    later = earned + timedelta(days=120)
    batches = list(JOBS["expire-points"].run(session, periods.start_of("daily", later), later))
    assert sum(batches) == 5 and len(batches) >= 3
    assert session.scalar(select(func.sum(PointLot.remaining))) == 0
    assert all(balances.balance(session, m.id, later) == 0 for m in members)


@pytest.mark.postgres
def test_two_schedulers_at_once_run_each_period_once(app, fake):
    from tests.concurrency import race

    job, body = fake()
    db.session.commit()
    clock = lambda: bj("2027-02-01", 0, 30)  # noqa: E731
    race(app, [lambda: scheduler.tick(db.session, clock)] * 8, workers=8)
    assert len(body.calls) == 1
    assert db.session.scalar(select(func.count(JobRun.id))) == 1
