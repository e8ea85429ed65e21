"""Ledger reads: available, pending and expiring points (the writes are in ledger.py)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import HeldLot, PointLot
from app.timeutil import last_valid_day


@dataclass(frozen=True)
class Expiring:
    """Points that stop being usable after `last_day` (brand-local)."""

    points: int
    last_day: date


def usable(now: datetime):
    """The condition for a lot that has not expired at `now`."""
    return or_(PointLot.expires_at.is_(None), PointLot.expires_at > now)


def balance(session: Session, member_id: int, now: datetime) -> int:
    """Available points: what remains on lots that are available and unexpired now."""
    stmt = select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.member_id == member_id,
        PointLot.remaining > 0,
        PointLot.available_at <= now,
        usable(now),
    )
    return int(session.scalar(stmt))


def pending(session: Session, member_id: int, now: datetime) -> int:
    """Points credited but not yet available (pending period)."""
    stmt = select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.member_id == member_id, PointLot.remaining > 0, PointLot.available_at > now
    )
    return int(session.scalar(stmt))


def held(session: Session, member_id: int, ref: str | None = None) -> int:
    """Points credited while the member was frozen and not yet released (of one `ref`, if given);
    they are part of `pending` until then."""
    stmt = (
        select(func.coalesce(func.sum(PointLot.remaining), 0))
        .join(HeldLot, HeldLot.lot_id == PointLot.id)
        .where(HeldLot.member_id == member_id, HeldLot.released_at.is_(None))
    )
    if ref is not None:
        stmt = stmt.where(PointLot.ref == ref)
    return int(session.scalar(stmt))


def expiring(session: Session, member_id: int, now: datetime, days: int = 30) -> list[Expiring]:
    """Available points expiring within `days`, grouped by their last usable local day."""
    stmt = (
        select(PointLot.expires_at, PointLot.remaining)
        .where(
            PointLot.member_id == member_id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            PointLot.expires_at > now,
            PointLot.expires_at <= now + timedelta(days=days),
        )
        .order_by(PointLot.expires_at)
    )
    totals: dict[date, int] = {}
    for expires_at, remaining in session.execute(stmt):
        day = last_valid_day(expires_at)
        totals[day] = totals.get(day, 0) + remaining
    return [Expiring(points, day) for day, points in totals.items()]
