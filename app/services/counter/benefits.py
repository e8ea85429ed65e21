"""Tier benefits: system-verified ones apply themselves; offline ones are handed out by staff."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import BenefitUse, Member, User
from app.services.mall.errors import RedeemError
from app.services.points import targets
from app.services.points.rules import BenefitRule, rules_at
from app.timeutil import local_date


class BenefitError(RedeemError):
    """The benefit cannot be handed out: `code` is tier or used."""


@dataclass(frozen=True)
class BenefitStatus:
    """A benefit as it stands for one member this period."""

    benefit: BenefitRule
    eligible: bool
    used: BenefitUse | None


def period_key(period: str, now: datetime) -> str:
    """2026-11 / 2026Q4 / 2026, brand-local."""
    day = local_date(now)
    if period == "month":
        return f"{day:%Y-%m}"
    if period == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def for_member(session: Session, member: Member, now: datetime) -> list[BenefitStatus]:
    """Every offline benefit (as the rules in force define it) with whether the member's tier
    has it and if it was used; one for another segment is not the member's to be shown."""
    result, offline = (
        [],
        [b for b in rules_at(session, now).benefits() if b.verification == "offline"],
    )
    segment = targets.segment_for(session, member, offline)
    for benefit in offline:
        if not targets.reaches(benefit.segment, segment):
            continue
        used = session.scalar(
            select(BenefitUse).where(
                BenefitUse.benefit_id == benefit.id,
                BenefitUse.member_id == member.id,
                BenefitUse.period_key == period_key(benefit.period, now),
            )
        )
        eligible = not benefit.tier_codes or member.tier.code in benefit.tier_codes
        result.append(BenefitStatus(benefit, eligible, used))
    return result


def hand_out(
    session: Session, staff: User, member: Member, benefit_id: int, *, now: datetime
) -> BenefitUse:
    """Mark an offline benefit used for this period; the database refuses a second use."""
    benefit = next((b for b in rules_at(session, now).benefits() if b.id == benefit_id), None)
    if benefit is None or benefit.verification != "offline":
        raise BenefitError("unknown")
    if benefit.tier_codes and member.tier.code not in benefit.tier_codes:
        raise BenefitError("tier")
    if benefit.segment and benefit.segment != targets.segment_of(session, member.id):
        raise BenefitError("segment")
    use = BenefitUse(
        benefit_id=benefit.id,
        member_id=member.id,
        store_id=staff.store_id,
        user_id=staff.id,
        period_key=period_key(benefit.period, now),
        at=now,
    )
    try:
        with session.begin_nested():
            session.add(use)
    except IntegrityError as exc:
        raise BenefitError("used") from exc
    return use
