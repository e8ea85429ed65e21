"""How 'for you' does against the plain shelves: impressions, clicks and redemptions per day.

Counting costs a page view no SQL statement: with REDIS_URL a count is one HINCRBY on the day's
hash; without, it adds to this process's tally, which the process itself writes out a minute
after its first count (a timer thread: one upsert per day and kind, on a connection of its own;
what a process counted in its last minute is lost if it is killed). The `shelf-stats` job
copies the Redis hashes of today and yesterday into `shelf_daily` (keeping the larger figure,
so a re-run or a second scheduler changes nothing) and writes out its own process's tally.

- impression: a home page shown with the kind of shelf on it (the for-you shelf with a card at
  least; for plain shelves, each shelf with cards on the page counts one);
- click: a gift page opened from a shelf's link (`?via=for_you` / `?via=shelf`);
- redemption: an order placed from a gift page opened that way (the form carries `via`).
"""

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app import cache
from app.extensions import db
from app.models import ShelfDaily
from app.timeutil import local_date

log = logging.getLogger("pointsmall.shelf_stats")
VIAS = ("for_you", "shelf")
METRICS = ("impressions", "clicks", "redemptions")
FLUSH_SECONDS = 60  # a process writes its tally out this long after its first count
FLUSH_TRIES = 5  # then the counts wait for the timer the next count starts
TALLY_TTL = 3 * 86400  # a day's Redis hash outlives the job's two-day look-back
WINDOW_DAYS = 30
_lock = threading.Lock()


def _tally() -> dict:
    """This app's in-process tally: {"counts": {(day, via, metric): n}, "timer": pending?}."""
    return current_app.extensions.setdefault(
        "pointsmall.shelf_tally", {"counts": {}, "timer": False}
    )


def count(via: str, metric: str, now: datetime, by: int = 1) -> None:
    """Count `by` of `metric` for shelves of kind `via` (anything else is ignored)."""
    if via not in VIAS or metric not in METRICS or by <= 0:
        return
    day = local_date(now)
    client = cache.redis_client()
    if client is not None:
        name = cache.key(f"tally:shelf:{day.isoformat()}")
        pipe = client.pipeline()
        pipe.hincrby(name, f"{via}:{metric}", by)
        pipe.expire(name, TALLY_TTL)
        pipe.execute()
        return
    tally = _tally()
    # no write pending: write them all out in a minute (tests flush by the job instead, so no
    # thread outlives the test that counted)
    with _lock:
        tally["counts"][(day, via, metric)] = tally["counts"].get((day, via, metric), 0) + by
        start = not tally["timer"] and not current_app.testing
        tally["timer"] = tally["timer"] or start
    if start:
        _later(current_app._get_current_object(), FLUSH_TRIES)


def _later(app, tries: int) -> None:
    """Write this process's tally out in FLUSH_SECONDS, on a daemon timer thread."""
    timer = threading.Timer(FLUSH_SECONDS, _flush_later, (app, tries - 1))
    timer.daemon = True
    timer.start()


def _flush_later(app, tries: int) -> None:
    with app.app_context():
        if not _flush_apart() and tries > 0:
            _later(app, tries)  # the database was busy: try again in a minute
            return
        with _lock:
            _tally()["timer"] = False  # the next count starts the next timer


def _take() -> dict:
    """This process's tally, emptied (put it back with `_give_back` if writing it fails)."""
    tally = _tally()
    with _lock:
        counts, tally["counts"] = tally["counts"], {}
    return counts


def _give_back(counts: dict) -> None:
    tally = _tally()
    with _lock:
        for k, n in counts.items():
            tally["counts"][k] = tally["counts"].get(k, 0) + n


def _rows(counts: dict) -> list[dict]:
    rows: dict = {}
    for (day, via, metric), n in counts.items():
        row = rows.setdefault((day, via), {"day": day, "via": via} | dict.fromkeys(METRICS, 0))
        row[metric] += n
    return list(rows.values())


def _upsert(conn, rows: list[dict], add: bool) -> None:
    """Write day rows: adding to what is there (`add`) or keeping the larger figure."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    table = ShelfDaily.__table__
    for row in rows:
        stmt = insert(table).values(**row)
        new = stmt.excluded
        if add:
            update = {m: table.c[m] + new[m] for m in METRICS}
        else:
            update = {m: case((new[m] > table.c[m], new[m]), else_=table.c[m]) for m in METRICS}
        conn.execute(stmt.on_conflict_do_update(index_elements=["day", "via"], set_=update))


def _flush_apart() -> bool:
    """Write this process's tally out in a transaction of its own; whether it was written."""
    counts = _take()
    if not counts:
        return True
    try:
        with db.engine.begin() as conn:
            _upsert(conn, _rows(counts), add=True)
    except Exception:  # a busy (or gone) database: the counts wait for the next try
        _give_back(counts)
        log.warning("shelf tally not written yet", exc_info=True)
        return False
    return True


def flush(session: Session, now: datetime) -> int:
    """Write this process's tally and the Redis hashes of today and yesterday into
    `shelf_daily` (the caller commits); the day rows touched."""
    counts = _take()
    rows = _rows(counts)
    _upsert(session.connection(), rows, add=True)
    synced = _from_redis(now)
    _upsert(session.connection(), synced, add=False)
    return len(rows) + len(synced)


def _from_redis(now: datetime) -> list[dict]:
    client = cache.redis_client()
    if client is None:
        return []
    rows = []
    today = local_date(now)
    for day in (today - timedelta(days=1), today):
        found = client.hgetall(cache.key(f"tally:shelf:{day.isoformat()}"))
        counts = {}
        for field, value in found.items():
            via, metric = field.decode().split(":", 1)
            if via in VIAS and metric in METRICS:
                counts[(day, via, metric)] = int(value)
        rows += _rows(counts)
    return rows


def run(session: Session, period_start: datetime, now: datetime):
    """The shelf-stats job: one batch."""
    yield flush(session, now)


@dataclass(frozen=True)
class Figures:
    """One kind of shelf over the window, and its two rates in tenths of a percent."""

    via: str
    impressions: int
    clicks: int
    redemptions: int

    @property
    def click_through(self) -> int | None:
        """Clicks ÷ impressions, in tenths of a percent (None without impressions)."""
        return _tenths(self.clicks, self.impressions)

    @property
    def redemption_rate(self) -> int | None:
        """Redemptions ÷ clicks, in tenths of a percent (None without clicks)."""
        return _tenths(self.redemptions, self.clicks)


def _tenths(part: int, whole: int) -> int | None:
    return (part * 1000 + whole // 2) // whole if whole else None


def window(now: datetime) -> tuple[date, date]:
    """The last 30 brand-local days, today included: first and last day."""
    today = local_date(now)
    return today - timedelta(days=WINDOW_DAYS - 1), today


def figures(session: Session, now: datetime) -> list[Figures]:
    """'For you' and the plain shelves over the window (this process's unwritten tally too)."""
    first, last = window(now)
    sums = {via: dict.fromkeys(METRICS, 0) for via in VIAS}
    stmt = (
        select(ShelfDaily.via, *(func.sum(getattr(ShelfDaily, m)) for m in METRICS))
        .where(ShelfDaily.day >= first, ShelfDaily.day <= last)
        .group_by(ShelfDaily.via)
    )
    for via, *values in session.execute(stmt).tuples():
        sums[via] = dict(zip(METRICS, (int(v or 0) for v in values), strict=True))
    with _lock:
        pending = dict(_tally()["counts"])
    for (day, via, metric), n in pending.items():
        if first <= day <= last:
            sums[via][metric] += n
    return [Figures(via, **sums[via]) for via in VIAS]
