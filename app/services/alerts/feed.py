"""What the rules read, kept up incrementally: the alerts job reads each source table's new rows
since its cursor (a batch at a time; the cursor moves in the same transaction as the counts, so
nothing is counted twice) into per-day tallies and observations.

- point_txns: points credited per member per day (not operators' adjustments), and purchase
  points per store per day (and per member at the store);
- pos_orders: a referred member's first order (what the referral rules read: its amount, and
  whether the referrers form a ring);
- staff_actions: counter purchases per advisor per day (count, amount, per member);
- orders: every redemption, with the age of the member's account.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import takewhile

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import (
    AlertCursor,
    AlertObservation,
    AlertTally,
    Member,
    Order,
    PointTransaction,
    PosOrder,
    StaffAction,
    Store,
)
from app.services.alerts import referrals
from app.services.alerts.settings import KEEP_DAYS, everything
from app.timeutil import local_date

BATCH = 5_000
# PostgreSQL may commit a lower id after a higher one: read only rows this old, so a straggler
# still in flight is not skipped. SQLite has one writer at a time: ids commit in order.
LAG = {"postgresql": timedelta(minutes=2)}
METRICS = ("member_points", "store_points", "store_member", "advisor_purchases", "advisor_member")
KINDS = ("signup_ip", "signup_device", "referral", "redemption")
UNWATCHED_SOURCES = ("adjustment",)  # operators' adjustments are approved and audited already


@dataclass(frozen=True)
class Source:
    """A table the job reads: its rows' id and time columns, the columns read, what to do."""

    name: str
    id: object
    at: object
    columns: tuple
    handle: Callable[[Session, list, datetime], None]


def _tally(session: Session, totals: dict) -> None:
    """Add (metric, subject, day) → [value, count] to the tallies in one upsert statement."""
    if not totals:
        return
    table = AlertTally.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.metric, table.c.subject, table.c.day],
        set_={
            "value": table.c.value + stmt.excluded.value,
            "count": table.c.count + stmt.excluded.count,
        },
    )
    rows = [
        {"metric": m, "subject": s[:64], "day": d, "value": v, "count": c}
        for (m, s, d), (v, c) in totals.items()
    ]
    session.execute(stmt, rows)


def _counts():
    return defaultdict(lambda: [0, 0])


def _add(totals: dict, key: tuple, value: int) -> None:
    totals[key][0] += value
    totals[key][1] += 1


def _stores(session: Session, rows: list) -> dict[str, str]:
    """The store of each purchase credit's order (its ref is "order:<order_no>")."""
    numbers = {r.ref[6:] for r in rows if r.source == "purchase" and r.ref.startswith("order:")}
    if not numbers:
        return {}
    stmt = select(PosOrder.order_no, PosOrder.store_code).where(PosOrder.order_no.in_(numbers))
    return {f"order:{no}": store for no, store in session.execute(stmt)}


def _txns(session: Session, rows: list, now: datetime) -> None:
    totals, stores = _counts(), _stores(session, rows)
    for r in rows:
        if r.kind != "earn" or r.points <= 0 or r.source in UNWATCHED_SOURCES:
            continue
        day = local_date(r.created_at)
        _add(totals, ("member_points", str(r.member_id), day), r.points)
        if store := stores.get(r.ref):
            _add(totals, ("store_points", store, day), r.points)
            _add(totals, ("store_member", f"{store}:{r.member_id}", day), r.points)
    _tally(session, totals)


def _pos_orders(session: Session, rows: list, now: datetime) -> None:
    referrals.observe_first_orders(session, rows, now)


def _staff_actions(session: Session, rows: list, now: datetime) -> None:
    purchases = [r for r in rows if r.action == "purchase" and r.result == "ok"]
    if not purchases:
        return
    codes = dict(session.execute(select(Store.id, Store.code)).all())
    numbers = {r.id: f"{codes.get(r.store_id, '')}-{r.target}" for r in purchases}
    paid = dict(
        session.execute(
            select(PosOrder.order_no, PosOrder.paid_fen).where(
                PosOrder.order_no.in_(set(numbers.values()))
            )
        ).all()
    )
    totals = _counts()
    for r in purchases:
        day, fen = local_date(r.at), paid.get(numbers[r.id], 0)
        _add(totals, ("advisor_purchases", str(r.user_id), day), fen)
        _add(totals, ("advisor_member", f"{r.user_id}:{r.member_id}", day), fen)
    _tally(session, totals)


def _orders(session: Session, rows: list, now: datetime) -> None:
    ids = {r.member_id for r in rows}
    stmt = select(Member.id, Member.created_at).where(Member.id.in_(ids))
    joined = dict(session.execute(stmt).all())
    session.add_all(
        AlertObservation(
            kind="redemption",
            subject=str(r.gift_id),
            member_id=r.member_id,
            ref=str(r.id),
            value=max(0, (r.created_at - joined[r.member_id]).days),
            at=r.created_at,
        )
        for r in rows
    )


T, P, S, R = PointTransaction, PosOrder, StaffAction, Order
SOURCES = (
    Source(
        "point_txns", T.id, T.created_at, (T.member_id, T.kind, T.source, T.points, T.ref), _txns
    ),
    Source("pos_orders", P.id, P.created_at, (P.member_id, P.paid_fen, P.order_no), _pos_orders),
    Source(
        "staff_actions",
        S.id,
        S.at,
        (S.user_id, S.store_id, S.action, S.result, S.member_id, S.target),
        _staff_actions,
    ),
    Source("orders", R.id, R.created_at, (R.member_id, R.gift_id), _orders),
)


def backfill_days(session: Session) -> int:
    """How far back a first run reads: the longest baseline or window in force, and a day."""
    spans = [v for s in everything(session).values() for k, v in s.items() if k.endswith("_days")]
    return min(KEEP_DAYS, max(spans, default=28) + 1)


def _cursor(session: Session, source: Source, now: datetime) -> AlertCursor:
    """The source's cursor; a first run starts at the rows of the backfill span."""
    cursor = session.get(AlertCursor, source.name)
    if cursor is None:
        since = now - timedelta(days=backfill_days(session))
        first = session.scalar(select(func.min(source.id)).where(source.at >= since))
        start = first - 1 if first is not None else session.scalar(select(func.max(source.id)))
        cursor = AlertCursor(name=source.name, position=start or 0)
        session.add(cursor)
        session.flush()
    return cursor


def read_batch(session: Session, source: Source, now: datetime) -> int:
    """Read the next batch of one source (the caller commits); how many rows were read."""
    cursor = _cursor(session, source, now)
    stmt = select(source.id, source.at, *source.columns).where(source.id > cursor.position)
    rows = session.execute(stmt.order_by(source.id).limit(BATCH)).all()
    if (lag := LAG.get(session.get_bind().dialect.name)) is not None:
        rows = list(takewhile(lambda r: r[1] <= now - lag, rows))  # stop at a young row
    if not rows:
        return 0
    cursor.position = rows[-1][0]
    source.handle(session, rows, now)
    return len(rows)


def prune(session: Session, now: datetime) -> int:
    """Tallies and observations older than every window; how many went."""
    day, since = local_date(now) - timedelta(days=KEEP_DAYS), now - timedelta(days=KEEP_DAYS)
    tallies = delete(AlertTally).where(AlertTally.metric.in_(METRICS), AlertTally.day < day)
    old = delete(AlertObservation).where(
        AlertObservation.kind.in_(KINDS), AlertObservation.at < since
    )  # both by their (kind, time) index
    return session.execute(tallies).rowcount + session.execute(old).rowcount
