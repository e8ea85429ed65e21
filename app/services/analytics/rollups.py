"""The rollups job: sums the ledger's new transactions into points_daily, a batch of ids at a
time, behind a cursor (app/models/rollups.py). Idempotent and resumable: a batch's upsert and
the cursor's move are one transaction, so a batch is counted once whether the job stops before
or after it. Its first run is the backfill of an existing database.

PostgreSQL may commit a lower id after a higher one. So the job reads up to a watermark: the
highest id visible when it last looked, once every transaction of this database then in
progress has finished — after that no id up to it can still appear.
SQLite has one writer at a time: ids commit in order, the watermark is the highest id.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import PointsDaily, PointTransaction, RollupCursor
from app.services.analytics.facts import FIGURES, KEYS, grouped

NAME = "point_txns"
STEP = 250_000  # ids per batch (a transaction of its own)
SNAPSHOT = text(
    "SELECT (SELECT max(id) FROM point_txns), pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
)
# no transaction of this database that was in progress at the look is still in progress
# (the cluster-wide xmin would wait on every other database's long transactions too)
SETTLED = text(
    "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
    " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
    " AND age(backend_xid) >= age((:xmax % 4294967296)::text::xid))"
)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def cursor(session: Session) -> RollupCursor:
    """The cursor over point_txns (every id up to `position` is rolled up); made at 0."""
    row = session.get(RollupCursor, NAME)
    if row is None:
        row = RollupCursor(name=NAME, position=0, pending_upto=0, pending_xmax=0)
        session.add(row)
        session.flush()
    return row


def position(session: Session) -> int:
    """Every transaction id up to this is in points_daily (0 before the first run)."""
    stmt = select(RollupCursor.position).where(RollupCursor.name == NAME)
    return session.scalar(stmt) or 0


def roll(session: Session, upto: int) -> int:
    """Sum the next batch of ids (after the cursor, up to `upto`) into points_daily and move
    the cursor past it; the ids covered (0 when there is nothing to do)."""
    row = cursor(session)
    low, high = row.position, min(upto, row.position + STEP)
    if high <= low:
        return 0
    T = PointTransaction
    rows = grouped(session, T.id > low, T.id <= high)
    table = PointsDaily.__table__
    insert = pg_insert if _postgres(session) else sqlite_insert
    stmt = insert(table).from_select([*KEYS, *FIGURES], rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in KEYS],
        set_={k: table.c[k] + stmt.excluded[k] for k in FIGURES},
    )
    session.execute(stmt)
    row.position = high
    session.flush()
    return high - low


def _watermark(session: Session) -> int:
    """The highest id the job may roll up to now (PostgreSQL: the settled watermark)."""
    if not _postgres(session):
        return session.scalar(select(func.max(PointTransaction.id))) or 0
    row = cursor(session)
    if row.pending_upto and session.scalar(SETTLED, {"xmax": row.pending_xmax}):
        return row.pending_upto
    return row.position


def _look(session: Session) -> None:
    """PostgreSQL: note the highest visible id and the snapshot's xmax for the next read."""
    row = cursor(session)
    upto, xmax = session.execute(SNAPSHOT).one()
    if upto and upto > row.pending_upto:
        row.pending_upto, row.pending_xmax = upto, xmax


def _roll_all(session: Session) -> Iterator[int]:
    upto = _watermark(session)
    while done := roll(session, upto):
        yield done


def run(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """The rollups job (each yield is committed by the scheduler): roll up to the watermark,
    look again, and roll again if the look has settled at once (nothing else in flight)."""
    yield from _roll_all(session)
    if _postgres(session):
        _look(session)
        yield 0
        yield from _roll_all(session)
