"""Count a hit and say whether it is within the limit, atomically, across workers.

A window is fixed (e.g. 15 minutes aligned on the epoch): the count of `key` in the current
window is incremented in one statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING` on the
database, `INCR` + `EXPIRE` on Redis), so parallel requests can never all see "under the limit".
With `REDIS_URL` set the counters live in Redis; otherwise in the `rate_counters` table, and the
caller commits (ideally in a short transaction of its own, before the slow work it guards).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app import cache
from app.models import RateCounter


@dataclass(frozen=True)
class Verdict:
    """The count after this hit, whether it is allowed, and how long until the window resets."""

    count: int
    allowed: bool
    retry_after: int  # seconds


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window containing `now`."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def _db_increment(session: Session, key: str, start: datetime, by: int) -> int:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RateCounter).values(key=key, window_start=start, count=by)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateCounter.key, RateCounter.window_start],
        set_={"count": RateCounter.count + by},
    ).returning(RateCounter.count)
    return int(session.execute(stmt).scalar_one())


def _increment(session: Session, key: str, start: datetime, window: timedelta, by: int) -> int:
    client = cache.redis_client()
    if client is None:
        return _db_increment(session, key, start, by)
    name = cache.key(f"rate:{key}:{int(start.timestamp())}")
    pipe = client.pipeline()
    pipe.incrby(name, by)
    pipe.expire(name, int(window.total_seconds()) + 60)
    return int(pipe.execute()[0])


def hit(
    session: Session, key: str, limit: int, window: timedelta, now: datetime, by: int = 1
) -> Verdict:
    """Count one hit of `key`; allowed while the window's count stays at or under `limit`."""
    start = window_start(now, window)
    count = _increment(session, key, start, window, by)
    retry = max(1, int((start + window - now).total_seconds()))
    return Verdict(count, count <= limit, retry)


def peek(session: Session, key: str, window: timedelta, now: datetime) -> int:
    """The current window's count of `key`, without counting."""
    start = window_start(now, window)
    client = cache.redis_client()
    if client is not None:
        return int(client.get(cache.key(f"rate:{key}:{int(start.timestamp())}")) or 0)
    row = session.get(RateCounter, (key, start))
    return row.count if row else 0


# Counters that are records, not limits: a flash event's refusal tallies (one row per event and
# reason, so they stay few) are what its monitor shows after the event, and are never pruned.
KEPT_PREFIXES = ("flash:",)


def prune(session: Session, now: datetime, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete database rate-limit windows long past (never the kept tallies); how many went."""
    stmt = delete(RateCounter).where(RateCounter.window_start < now - older_than)
    for prefix in KEPT_PREFIXES:
        stmt = stmt.where(RateCounter.key.not_like(f"{prefix}%"))
    return session.execute(stmt).rowcount
