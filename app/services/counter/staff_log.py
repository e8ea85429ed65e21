"""The advisors' audit log: every counter action, successful or not."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import StaffAction, User


def record(
    session: Session,
    staff: User,
    action: str,
    *,
    result: str,
    now: datetime,
    member_id: int | None = None,
    target: str = "",
    **detail,
) -> StaffAction:
    """Append one line: who, which store, when, what, which member, the result."""
    entry = StaffAction(
        user_id=staff.id,
        store_id=staff.store_id,
        action=action,
        member_id=member_id,
        target=target[:80],
        result=result[:24],
        detail=detail,
        at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def recent(session: Session, store_id: int, limit: int = 20) -> list[StaffAction]:
    """The store's latest actions, newest first."""
    return list(
        session.scalars(
            select(StaffAction)
            .where(StaffAction.store_id == store_id)
            .order_by(StaffAction.id.desc())
            .limit(limit)
        )
    )
