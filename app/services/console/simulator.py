"""The rules simulator: what a member (or a member of a tier with a birthday month) would earn
for an amount paid at an instant, under the rules in force then or under a draft.

It calls the very formula POS orders are awarded with (`earning.purchase_factors` and
`earning.points_of`); a draft is the posted form, never stored.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Member
from app.services.points import earning, targets
from app.services.points.rules import rules_at
from app.timeutil import local_date


@dataclass(frozen=True)
class Scenario:
    """One purchase to simulate: a known member, or a tier and a birthday month."""

    paid_fen: int
    paid_at: datetime
    category: str = ""
    member: Member | None = None
    tier_code: str = "base"
    birthday_month: int | None = None


@dataclass(frozen=True)
class Outcome:
    """The points, and every factor of the formula that produced them."""

    points: int
    factors: earning.Factors
    tier_code: str
    birthday: bool


def simulate(session: Session, scenario: Scenario, drafts: dict | None = None) -> Outcome:
    """Points for the scenario under the rules in force at `paid_at`, drafts standing in."""
    rules = rules_at(session, scenario.paid_at, drafts)
    day = local_date(scenario.paid_at)
    segment = None  # a tier without a member is in no segment: untargeted campaigns only
    if scenario.member is not None:
        tier_code = scenario.member.tier.code
        birthday = earning.is_birthday_first_order(session, scenario.member, scenario.paid_at)
        segment = targets.segment_of(session, scenario.member.id)
    else:
        tier_code, birthday = scenario.tier_code, scenario.birthday_month == day.month
    lines = [{"category": scenario.category, "paid_fen": scenario.paid_fen}]
    factors = earning.purchase_factors(
        rules, tier_code, scenario.paid_fen, lines if scenario.category else [], day, birthday,
        segment,
    )  # fmt: skip
    return Outcome(earning.points_of(factors), factors, tier_code, birthday)
