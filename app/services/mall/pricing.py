"""Points as cash: the rate calendar (default, campaigns, weekly member day), the breakdown."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.models import CashRate, EarningSetting
from app.timeutil import local_date

FEN_PER_YUAN = 100


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
    """The most generous rate that applies on the brand-local day of `moment`."""
    day = local_date(moment)
    rows = session.scalars(
        select(CashRate)
        .where(
            or_(
                CashRate.kind == "default",
                and_(CashRate.kind == "range", CashRate.starts_on <= day, CashRate.ends_on >= day),
                and_(CashRate.kind == "weekly", CashRate.weekday == day.weekday()),
            )
        )
        .order_by(CashRate.points_per_yuan, CashRate.id)
    ).first()
    return Rate(rows.points_per_yuan, rows.name, rows.kind)


def cap_pct(session: Session) -> int:
    """The largest share (percent) of the cash part that points may pay."""
    return session.get(EarningSetting, "points_cash_cap_pct").value


def breakdown(session: Session, cash_fen: int, yuan_by_points: int, moment: datetime) -> Breakdown:
    """The split of `cash_fen` when the member pays `yuan_by_points` yuan with points (clamped)."""
    rate = rate_at(session, moment)
    max_yuan = cash_fen * cap_pct(session) // (100 * FEN_PER_YUAN)
    return Breakdown(cash_fen, rate, max_yuan, min(max(yuan_by_points, 0), max_yuan))
