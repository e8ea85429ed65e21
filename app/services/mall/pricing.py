"""Points as cash: the rate calendar (default, campaigns, weekly member day), the breakdown."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.services.mall.errors import BadRequest, RedeemError
from app.services.points.rules import rules_at
from app.timeutil import local_date, utcnow

FEN_PER_YUAN = 100


class CashCapExceeded(RedeemError):
    """Points were asked to pay more of the cash part than the cap allows; detail has max_yuan."""

    code = "cash_cap"


@dataclass(frozen=True)
class Rate:
    """Points per ¥1 in force, and the rule that set it."""

    points_per_yuan: int
    name: str
    kind: str


@dataclass(frozen=True)
class Breakdown:
    """How the cash part of a price is paid: points for whole yuan, the rest in cash."""

    cash_fen: int
    rate: Rate
    max_yuan: int
    yuan_by_points: int

    @property
    def points_for_cash(self) -> int:
        """Points spent on the cash part."""
        return self.yuan_by_points * self.rate.points_per_yuan

    @property
    def cash_due_fen(self) -> int:
        """Cash still to pay."""
        return self.cash_fen - self.yuan_by_points * FEN_PER_YUAN


def rate_at(session: Session, moment: datetime) -> Rate:
    """The most generous rate that applies on the brand-local day of `moment` (by the rate
    calendar in force at `moment`)."""
    rule = rules_at(session, moment).rate_on(local_date(moment))
    return Rate(rule.points_per_yuan, rule.name, rule.kind)


def cap_pct(session: Session, at: datetime | None = None) -> int:
    """The largest share (percent) of the cash part that points may pay (in force at `at`)."""
    return rules_at(session, at or utcnow()).setting("points_cash_cap_pct")


def breakdown(session: Session, cash_fen: int, yuan_by_points: int, moment: datetime) -> Breakdown:
    """The split of `cash_fen` when the member pays `yuan_by_points` yuan with points.

    More than the cap allows is refused (CashCapExceeded with `max_yuan`), never cut down: the
    member confirms the amount they chose or none.
    """
    rate = rate_at(session, moment)
    max_yuan = cash_fen * cap_pct(session, moment) // (100 * FEN_PER_YUAN)
    if yuan_by_points > max_yuan:
        raise CashCapExceeded(max_yuan=max_yuan)
    if yuan_by_points < 0:
        raise BadRequest(field="yuan_by_points")
    return Breakdown(cash_fen, rate, max_yuan, yuan_by_points)


def preview(
    session: Session, cash_fen: int, yuan_by_points: int, moment: datetime
) -> tuple[Breakdown, RedeemError | None]:
    """The live breakdown: the split asked for, or the split without points and why not."""
    try:
        return breakdown(session, cash_fen, yuan_by_points, moment), None
    except RedeemError as exc:
        return breakdown(session, cash_fen, 0, moment), exc
