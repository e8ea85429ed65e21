"""Manual point adjustments: at or below the threshold they reach the ledger at once; above it
they wait for a second operator (four-eyes). Each adjustment is one ledger write at most."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Member, PointAdjustment, User
from app.models.console_members import ADJUSTMENT_REASONS
from app.services.console import audit
from app.services.errors import DomainError
from app.services.points import ledger
from app.services.points.earning import setting

MAX_POINTS = 1_000_000  # one adjustment moves at most this many points either way
THRESHOLD = "adjustment_approval_threshold"
SOURCE = "adjustment"


class AdjustmentError(DomainError):
    """An adjustment that cannot go ahead; `code` says why, `detail` holds numbers to show."""


@dataclass(frozen=True)
class Request:
    """What the adjustment form asks for."""

    points: int
    reason_code: str
    reason: str
    note: str = ""
    request_key: str = ""


def threshold(session: Session) -> int:
    """Adjustments moving more points than this (either way) need a second operator."""
    return setting(session, THRESHOLD)


def _check(req: Request) -> None:
    if req.points == 0 or abs(req.points) > MAX_POINTS:
        raise AdjustmentError("points", max=MAX_POINTS)
    if req.reason_code not in ADJUSTMENT_REASONS:
        raise AdjustmentError("reason_code")
    if not req.reason.strip():
        raise AdjustmentError("reason")


def request(
    session: Session, actor: User, member: Member, req: Request, *, now: datetime
) -> PointAdjustment:
    """Record an adjustment: applied now up to the threshold, else pending approval.
    The same request key again (a double submit) returns the first adjustment."""
    _check(req)
    ledger.lock_member(session, member.id)
    key = f"{actor.id}:{req.request_key or _fallback_key(member, req, now)}"
    found = session.scalar(select(PointAdjustment).where(PointAdjustment.request_key == key))
    if found is not None:
        return found
    adjustment = PointAdjustment(
        member_id=member.id, points=req.points, reason_code=req.reason_code,
        reason=req.reason.strip(), note=req.note.strip(), status="pending", request_key=key,
        requested_by_id=actor.id, requested_at=now,
    )  # fmt: skip
    session.add(adjustment)
    session.flush()
    if abs(req.points) <= threshold(session):
        _apply(session, adjustment, now)
        _audit(session, actor, adjustment, "member.adjust", now)
    else:
        _audit(session, actor, adjustment, "member.adjust_request", now)
    return adjustment


def _fallback_key(member: Member, req: Request, now: datetime) -> str:
    """Without the form's key (a script): the same adjustment within a minute is a repeat."""
    digest = hashlib.sha256(f"{req.points}|{req.reason_code}|{req.reason}".encode()).hexdigest()
    return f"auto:{member.id}:{now:%Y%m%d%H%M}:{digest[:16]}"


def _apply(session: Session, adjustment: PointAdjustment, now: datetime) -> None:
    """The ledger write, idempotent on the adjustment's id; a debit never makes debt."""
    key, ref = f"adjustment:{adjustment.id}", f"adjustment:{adjustment.id}"
    if adjustment.points > 0:
        txn = ledger.credit(
            session, adjustment.member_id, SOURCE, adjustment.points, key, now=now, ref=ref,
            memo=SOURCE,
        )  # fmt: skip
    else:
        try:
            # a debit takes back issued points (kind clawback, as analytics counts issuing)
            txn = ledger.debit(
                session, adjustment.member_id, -adjustment.points, key, now=now,
                kind="clawback", ref=ref, memo=SOURCE,
            )  # fmt: skip
        except ledger.InsufficientPoints as exc:
            raise AdjustmentError("shortfall", shortfall=exc.shortfall) from exc
    adjustment.status, adjustment.txn_id = "applied", txn.id


def _audit(session, actor, adjustment, action: str, now, reason: str = "") -> None:
    audit.record(
        session, actor, action, "adjustment", adjustment.id, now=now,
        summary=f"{adjustment.points:+,} points ({adjustment.reason_code})",
        after={"points": adjustment.points, "status": adjustment.status,
               "reason_code": adjustment.reason_code},
        reason=reason or adjustment.reason, member_id=adjustment.member_id,
    )  # fmt: skip


def _pending(session: Session, adjustment_id: int) -> PointAdjustment:
    """The adjustment, locked after its member (the order every ledger writer locks in)."""
    member_id = session.scalar(
        select(PointAdjustment.member_id).where(PointAdjustment.id == adjustment_id)
    )
    if member_id is None:
        raise AdjustmentError("not_found")
    ledger.lock_member(session, member_id)
    adjustment = session.scalar(
        select(PointAdjustment)
        .where(PointAdjustment.id == adjustment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if adjustment.status != "pending":
        raise AdjustmentError("decided", status=adjustment.status)
    return adjustment


def approve(session: Session, actor: User, adjustment_id: int, *, now: datetime):
    """A second operator approves: the adjustment reaches the ledger (once, however often
    it is approved). The requester cannot approve their own."""
    adjustment = _pending(session, adjustment_id)
    if adjustment.requested_by_id == actor.id:
        raise AdjustmentError("own")
    _apply(session, adjustment, now)
    adjustment.decided_by_id, adjustment.decided_at = actor.id, now
    _audit(session, actor, adjustment, "member.adjust_approve", now)
    return adjustment


def reject(session: Session, actor: User, adjustment_id: int, reason: str, *, now: datetime):
    """Turn a pending adjustment down (the requester may withdraw their own); nothing moves."""
    if not reason.strip():
        raise AdjustmentError("decision_reason")
    adjustment = _pending(session, adjustment_id)
    adjustment.status, adjustment.decision_reason = "rejected", reason.strip()
    adjustment.decided_by_id, adjustment.decided_at = actor.id, now
    _audit(session, actor, adjustment, "member.adjust_reject", now, reason=reason.strip())
    return adjustment


def pending_query() -> Select:
    """Adjustments waiting for a second operator, oldest first."""
    return (
        select(PointAdjustment)
        .where(PointAdjustment.status == "pending")
        .order_by(PointAdjustment.requested_at, PointAdjustment.id)
    )


def for_member(session: Session, member_id: int, limit: int = 50) -> list[PointAdjustment]:
    """The member's adjustments, newest first."""
    return list(
        session.scalars(
            select(PointAdjustment)
            .where(PointAdjustment.member_id == member_id)
            .order_by(PointAdjustment.id.desc())
            .limit(limit)
        )
    )
