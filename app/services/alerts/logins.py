"""Login attacks as alerts: a login limit across addresses or identifiers was just reached."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.services.alerts import settings
from app.services.alerts.alerts import Finding, report

RULE = "login_attack"


def limit_reached(
    session: Session, kind: str, subject: str, limit: int, window: timedelta, *, now: datetime
) -> None:
    """Open (or refresh) the alert for a distributed attack on one identifier (`kind`
    "identifier", high) or credential stuffing from one network ("ip", medium)."""
    if not settings.current(session, RULE)["enabled"]:
        return
    finding = Finding(
        rule=RULE,
        subject_type="account" if kind == "identifier" else "ip",
        subject=subject[:64],
        severity="high" if kind == "identifier" else "medium",
        since=now - window,
        evidence={"kind": kind, "count": limit, "minutes": int(window.total_seconds() // 60)},
    )
    report(session, finding, now=now)
