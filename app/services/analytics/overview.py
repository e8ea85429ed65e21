"""Points analytics for operators (the full dashboards come with the console issue)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Member, PointTransaction


@dataclass(frozen=True)
class Totals:
    """Issued, consumed and expired points, and the member count."""

    members: int
    issued: int
    consumed: int
    expired: int


def totals(session: Session, now: datetime) -> Totals:
    """Lifetime totals of the ledger."""
    kind = PointTransaction.kind
    pts = PointTransaction.points
    row = session.execute(
        select(
            func.coalesce(func.sum(case((kind == "earn", pts), else_=0)), 0),
            func.coalesce(func.sum(case((kind.in_(("spend", "redeem")), -pts), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "expire", -pts), else_=0)), 0),
        )
    ).one()
    return Totals(session.scalar(select(func.count(Member.id))), *map(int, row))
