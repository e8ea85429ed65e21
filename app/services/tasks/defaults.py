"""The default tasks a fresh database starts with (operators edit them in the console)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MemberDay, TaskRule

TASKS = [
    # code, points, monthly max (0 = no count limit), sort
    ("first_redemption", 30, 0, 1),
    ("share_gift", 5, 6, 2),
    ("review_gift", 20, 3, 3),
    ("birthday", 100, 0, 9),  # an occasion, not a behaviour task: outside the monthly cap
]


def seed_tasks(session: Session) -> None:
    """Insert whatever default task rule is missing, and the (switched off) member day."""
    have = set(session.scalars(select(TaskRule.code)))
    session.add_all(
        TaskRule(code=code, points=points, monthly_max=most, sort=sort)
        for code, points, most, sort in TASKS
        if code not in have
    )
    if session.get(MemberDay, 1) is None:
        session.add(MemberDay(id=1, kind="weekly", day=2, enabled=False))
