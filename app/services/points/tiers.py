"""Tiers from growth value (成长值).

Policy: a member's tier is the highest rung whose threshold is at most the growth earned in the
trailing 12 months. Upgrades happen the moment growth reaches a threshold. Downgrades happen
only at the monthly review (`flask tiers review`, run on the 1st, brand-local) and drop at most
one rung per review, so a member who slips gets a month's notice per rung.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import GrowthEvent, Member, Tier, TierChange
from app.timeutil import add_months, local_date, local_midnight, month_bounds

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Progress:
    """Where a member stands on the ladder."""

    growth: int
    tier: Tier
    next_tier: Tier | None
    needed: int


def ladder(session: Session) -> list[Tier]:
    """The tiers, lowest first."""
    return list(session.scalars(select(Tier).order_by(Tier.rank)))


def tier_for(tiers: list[Tier], growth: int) -> Tier:
    """The highest tier whose threshold `growth` reaches."""
    return [t for t in tiers if t.threshold <= growth][-1]


def window_start(now: datetime) -> datetime:
    """Start of the trailing growth window (brand-local midnight, 12 months back)."""
    return local_midnight(add_months(local_date(now), -WINDOW_MONTHS))


def rolling_growth(session: Session, member_id: int, now: datetime) -> int:
    """Growth earned in the trailing 12 months (refunds already netted out)."""
    stmt = select(func.coalesce(func.sum(GrowthEvent.delta), 0)).where(
        GrowthEvent.member_id == member_id,
        GrowthEvent.occurred_at >= window_start(now),
        GrowthEvent.occurred_at <= now,
    )
    return max(int(session.scalar(stmt)), 0)


def _change(session: Session, member: Member, to: Tier, reason: str, now: datetime) -> None:
    session.add(
        TierChange(
            member_id=member.id,
            from_tier_id=member.tier_id,
            to_tier_id=to.id,
            reason=reason,
            at=now,
        )
    )
    member.tier = to


def add_growth(
    session: Session,
    member: Member,
    delta: int,
    reason: str,
    key: str,
    *,
    occurred_at: datetime,
    now: datetime,
) -> None:
    """Record a growth change (idempotent on key) and upgrade at once if a threshold is reached."""
    if delta == 0 or session.scalar(select(GrowthEvent.id).where(GrowthEvent.idem_key == key)):
        return
    session.add(
        GrowthEvent(
            member_id=member.id, delta=delta, reason=reason, idem_key=key, occurred_at=occurred_at
        )
    )
    session.flush()
    target = tier_for(ladder(session), rolling_growth(session, member.id, now))
    if target.rank > member.tier.rank:
        _change(session, member, target, "upgrade", now)


def review(session: Session, now: datetime) -> int:
    """Monthly review: members below their tier's threshold drop one rung; returns how many."""
    tiers = ladder(session)
    month_start, _ = month_bounds(now)
    reviewed = select(TierChange.member_id).where(
        TierChange.reason == "review", TierChange.at >= month_start
    )
    members = session.scalars(
        select(Member).join(Tier).where(Tier.rank > 0, Member.id.not_in(reviewed)).with_for_update()
    )
    dropped = 0
    for member in members:
        target = tier_for(tiers, rolling_growth(session, member.id, now))
        if target.rank < member.tier.rank:
            lower = [t for t in tiers if t.rank < member.tier.rank][-1]
            _change(session, member, lower, "review", now)
            dropped += 1
    session.flush()
    return dropped


def progress(session: Session, member: Member, now: datetime) -> Progress:
    """Growth, current tier, the next tier and the growth still needed to reach it."""
    growth = rolling_growth(session, member.id, now)
    higher = [t for t in ladder(session) if t.rank > member.tier.rank]
    nxt = higher[0] if higher else None
    return Progress(growth, member.tier, nxt, max(nxt.threshold - growth, 0) if nxt else 0)
