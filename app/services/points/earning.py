"""Earning rules: purchase points, behaviour points under the monthly cap, sign-in, profile."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Campaign,
    CategoryMultiplier,
    EarningSetting,
    Member,
    PointLot,
    PointSource,
    PosOrder,
    SignIn,
)
from app.services.points import ledger
from app.timeutil import local_date, month_bounds

PCT = 100
FEN_PER_YUAN = 100


@dataclass(frozen=True)
class Award:
    """Behaviour points actually granted; `capped` when the monthly cap cut them."""

    points: int
    capped: bool


@dataclass(frozen=True)
class SignInResult:
    """Today's sign-in: points granted, the streak, and whether it had already been done."""

    points: int
    streak: int
    capped: bool
    already: bool


def setting(session: Session, key: str) -> int:
    """An integer earning rule."""
    return session.get(EarningSetting, key).value


def campaign_pct(session: Session, day: date) -> int:
    """The campaign multiplier on a brand-local day (the highest if several overlap)."""
    pct = session.scalar(
        select(func.max(Campaign.multiplier_pct)).where(
            Campaign.starts_on <= day, Campaign.ends_on >= day
        )
    )
    return pct or PCT


def is_birthday_first_order(session: Session, member: Member, paid_at: datetime) -> bool:
    """True for the member's first order of the brand-local month of their birthday."""
    day = local_date(paid_at)
    if member.birthday is None or member.birthday.month != day.month:
        return False
    start, end = month_bounds(paid_at)
    earlier = select(PosOrder.id).where(
        PosOrder.member_id == member.id, PosOrder.paid_at >= start, PosOrder.paid_at < end
    )
    return session.scalar(earlier.limit(1)) is None


def purchase_points(
    session: Session, member: Member, paid_fen: int, lines: list[dict], paid_at: datetime
) -> int:
    """Points for a paid order: every multiplier is applied, then the result floored once.

    points = floor(Σ(line fen × category%) × tier% × campaign% × birthday% / (100 fen × 100⁴))
    """
    categories = dict(
        session.execute(
            select(CategoryMultiplier.category, CategoryMultiplier.multiplier_pct)
        ).all()
    )
    if lines:
        base = sum(
            line["paid_fen"] * categories.get(line.get("category", ""), PCT) for line in lines
        )
    else:
        base = paid_fen * PCT
    birthday = (
        setting(session, "birthday_multiplier_pct")
        if is_birthday_first_order(session, member, paid_at)
        else PCT
    )
    numerator = (
        base * member.tier.multiplier_pct * campaign_pct(session, local_date(paid_at)) * birthday
    )
    return numerator // (FEN_PER_YUAN * PCT**4)


def behaviour_used(session: Session, member_id: int, now: datetime) -> int:
    """Behaviour points already earned this brand-local month."""
    start, end = month_bounds(now)
    stmt = (
        select(func.coalesce(func.sum(PointLot.points), 0))
        .join(PointSource, PointSource.code == PointLot.source)
        .where(
            PointLot.member_id == member_id,
            PointSource.behaviour.is_(True),
            PointLot.earned_at >= start,
            PointLot.earned_at < end,
        )
    )
    return int(session.scalar(stmt))


def award_behaviour(
    session: Session,
    member_id: int,
    source: str,
    points: int,
    key: str,
    *,
    now: datetime,
    ref: str = "",
) -> Award:
    """Grant behaviour points, cut to what the monthly cap leaves; idempotent on key."""
    ledger.lock_member(session, member_id)
    if txn := ledger.find(session, key):
        return Award(txn.points, False)
    room = max(
        setting(session, "behaviour_monthly_cap") - behaviour_used(session, member_id, now), 0
    )
    granted = min(points, room)
    if granted:
        ledger.credit(session, member_id, source, granted, key, now=now, ref=ref)
    return Award(granted, granted < points)


def sign_in(session: Session, member_id: int, now: datetime) -> SignInResult:
    """Today's sign-in (once per brand-local day) with a streak bonus every N days."""
    ledger.lock_member(session, member_id)
    today = local_date(now)
    done = session.scalar(
        select(SignIn).where(SignIn.member_id == member_id, SignIn.local_date == today)
    )
    if done:
        return SignInResult(done.points, done.streak, False, True)
    yesterday = session.scalar(
        select(SignIn.streak).where(
            SignIn.member_id == member_id, SignIn.local_date == today - timedelta(days=1)
        )
    )
    streak = (yesterday or 0) + 1
    points = setting(session, "signin_points")
    if streak % setting(session, "signin_streak_days") == 0:
        points += setting(session, "signin_streak_bonus")
    award = award_behaviour(
        session, member_id, "signin", points, f"signin:{member_id}:{today}", now=now
    )
    session.add(SignIn(member_id=member_id, local_date=today, streak=streak, points=award.points))
    session.flush()
    return SignInResult(award.points, streak, award.capped, False)


def signed_in_today(session: Session, member_id: int, now: datetime) -> SignIn | None:
    """Today's sign-in row, if any."""
    return session.scalar(
        select(SignIn).where(SignIn.member_id == member_id, SignIn.local_date == local_date(now))
    )
