"""Counting rules over a trailing window: registrations from one network or device, and
redemptions of one gift by new accounts. Both read the observations (indexed by kind and time).
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import AlertObservation, Gift, Member
from app.services.accounts.accounts import _network as network
from app.services.alerts import settings
from app.services.alerts.alerts import Finding

Obs = AlertObservation
SHOWN = 20  # members or orders listed in an alert's evidence
SIGNUPS = (("signup_ip", "per_ip", "ip"), ("signup_device", "per_device", "device"))


def device_key(token: str) -> str:
    """What is stored for a browser's device cookie: a digest, never the cookie itself."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def observe_signup(session: Session, member: Member, ip: str, device: str, now: datetime) -> dict:
    """Record a registration's network and device; {kind: subject} for checking at once."""
    subjects = {"signup_ip": network(ip or "unknown")}
    if device:
        subjects["signup_device"] = device_key(device)
    for kind, subject in subjects.items():
        session.add(Obs(kind=kind, subject=subject, member_id=member.id, at=now))
    session.flush()
    return subjects


def _members(session: Session, kind: str, subject: str, since: datetime) -> list[str]:
    stmt = (
        select(Member.member_no)
        .join(Obs, Obs.member_id == Member.id)
        .where(Obs.kind == kind, Obs.subject == subject, Obs.at >= since)
        .order_by(Obs.at.desc(), Obs.id.desc())
        .limit(SHOWN)
    )
    return list(session.scalars(stmt))


def registrations(session: Session, now: datetime, only: dict | None = None) -> list[Finding]:
    """Networks and devices with at least their limit of registrations in the window."""
    s = settings.current(session, "registrations")
    if not s["enabled"]:
        return []
    since, findings = now - timedelta(hours=s["window_hours"]), []
    for kind, limit_key, subject_type in SIGNUPS:
        if only is not None and kind not in only:
            continue
        limit = s[limit_key]
        stmt = select(Obs.subject, func.count()).where(Obs.kind == kind, Obs.at >= since)
        if only is not None:
            stmt = stmt.where(Obs.subject == only[kind])
        stmt = stmt.group_by(Obs.subject).having(func.count() >= limit)
        for subject, count in session.execute(stmt):
            evidence = {"count": count, "limit": limit, "settings": s}
            evidence["members"] = _members(session, kind, subject, since)
            severity = "high" if count >= 2 * limit else "medium"
            findings.append(
                Finding("registrations", subject_type, subject, severity, since, evidence)
            )
    return findings


def _orders(session: Session, gift: str, since: datetime, new_days: int) -> list[dict]:
    stmt = (
        select(Obs.ref, Obs.value, Member.member_no)
        .join(Member, Member.id == Obs.member_id)
        .where(Obs.kind == "redemption", Obs.subject == gift, Obs.at >= since, Obs.value < new_days)
        .order_by(Obs.at.desc(), Obs.id.desc())
        .limit(SHOWN)
    )
    return [
        {"order_id": int(ref), "age_days": age, "member_no": no}
        for ref, age, no in session.execute(stmt)
        if ref.isdigit()
    ]


def gift_new_accounts(session: Session, now: datetime) -> list[Finding]:
    """Gifts redeemed in the window mostly, and at least N times, by accounts days old."""
    s = settings.current(session, "gift_new_accounts")
    if not s["enabled"]:
        return []
    since = now - timedelta(hours=s["window_hours"])
    fresh = func.sum(case((Obs.value < s["new_days"], 1), else_=0))
    stmt = (
        select(Obs.subject, func.count(), fresh)
        .where(Obs.kind == "redemption", Obs.at >= since)
        .group_by(Obs.subject)
        .having(fresh >= s["min_orders"])
    )
    findings = []
    for gift, total, new in session.execute(stmt):
        if new * 100 < s["share_pct"] * total:
            continue  # popular with everyone, not drained by new accounts
        name = (
            session.scalar(select(Gift.name).where(Gift.id == int(gift))) if gift.isdigit() else ""
        )
        evidence = {"new": int(new), "total": int(total), "gift_id": int(gift), "gift_name": name}
        evidence |= {"orders": _orders(session, gift, since, s["new_days"]), "settings": s}
        severity = "high" if new >= 2 * s["min_orders"] else "medium"
        findings.append(Finding("gift_new_accounts", "gift", gift, severity, since, evidence))
    return findings
