"""Alerts: open one per finding and window (idempotent), acknowledge and resolve with a note.

A finding about the same rule and subject while an alert for it is still in its window is that
alert: its evidence is refreshed (and its severity may rise) instead of a second alert opening.
The dedup key (rule, subject, brand-local day) is unique, so two evaluators racing (the job and
a registration) cannot both open one. Operators' steps are audited; opening is the system's.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Alert, User
from app.models.alerts import ALERT_STATUSES, SEVERITIES
from app.services.console import audit
from app.services.errors import DomainError
from app.timeutil import local_date

RANK = {"high": 0, "medium": 1, "low": 2}
SEVERITY_ORDER = case(RANK, value=Alert.severity, else_=3)
NEXT = {"acknowledge": ("open",), "resolve": ("open", "acknowledged")}


class AlertError(DomainError):
    """An alert step that cannot be taken; `code` says why."""


@dataclass(frozen=True)
class Finding:
    """What a rule found: about whom, how bad, the evidence, and since when it is one alert."""

    rule: str
    subject_type: str
    subject: str
    severity: str
    since: datetime  # an alert for the same rule and subject opened since then is this one
    evidence: dict = field(default_factory=dict)
    key: str = ""  # the dedup key; by default rule, subject and the brand-local day


def _key(finding: Finding, now: datetime) -> str:
    base = finding.key or local_date(now).isoformat()
    return f"{finding.rule}:{finding.subject_type}:{finding.subject}:{base}"[:160]


def _same(session: Session, finding: Finding, key: str) -> Alert | None:
    """The alert this finding belongs to: same key, or same subject opened within the window."""
    stmt = select(Alert).where(
        Alert.rule == finding.rule,
        Alert.subject_type == finding.subject_type,
        Alert.subject == finding.subject,
        Alert.opened_at >= finding.since,
    )
    found = session.scalar(stmt.order_by(Alert.opened_at.desc()).limit(1))
    return found or session.scalar(select(Alert).where(Alert.dedup_key == key))


def _refresh(alert: Alert, finding: Finding, now: datetime) -> None:
    """Newer numbers on an alert still being looked at (a resolved one is left as it was)."""
    if alert.status == "resolved":
        return
    alert.evidence, alert.last_seen_at = finding.evidence, now
    if RANK[finding.severity] < RANK[alert.severity]:
        alert.severity = finding.severity


def report(session: Session, finding: Finding, *, now: datetime) -> Alert | None:
    """Open an alert for the finding, or refresh the one it belongs to; the new alert or None."""
    key = _key(finding, now)
    if (existing := _same(session, finding, key)) is not None:
        _refresh(existing, finding, now)
        return None
    alert = Alert(
        rule=finding.rule,
        severity=finding.severity,
        subject_type=finding.subject_type,
        subject=finding.subject[:64],
        evidence=finding.evidence,
        dedup_key=key,
        opened_at=now,
        last_seen_at=now,
        status="open",
    )
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:  # opened by a parallel evaluator a moment ago: that one it is
        return None
    return alert


def _step(session: Session, actor: User, alert_id: int, step: str, note: str, now: datetime):
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update())
    if alert is None:
        raise AlertError("not_found")
    note = (note or "").strip()
    if not note:
        raise AlertError("note")
    if alert.status not in NEXT[step]:
        raise AlertError("status", status=alert.status)
    return alert, note


def _audit(session: Session, actor: User, alert: Alert, before: str, note: str, now) -> None:
    member_id = int(alert.subject) if alert.subject_type == "member" else None
    audit.record(
        session,
        actor,
        f"alert.{alert.status}",
        "alert",
        alert.id,
        now=now,
        summary=f"alert {alert.id} {alert.rule} {alert.subject_type} {alert.subject}",
        before={"status": before},
        after={"status": alert.status},
        reason=note,
        member_id=member_id,
    )


def acknowledge(session: Session, actor: User, alert_id: int, note: str, *, now: datetime):
    """Someone is looking at it: who, when and what they say (audited)."""
    alert, note = _step(session, actor, alert_id, "acknowledge", note, now)
    alert.status, alert.acknowledged_by_id, alert.acknowledged_at = "acknowledged", actor.id, now
    alert.acknowledge_note = note[:200]
    _audit(session, actor, alert, "open", note, now)
    return alert


def resolve(session: Session, actor: User, alert_id: int, note: str, *, now: datetime):
    """Closed: who, when and what was done or found (audited)."""
    alert, note = _step(session, actor, alert_id, "resolve", note, now)
    before = alert.status
    alert.status, alert.resolved_by_id, alert.resolved_at = "resolved", actor.id, now
    alert.resolve_note = note[:200]
    _audit(session, actor, alert, before, note, now)
    return alert


@dataclass(frozen=True)
class AlertFilter:
    """What the alerts list narrows to: a status (or every active one), a rule, a severity."""

    status: str = "active"  # active = open or acknowledged; "" = all
    rule: str = ""
    severity: str = ""


def query(f: AlertFilter) -> Select:
    """Alerts matching the filter, worst and newest first."""
    stmt = select(Alert)
    if f.status == "active":
        stmt = stmt.where(Alert.status.in_(("open", "acknowledged")))
    elif f.status in ALERT_STATUSES:
        stmt = stmt.where(Alert.status == f.status)
    if f.rule:
        stmt = stmt.where(Alert.rule == f.rule)
    if f.severity in SEVERITIES:
        stmt = stmt.where(Alert.severity == f.severity)
    return stmt.order_by(SEVERITY_ORDER, Alert.opened_at.desc(), Alert.id.desc())


@dataclass(frozen=True)
class OpenAlerts:
    """The console home's view: the open alerts (worst first, a few) and counts by severity."""

    alerts: list
    counts: dict
    acknowledged: int


def open_alerts(session: Session, limit: int = 8) -> OpenAlerts:
    """The open alerts worst first, how many of each severity, and how many are acknowledged."""
    shown = session.scalars(query(AlertFilter(status="open")).limit(limit)).all()
    rows = session.execute(
        select(Alert.severity, func.count()).where(Alert.status == "open").group_by(Alert.severity)
    )
    counts = dict.fromkeys(SEVERITIES, 0) | dict(rows.all())
    acknowledged = session.scalar(
        select(func.count()).select_from(Alert).where(Alert.status == "acknowledged")
    )
    return OpenAlerts(list(shown), counts, int(acknowledged or 0))
