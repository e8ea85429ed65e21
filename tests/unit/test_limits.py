"""Rate counters: fixed windows, atomic across workers, in the database or in Redis."""

from datetime import timedelta

import pytest
import redis

from app.extensions import db
from app.services.limits import counters
from tests.concurrency import race

WINDOW = timedelta(minutes=15)


@pytest.fixture(params=["database", "redis"])
def backend(request, app):
    """Each test runs against the database counters and against Redis (db 15, emptied)."""
    app.config["REDIS_URL"] = ""  # the database, even when the suite runs with REDIS_URL set
    if request.param == "redis":
        app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    yield request.param
    app.config["REDIS_URL"] = ""


@pytest.fixture
def database_counters(app):
    """The database counters (pruning is theirs), even when the suite runs with REDIS_URL."""
    app.config["REDIS_URL"] = ""


def test_hits_up_to_the_limit_are_allowed_then_refused_until_the_window_ends(backend, session, now):
    verdicts = [counters.hit(session, "login:x", 3, WINDOW, now) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    start = counters.window_start(now, WINDOW)
    assert verdicts[-1].retry_after == int((start + WINDOW - now).total_seconds())
    later = start + WINDOW
    assert counters.hit(session, "login:x", 3, WINDOW, later).allowed
    assert counters.peek(session, "login:x", WINDOW, later) == 1
    assert counters.peek(session, "login:y", WINDOW, later) == 0


def test_keys_count_separately(backend, session, now):
    for _ in range(3):
        counters.hit(session, "a", 3, WINDOW, now)
    assert counters.hit(session, "b", 3, WINDOW, now).count == 1
    assert not counters.hit(session, "a", 3, WINDOW, now).allowed


def test_prune_drops_old_database_windows(database_counters, session, now):
    counters.hit(session, "old", 3, WINDOW, now - timedelta(days=3))
    counters.hit(session, "new", 3, WINDOW, now)
    assert counters.prune(session, now) == 1
    assert counters.peek(session, "new", WINDOW, now) == 1


def test_prune_keeps_a_flash_events_refusal_tallies(database_counters, session, now):
    tally, old = timedelta(days=30), now - timedelta(days=90)
    counters.hit(session, "flash:7:refused:sold_out", 10**9, tally, old)
    counters.hit(session, "login:1.2.3.4", 3, WINDOW, old)
    assert counters.prune(session, now) == 1
    assert counters.peek(session, "flash:7:refused:sold_out", tally, old) == 1


@pytest.mark.postgres
def test_parallel_hits_never_all_pass(app, backend, now):
    db.session.commit()
    allowed = []

    def attempt():
        allowed.append(counters.hit(db.session, "burst", 10, WINDOW, now).allowed)

    race(app, [attempt] * 24, workers=24)
    assert sorted(allowed).count(True) == 10
    assert counters.peek(db.session, "burst", WINDOW, now) == 24
