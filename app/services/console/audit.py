"""The console's audit trail: one append-only row per operator write, and its search."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, StaffAction, User


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed: (their old values, their new values)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    session: Session,
    actor: User,
    action: str,
    target_type: str,
    target_id: object = "",
    *,
    now: datetime,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    member_id: int | None = None,
) -> AuditEntry:
    """Append one audit row (the caller's transaction commits it with the change itself)."""
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        member_id=member_id,
        summary=summary[:200],
        before=before,
        after=after,
        reason=reason[:200],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the audit viewer narrows to; every field optional."""

    actor: str = ""  # staff ID
    action: str = ""  # prefix, e.g. "gift" or "gift.update"
    member_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _narrow(stmt: Select, model, actor_column, f: AuditFilter) -> Select:
    if f.actor:
        stmt = stmt.join(User, User.id == actor_column).where(User.staff_id == f.actor)
    if f.member_id:
        stmt = stmt.where(model.member_id == f.member_id)
    if f.since:
        stmt = stmt.where(model.at >= f.since)
    if f.until:
        stmt = stmt.where(model.at < f.until)
    return stmt


def console_query(f: AuditFilter) -> Select:
    """Console writes matching the filter, newest first."""
    stmt = _narrow(select(AuditEntry), AuditEntry, AuditEntry.actor_id, f)
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def counter_query(f: AuditFilter) -> Select:
    """The advisors' staff log matching the filter, newest first."""
    stmt = _narrow(select(StaffAction), StaffAction, StaffAction.user_id, f)
    if f.action:
        stmt = stmt.where(StaffAction.action.startswith(f.action))
    return stmt.order_by(StaffAction.at.desc(), StaffAction.id.desc())
