"""Velocity rules: today's total against the trailing daily average × a factor, with a floor.

Members (points credited), stores (purchase points issued) and advisors (counter purchases
recorded) each fire when today's figure is above max(floor, average × factor); twice that is
high severity. Days are brand-local; the figures come from the feed's daily tallies.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AlertTally, Member, Store, User
from app.services.alerts import settings
from app.services.alerts.alerts import Finding
from app.timeutil import local_date, local_midnight

# rule → (metric, subject type, the metric's per-member tally, whether it counts rows)
RULES = {
    "member_velocity": ("member_points", "member", None, False),
    "store_velocity": ("store_points", "store", "store_member", False),
    "advisor_spike": ("advisor_purchases", "advisor", "advisor_member", True),
}
TOP = 5


def limit_of(baseline_total: int, s: dict) -> int:
    """max(floor, ⌈baseline total ÷ days × factor⌉), in integers."""
    scaled = -(-(baseline_total * s["factor_pct"]) // (s["baseline_days"] * 100))
    return max(s["floor"], scaled)


def _today(session: Session, metric: str, measure, day: date, floor: int) -> dict:
    stmt = select(AlertTally.subject, measure).where(
        AlertTally.metric == metric, AlertTally.day == day, measure > floor
    )
    return dict(session.execute(stmt).all())


def _baselines(session: Session, metric: str, measure, day: date, days: int, subjects) -> dict:
    stmt = (
        select(AlertTally.subject, func.sum(measure))
        .where(AlertTally.metric == metric, AlertTally.subject.in_(list(subjects)))
        .where(AlertTally.day >= day - timedelta(days=days), AlertTally.day < day)
        .group_by(AlertTally.subject)
    )
    return {subject: int(total or 0) for subject, total in session.execute(stmt)}


def check(session: Session, rule: str, now: datetime) -> list[Finding]:
    """Today's findings of one velocity rule."""
    s = settings.current(session, rule)
    if not s["enabled"]:
        return []
    metric, subject_type, _, counts = RULES[rule]
    measure = AlertTally.count if counts else AlertTally.value
    day = local_date(now)
    today = _today(session, metric, measure, day, s["floor"])
    if not today:
        return []
    base = _baselines(session, metric, measure, day, s["baseline_days"], today)
    findings = []
    for subject, value in today.items():
        limit = limit_of(base.get(subject, 0), s)
        if value > limit:
            severity = "high" if value >= 2 * limit else "medium"
            evidence = _evidence(session, rule, subject, day, value, base.get(subject, 0), s)
            since = local_midnight(day)
            findings.append(Finding(rule, subject_type, subject, severity, since, evidence))
    return findings


def _evidence(session, rule, subject, day, value, baseline_total, s) -> dict:
    """The numbers behind a finding, and who it concerns."""
    evidence = {
        "day": day.isoformat(),
        "today": value,
        "baseline_total": baseline_total,
        "daily_average": round(baseline_total / s["baseline_days"]),
        "limit": limit_of(baseline_total, s),
        "settings": s,
    }
    return evidence | _who(session, rule, subject, day)


def _who(session: Session, rule: str, subject: str, day: date) -> dict:
    if rule == "member_velocity":
        return {
            "member_no": session.scalar(select(Member.member_no).where(Member.id == int(subject)))
        }
    metric = RULES[rule][2]
    if rule == "store_velocity":
        store = session.scalar(select(Store).where(Store.code == subject))
        facts = {"store_code": subject, "store_id": store.id if store else None}
    else:
        staff = session.get(User, int(subject))
        store = staff.store if staff else None
        facts = {"staff_id": staff.staff_id if staff else subject}
        facts |= {
            "store_code": store.code if store else "",
            "amount_fen": _amount(session, subject, day),
        }
    return facts | {"top": _top(session, metric, subject, day)}


def _amount(session: Session, advisor: str, day: date) -> int:
    stmt = select(AlertTally.value).where(
        AlertTally.metric == "advisor_purchases",
        AlertTally.subject == advisor,
        AlertTally.day == day,
    )
    return int(session.scalar(stmt) or 0)


def _top(session: Session, metric: str, subject: str, day: date) -> list[dict]:
    """The members behind a store's or an advisor's figure today, biggest first."""
    stmt = (
        select(AlertTally.subject, AlertTally.value, AlertTally.count)
        .where(AlertTally.metric == metric, AlertTally.day == day)
        .where(AlertTally.subject.startswith(f"{subject}:", autoescape=True))
        .order_by(AlertTally.value.desc())
        .limit(TOP)
    )
    rows = [(_member_id(s), v, c) for s, v, c in session.execute(stmt)]
    ids = [m for m, _, _ in rows if m is not None]
    stmt = select(Member.id, Member.member_no).where(Member.id.in_(ids))
    numbers = dict(session.execute(stmt).all())
    return [{"member_no": numbers.get(m), "value": v, "count": c} for m, v, c in rows]


def _member_id(subject: str) -> int | None:
    """The member id at the end of a per-member tally's subject ("SH001:42" → 42)."""
    tail = subject.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None
