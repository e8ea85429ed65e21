"""Earning rules: purchase points, behaviour points under the monthly cap, sign-in, profile."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from app import reads
from app.models import Member, PointSource, PointTransaction, PosOrder, SignIn
from app.services.points import issuing, ledger, targets, tiers
from app.services.points.rules import Rules, rules_at
from app.timeutil import local_date, month_bounds, utcnow

PCT = 100
FEN_PER_YUAN = 100


@dataclass(frozen=True)
class Award:
    """Behaviour points actually granted; `capped` when a monthly cap cut them (`issue_capped`:
    the brand's cap on the points it issues)."""

    points: int
    capped: bool
    issue_capped: bool = False


@dataclass(frozen=True)
class SignInResult:
    """Today's sign-in: points granted, the streak, and whether it had already been done."""

    points: int
    streak: int
    capped: bool
    already: bool
    issue_capped: bool = False


@dataclass(frozen=True)
class Factors:
    """The terms of the purchase formula: Σ(line fen × category %) and the three multipliers."""

    base: int
    tier_pct: int
    campaign_pct: int
    birthday_pct: int


def setting(session: Session, key: str, at: datetime | None = None) -> int:
    """An integer rule in force at `at` (default: now)."""
    return rules_at(session, at or utcnow()).setting(key)


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
    """Points for a paid order under the rules in force at `paid_at` (never later ones); a
    campaign for one segment counts only for its members (read only when one applies)."""
    rules, day = rules_at(session, paid_at), local_date(paid_at)
    segment, tier_code = None, tiers.tier_code(session, member)
    if rules.targets_on(day, tier_code):
        segment = targets.segment_of(session, member.id)
    factors = purchase_factors(
        rules, tier_code, paid_fen, lines, day,
        is_birthday_first_order(session, member, paid_at), segment,
    )  # fmt: skip
    return points_of(factors)


def purchase_factors(
    rules: Rules,
    tier_code: str,
    paid_fen: int,
    lines: list[dict],
    day: date,
    birthday: bool,
    segment: str | None = None,
) -> Factors:
    """The formula's terms for a purchase on a brand-local day by a member of a tier and a
    segment (pure: the rules are given)."""
    if lines:
        base = sum(
            line["paid_fen"] * rules.category_pct(line.get("category", "")) for line in lines
        )
    else:
        base = paid_fen * PCT
    return Factors(
        base,
        rules.tier(tier_code).multiplier_pct,
        rules.campaign_pct(day, tier_code, segment),
        rules.setting("birthday_multiplier_pct") if birthday else PCT,
    )


def points_of(f: Factors) -> int:
    """Every multiplier is applied, then the result floored once.

    points = floor(Σ(line fen × category%) × tier% × campaign% × birthday% / (100 fen × 100⁴))
    """
    return f.base * f.tier_pct * f.campaign_pct * f.birthday_pct // (FEN_PER_YUAN * PCT**4)


def behaviour_used(session: Session, member_id: int, now: datetime) -> int:
    """Behaviour points earned this brand-local month and still standing.

    A credit taken back as a whole (a referral withdrawn by a full refund) no longer uses the cap.
    """
    return int(session.scalar(BEHAVIOUR_USED, behaviour_params(member_id, now)))


_reversal = aliased(PointTransaction)
BEHAVIOUR_USED = reads.baked(
    select(func.coalesce(func.sum(PointTransaction.points), 0))
    .join(PointSource, PointSource.code == PointTransaction.source)
    .where(
        PointTransaction.member_id == bindparam("member_id"),
        PointTransaction.kind == "earn",
        PointSource.behaviour.is_(True),
        PointTransaction.created_at >= bindparam("month_from"),
        PointTransaction.created_at < bindparam("month_until"),
        ~select(_reversal.id).where(_reversal.reverses_id == PointTransaction.id).exists(),
    )
)


def behaviour_params(member_id: int, now: datetime) -> dict:
    """The parameters of BEHAVIOUR_USED for a member's brand-local month."""
    start, end = month_bounds(now)
    return {"member_id": member_id, "month_from": start, "month_until": end}


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
    """Grant behaviour points, cut to what the member's monthly cap and the brand's monthly
    issue cap leave; idempotent on key."""
    ledger.lock_member(session, member_id)
    if txn := ledger.find(session, key):
        return Award(txn.points, False)
    cap = setting(session, "behaviour_monthly_cap", at=now)
    room = max(cap - behaviour_used(session, member_id, now), 0)
    brand_room = issuing.room(session, now) if min(points, room) else issuing.UNCAPPED
    granted = min(points, room, brand_room)
    if granted:  # the key was looked up above, under the member's lock
        ledger.credit_new(session, member_id, source, granted, key, now=now, ref=ref)
    return Award(granted, granted < points, brand_room < min(points, room))


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
    rules = rules_at(session, now)
    points = rules.setting("signin_points")
    if streak % rules.setting("signin_streak_days") == 0:
        points += rules.setting("signin_streak_bonus")
    award = award_behaviour(
        session, member_id, "signin", points, f"signin:{member_id}:{today}", now=now
    )
    session.add(SignIn(member_id=member_id, local_date=today, streak=streak, points=award.points))
    session.flush()
    return SignInResult(award.points, streak, award.capped, False, award.issue_capped)


def signed_in_today(session: Session, member_id: int, now: datetime) -> SignIn | None:
    """Today's sign-in row, if any."""
    return session.scalar(
        select(SignIn).where(SignIn.member_id == member_id, SignIn.local_date == local_date(now))
    )
