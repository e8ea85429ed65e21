"""Prices: points as cash (the rate calendar: default, campaigns, weekly member day), the
breakdown, and member-day points prices per tier on chosen gifts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cache
from app.models import MemberDay, MemberDayPrice
from app.services.mall.errors import BadRequest, RedeemError
from app.services.points.rules import rules_at
from app.timeutil import local_date, local_midnight, utcnow

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


def max_yuan(cap_yuan: int, balance: int, gift_points: int, points_per_yuan: int) -> int:
    """The most whole yuan points may pay: the gift's cap, or what the points left after the
    gift's own points buy at the rate, whichever is less (never below 0)."""
    spare = max(balance - gift_points, 0)
    return max(min(cap_yuan, spare // max(points_per_yuan, 1)), 0)


def breakdown(
    session: Session,
    cash_fen: int,
    yuan_by_points: int,
    moment: datetime,
    afford: tuple[int, int] | None = None,
) -> Breakdown:
    """The split of `cash_fen` when the member pays `yuan_by_points` yuan with points.

    `afford`: (balance, gift points) — the member's points also cap what points may pay.
    More than the cap allows is refused (CashCapExceeded with `max_yuan`), never cut down: the
    member confirms the amount they chose or none.
    """
    rate = rate_at(session, moment)
    most = cash_fen * cap_pct(session, moment) // (100 * FEN_PER_YUAN)
    if afford is not None:
        most = max_yuan(most, *afford, rate.points_per_yuan)
    if yuan_by_points > most:
        raise CashCapExceeded(max_yuan=most)
    if yuan_by_points < 0:
        raise BadRequest(field="yuan_by_points")
    return Breakdown(cash_fen, rate, most, yuan_by_points)


def preview(
    session: Session,
    cash_fen: int,
    yuan_by_points: int,
    moment: datetime,
    afford: tuple[int, int] | None = None,
) -> tuple[Breakdown, RedeemError | None]:
    """The live breakdown: the split asked for, or the split without points and why not."""
    try:
        return breakdown(session, cash_fen, yuan_by_points, moment, afford), None
    except RedeemError as exc:
        return breakdown(session, cash_fen, 0, moment, afford), exc


# ---------------------------------------------------------------- member days (会员日)


@dataclass(frozen=True)
class MemberDays:
    """The member day's rule and every member-day price ((gift id, tier code) → points)."""

    kind: str
    day: int
    enabled: bool
    prices: dict

    def is_on(self, day: date) -> bool:
        """Whether a brand-local day is a member day."""
        if not self.enabled:
            return False
        return (day.weekday() if self.kind == "weekly" else day.day) == self.day

    def priced(self, gift_id: int) -> bool:
        """Whether the gift has a member-day price for any tier."""
        return any(g == gift_id for g, _tier in self.prices)


def member_days(session: Session) -> MemberDays:
    """The member-day rule and prices, kept per catalogue stamp (no query on a hit)."""

    def build() -> MemberDays:
        rule = session.get(MemberDay, 1)
        rows = session.execute(
            select(MemberDayPrice.gift_id, MemberDayPrice.tier_code, MemberDayPrice.points_price)
        ).all()
        return MemberDays(
            rule.kind if rule else "weekly",
            rule.day if rule else 0,
            bool(rule and rule.enabled),
            {(g, t): p for g, t, p in rows},
        )

    return cache.cached("mall.member_days", build, session)


def _tier_code(session: Session, member, now: datetime) -> str:
    return next(t.code for t in rules_at(session, now).ladder() if t.id == member.tier_id)


def member_day_price(session: Session, gift_id: int, member, now: datetime) -> int | None:
    """The member's tier price for a gift on today's member day (None: not today, or none)."""
    days = member_days(session)
    if member is None or not days.priced(gift_id) or not days.is_on(local_date(now)):
        return None
    return days.prices.get((gift_id, _tier_code(session, member, now)))


def member_day_prices(session: Session, member, now: datetime) -> dict[int, int]:
    """Gift id → today's member-day price for the member's tier ({} on other days)."""
    days = member_days(session)
    if member is None or not days.prices or not days.is_on(local_date(now)):
        return {}
    code = _tier_code(session, member, now)
    return {gift_id: points for (gift_id, tier), points in days.prices.items() if tier == code}


def unit_points(session: Session, gift, member, now: datetime) -> int:
    """The points price of one unit for this member now: the member-day price on the day."""
    special = member_day_price(session, gift.id, member, now)
    return gift.points_price if special is None else special


def price_until(session: Session, gift_id: int, now: datetime) -> datetime | None:
    """When a gift's price may next change by the calendar: the next brand-local midnight for
    a gift with member-day prices (None: not by the calendar)."""
    if not member_days(session).priced(gift_id):
        return None
    return local_midnight(local_date(now) + timedelta(days=1))
