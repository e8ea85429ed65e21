"""Referral rings: a cycle of referrers (A refers B refers … A), and referral farming: one
referrer whose friends' first purchases are tiny (the reward bought for little), many in a window.

The feed observes each referred member's first POS or counter order (the one that rewards the
referrer) and checks for a cycle there; the window rule counts those observations.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AlertObservation, Member, PosOrder
from app.services.alerts import settings
from app.services.alerts.alerts import Finding, report

Obs = AlertObservation
FOREVER = datetime(2000, 1, 1, tzinfo=UTC)  # a ring is one alert for good
LONGEST_RING = 12
SHOWN = 20


def observe_first_orders(session: Session, rows: list, now: datetime) -> None:
    """Note the first orders of referred members among these POS rows; report any ring."""
    ids = {r.member_id for r in rows}
    referrers = dict(
        session.execute(
            select(Member.id, Member.referred_by_id).where(
                Member.id.in_(ids), Member.referred_by_id.is_not(None)
            )
        ).all()
    )
    if not referrers:
        return
    firsts = dict(
        session.execute(
            select(PosOrder.member_id, func.min(PosOrder.id))
            .where(PosOrder.member_id.in_(list(referrers)))
            .group_by(PosOrder.member_id)
        ).all()
    )
    for r in rows:
        if r.member_id in referrers and firsts.get(r.member_id) == r.id:
            observation = Obs(kind="referral", subject=str(referrers[r.member_id]), at=r.created_at)
            observation.member_id, observation.ref, observation.value = (
                r.member_id,
                r.order_no[:64],
                r.paid_fen,
            )
            session.add(observation)
            _check_ring(session, r.member_id, now)


def ring_of(session: Session, member_id: int) -> list[int]:
    """The members of a referral cycle through this member, in referral order, or []."""
    path, current = [member_id], member_id
    for _ in range(LONGEST_RING):
        current = session.scalar(select(Member.referred_by_id).where(Member.id == current))
        if current is None or (current in path and current != member_id):
            return []  # no cycle, or one that does not pass through this member
        if current == member_id:
            return path
        path.append(current)
    return []


def _check_ring(session: Session, member_id: int, now: datetime) -> None:
    ring = ring_of(session, member_id)
    if not ring or not settings.current(session, "referral_ring")["enabled"]:
        return
    stmt = select(Member.id, Member.member_no).where(Member.id.in_(ring))
    numbers = dict(session.execute(stmt).all())
    first = min(ring)
    evidence = {"ring": [numbers[m] for m in ring], "members": len(ring)}
    key = "ring-" + "-".join(map(str, sorted(ring)))
    finding = Finding("referral_ring", "member", str(first), "high", FOREVER, evidence, key)
    report(session, finding, now=now)


def _friends(session: Session, referrer: str, since: datetime, tiny: int) -> list[dict]:
    stmt = (
        select(Member.member_no, Obs.value, Obs.ref)
        .join(Member, Member.id == Obs.member_id)
        .where(Obs.kind == "referral", Obs.subject == referrer, Obs.at >= since, Obs.value <= tiny)
        .order_by(Obs.at.desc(), Obs.id.desc())
        .limit(SHOWN)
    )
    return [
        {"member_no": no, "paid_fen": fen, "order_no": ref}
        for no, fen, ref in session.execute(stmt)
    ]


def tiny_first_purchases(session: Session, now: datetime) -> list[Finding]:
    """Referrers with at least N friends whose first purchase was tiny, within the window."""
    s = settings.current(session, "referral_tiny")
    if not s["enabled"]:
        return []
    since = now - timedelta(days=s["window_days"])
    stmt = (
        select(Obs.subject, func.count())
        .where(Obs.kind == "referral", Obs.at >= since, Obs.value <= s["tiny_fen"])
        .group_by(Obs.subject)
        .having(func.count() >= s["min_friends"])
    )
    findings = []
    for referrer, count in session.execute(stmt):
        number = session.scalar(select(Member.member_no).where(Member.id == int(referrer)))
        evidence = {"count": count, "member_no": number, "settings": s}
        evidence["friends"] = _friends(session, referrer, since, s["tiny_fen"])
        severity = "high" if count >= 2 * s["min_friends"] else "medium"
        findings.append(Finding("referral_tiny", "member", referrer, severity, since, evidence))
    return findings
