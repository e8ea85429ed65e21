"""The points clearing's ledger write (积分清零): set-based and idempotent, like expiry.

Every lot earned before a brand-local day that still holds points and has not expired is
emptied: one `clear` transaction per member (key `clear:<clearing>:<member>`), one entry per
lot. What `touched` counts is exactly what `clear` takes at the same instant; running it
again takes only what came back since.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, and_, cast, func, literal, null, select
from sqlalchemy.orm import Session

from app.models import LedgerEntry, PointClearing, PointLot, PointTransaction
from app.models.types import UTCDateTime
from app.services.points.balances import usable
from app.services.points.expiry import insert_txns, lock_due, take_lots
from app.timeutil import local_midnight


@dataclass(frozen=True)
class Notice:
    """What a member is told ahead of a clearing."""

    run_on: date
    earned_before: date
    points: int


@dataclass(frozen=True)
class Touched:
    """How many members and points a clearing takes."""

    members: int
    points: int


def _due(earned_before: date, now: datetime):
    return and_(
        PointLot.remaining > 0,
        PointLot.earned_at < local_midnight(earned_before),
        usable(now),  # expired lots are the expiry job's
    )


def touched(session: Session, earned_before: date, now: datetime, *, member_id=None) -> Touched:
    """Members and points a clearing of points earned before that day would take now."""
    stmt = select(
        func.count(func.distinct(PointLot.member_id)),
        func.coalesce(func.sum(PointLot.remaining), 0),
    ).where(_due(earned_before, now))
    if member_id is not None:
        stmt = stmt.where(PointLot.member_id == member_id)
    members, points = session.execute(stmt).one()
    return Touched(int(members), int(points))


def clear(session: Session, clearing_id: int, earned_before: date, *, now: datetime) -> Touched:
    """Empty every due lot through the ledger; a second run finds nothing left to take."""
    due = _due(earned_before, now)
    lock_due(session, due)
    result = touched(session, earned_before, now)
    key = _member_key(clearing_id)
    stamp = literal(now, UTCDateTime)
    per_member = (
        select(
            PointLot.member_id,
            literal("clear"),
            null(),
            -func.sum(PointLot.remaining),
            literal(0),
            key,
            literal(f"clearing:{clearing_id}"),
            literal("clearing"),
            stamp,
        )
        .where(due)
        .group_by(PointLot.member_id)
    )
    txn_ids = insert_txns(session, per_member)
    entry_key = PointTransaction.idem_key + literal("#") + cast(PointLot.id, String)
    if txn_ids:
        take_lots(session, due, key, entry_key, stamp, txn_ids)
    return result


def _member_key(clearing_id: int):
    """The idempotency key of a member's clearing transaction, as SQL.

    The member's entry count is in the key: points restored onto a cleared lot later (a refunded
    spend) are cleared by a re-run under a new key, and nothing is ever cleared twice."""
    entry_count = (
        select(func.count(LedgerEntry.id))
        .where(LedgerEntry.member_id == PointLot.member_id)
        .scalar_subquery()
    )
    return (
        literal(f"clear:{clearing_id}:")
        + cast(PointLot.member_id, String)
        + literal(":")
        + cast(entry_count, String)
    )


def notice_for(session: Session, member_id: int, now: datetime) -> Notice | None:
    """The next approved clearing that would take some of this member's points."""
    for item in session.scalars(
        select(PointClearing)
        .where(PointClearing.status == "approved")
        .order_by(PointClearing.run_on)
    ):
        points = touched(session, item.earned_before, now, member_id=member_id).points
        if points:
            return Notice(item.run_on, item.earned_before, points)
    return None
