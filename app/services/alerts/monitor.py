"""Evaluate the alert rules: the alerts job every minute, and a registration as it happens.

The job reads what is new (the feed, batch by batch), then evaluates every rule once; the
points audit (a full reconciliation) runs once per brand-local day, and old tallies go then.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import AlertCursor, Member
from app.services.alerts import counting, feed, referrals, settings, velocity
from app.services.alerts.alerts import Finding, report
from app.services.points import audit
from app.timeutil import local_date, local_midnight

PROBLEMS_SHOWN = 20


def _minute_findings(session: Session, now: datetime) -> list[Finding]:
    found = [f for rule in velocity.RULES for f in velocity.check(session, rule, now)]
    found += counting.registrations(session, now)
    found += referrals.tiny_first_purchases(session, now)
    return found + counting.gift_new_accounts(session, now)


def _report_all(session: Session, findings: list[Finding], now: datetime) -> int:
    """Report each finding; how many alerts opened (the rest refreshed an alert already open)."""
    return sum(report(session, f, now=now) is not None for f in findings)


def evaluate(session: Session, now: datetime) -> int:
    """Every per-minute rule on what the feed has read; the number of alerts opened."""
    return _report_all(session, _minute_findings(session, now), now)


def audit_findings(session: Session, now: datetime) -> list[Finding]:
    """A failed points audit (balance = entries = lots, the books close) as a finding."""
    if not settings.current(session, "points_audit")["enabled"]:
        return []
    problems = audit.audit(session)
    if not problems:
        return []
    evidence = {"count": len(problems), "problems": problems[:PROBLEMS_SHOWN]}
    since = local_midnight(local_date(now))
    return [Finding("points_audit", "ledger", "points", "high", since, evidence)]


def daily(session: Session, now: datetime) -> int:
    """Once per brand-local day: the points audit, and pruning; alerts opened."""
    day = local_date(now).toordinal()
    cursor = session.get(AlertCursor, "daily")
    if cursor is not None and cursor.position >= day:
        return 0
    if cursor is None:
        cursor = AlertCursor(name="daily", position=0)
        session.add(cursor)
    cursor.position = day
    feed.prune(session, now)
    return _report_all(session, audit_findings(session, now), now)


def run(session: Session, period_start: datetime, now: datetime) -> Iterator[int]:
    """The alerts job: read every source to the end (a commit per batch), then evaluate."""
    for source in feed.SOURCES:
        while (read := feed.read_batch(session, source, now)) == feed.BATCH:
            yield read
        yield read
    yield evaluate(session, now)
    yield daily(session, now)


def signed_up(session: Session, member: Member, ip: str, device: str, *, now: datetime) -> int:
    """A registration as it happens: record its network and device, check those two at once."""
    subjects = counting.observe_signup(session, member, ip, device, now)
    return _report_all(session, counting.registrations(session, now, only=subjects), now)
