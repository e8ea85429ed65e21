"""The optional cap on the points the brand issues per brand-local month.

Usage is the sum of this month's credits (`earn` transactions, every source; a refund does not
give room back). While a cap is set, earning locks the cap's settings row after the member's
row (the order every writer uses), so two credits at once can never both fit the last room.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import EarningSetting, PointTransaction
from app.services.points.ledger import LedgerError
from app.services.points.rules import rules_at
from app.timeutil import month_bounds

CAP_KEY = "monthly_issue_cap"
UNCAPPED = 2**31 - 1


class IssueCapReached(LedgerError):
    """The brand's monthly points cap leaves too little room for this credit."""

    def __init__(self, points: int, room: int, cap: int):
        super().__init__(f"{points} points asked, {room} left of this month's cap of {cap}")
        self.points, self.room, self.cap = points, room, cap


def cap_at(session: Session, now: datetime) -> int:
    """The cap in force (0 = none)."""
    return rules_at(session, now).setting(CAP_KEY)


def used(session: Session, now: datetime) -> int:
    """Points credited in the brand-local month of `now`."""
    start, end = month_bounds(now)
    return int(
        session.scalar(
            select(func.coalesce(func.sum(PointTransaction.points), 0)).where(
                PointTransaction.kind == "earn",
                PointTransaction.created_at >= start,
                PointTransaction.created_at < end,
            )
        )
    )


def room(session: Session, now: datetime) -> int:
    """Points that may still be credited this month (locks the cap while one is set)."""
    cap = cap_at(session, now)
    if not cap:
        return UNCAPPED
    session.execute(
        select(EarningSetting.key).where(EarningSetting.key == CAP_KEY).with_for_update()
    ).all()
    return max(cap - used(session, now), 0)


def require(session: Session, points: int, now: datetime) -> None:
    """Refuse a credit of `points` that the cap has no room for (IssueCapReached)."""
    if points <= 0:
        return
    left = room(session, now)
    if left < points:
        raise IssueCapReached(points, left, cap_at(session, now))
