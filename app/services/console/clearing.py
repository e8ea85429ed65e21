"""Points clearing (积分清零) as operators run it: request with a preview, a second operator's
approval, members told on /me, then the run through the ledger on or after its day."""

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import PointClearing, User
from app.services.console import audit
from app.services.errors import DomainError
from app.services.points import clearing
from app.services.points.clearing import Notice, Touched, notice_for
from app.timeutil import local_date, local_midnight

OPEN = ("requested", "approved")
__all__ = ["ClearingError", "Notice", "notice_for"]


class ClearingError(DomainError):
    """The clearing cannot be requested, approved, cancelled or run; `code` says why."""


def preview(session: Session, earned_before: date, now: datetime) -> Touched:
    """How many members and points a clearing would take if it ran now."""
    return clearing.touched(session, earned_before, now)


def _locked(session: Session, clearing_id: int) -> PointClearing:
    found = session.scalar(
        select(PointClearing)
        .where(PointClearing.id == clearing_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise ClearingError("not_found")
    return found


def _audit(session, actor, action, item: PointClearing, now, summary="", reason=""):
    audit.record(
        session,
        actor,
        action,
        "point_clearing",
        item.id,
        now=now,
        reason=reason,
        summary=summary or f"points earned before {item.earned_before}, cleared on {item.run_on}",
        after={"status": item.status},
    )


def request(
    session: Session, actor: User, *, earned_before: date, run_on: date, note: str, now: datetime
) -> PointClearing:
    """Schedule a clearing from a later day (members are told in advance), for approval."""
    if run_on <= local_date(now):
        raise ClearingError("run_on_ahead")
    if earned_before > run_on:
        raise ClearingError("dates")
    touched = preview(session, earned_before, now)
    item = PointClearing(
        earned_before=earned_before,
        run_on=run_on,
        note=note[:200],
        requested_by_id=actor.id,
        requested_at=now,
        preview_members=touched.members,
        preview_points=touched.points,
    )
    session.add(item)
    session.flush()
    summary = (
        f"before {earned_before}, on {run_on}: {touched.members} members, {touched.points} points"
    )
    _audit(session, actor, "rule.clearing.request", item, now, summary, note)
    return item


def approve(session: Session, actor: User, clearing_id: int, *, now: datetime) -> PointClearing:
    """The second operator's approval (never the requester's own)."""
    item = _locked(session, clearing_id)
    if item.status != "requested":
        raise ClearingError("not_requested")
    if item.requested_by_id == actor.id:
        raise ClearingError("same_operator")
    if local_midnight(item.run_on) <= now:
        raise ClearingError("run_on_ahead")  # members would not be told in advance
    item.status, item.approved_by_id, item.approved_at = "approved", actor.id, now
    session.flush()
    _audit(session, actor, "rule.clearing.approve", item, now)
    return item


def cancel(session: Session, actor: User, clearing_id: int, *, now: datetime) -> PointClearing:
    """Call off a clearing that has not run."""
    item = _locked(session, clearing_id)
    if item.status not in OPEN:
        raise ClearingError("not_open")
    item.status, item.closed_at = "cancelled", now
    session.flush()
    _audit(session, actor, "rule.clearing.cancel", item, now)
    return item


def run(session: Session, clearing_id: int, *, now: datetime) -> Touched:
    """Run an approved clearing whose day has come, once."""
    item = _locked(session, clearing_id)
    if item.status == "done":
        raise ClearingError("done")
    if item.status != "approved":
        raise ClearingError("not_approved")
    if now < local_midnight(item.run_on):
        raise ClearingError("not_due")
    touched = clearing.clear(session, item.id, item.earned_before, now=now)
    item = session.get(PointClearing, clearing_id)
    item.status, item.closed_at = "done", now
    item.cleared_members, item.cleared_points = touched.members, touched.points
    session.flush()
    summary = f"cleared {touched.points} points of {touched.members} members"
    _audit(session, item.approved_by, "rule.clearing.run", item, now, summary)
    return touched


def run_due(session: Session, now: datetime) -> list[tuple[PointClearing, Touched]]:
    """Run every approved clearing whose day has come (what `flask points clear --due` does)."""
    due = session.scalars(
        select(PointClearing.id)
        .where(PointClearing.status == "approved", PointClearing.run_on <= local_date(now))
        .order_by(PointClearing.id)
    ).all()
    return [(session.get(PointClearing, i), run(session, i, now=now)) for i in due]


def listing() -> Select:
    """Every clearing, newest first."""
    return select(PointClearing).order_by(PointClearing.id.desc())
