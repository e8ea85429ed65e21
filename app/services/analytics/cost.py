"""What the points cost the brand: point value, liability (gross and net of breakage), health."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Gift, Order, PointLot
from app.services.analytics import figures, flows
from app.timeutil import add_months, last_valid_day, local_midnight

REDEEMED = ("to_pickup", "to_ship", "to_book", "completed", "shipped")
HEALTHY_BAND = Decimal(15)  # consumption within ±15 % of issuing is healthy


def point_value_fen(cost_fen: int, cash_fen: int, points: int) -> Decimal | None:
    """(cost − cash part) / points, in fen per point: ¥3,200 for 1,500 points → 213.33 fen."""
    if points <= 0:
        return None
    return (Decimal(cost_fen - cash_fen) / points).quantize(Decimal("0.01"), ROUND_HALF_UP)


def average_value(session: Session, since: datetime, until: datetime) -> Fraction | None:
    """Redemption-weighted value of a point in fen, exactly: Σ(cost − cash paid) / Σ points."""
    value, points = session.execute(
        select(
            func.coalesce(func.sum(Gift.cost_fen * Order.qty - Order.cash_due_fen), 0),
            func.coalesce(func.sum(Order.points + Order.points_for_cash), 0),
        )
        .join(Gift, Gift.id == Order.gift_id)
        .where(Order.status.in_(REDEEMED), Order.created_at >= since, Order.created_at < until)
        .where(Order.points + Order.points_for_cash > 0)  # a gift given (birthday) costs no points
    ).one()
    return Fraction(int(value), int(points)) if points else None


def _trailing(session: Session, now: datetime, months: int, direct=False) -> tuple[int, int, int]:
    start = local_midnight(add_months(flows.current_month(now), -months + 1))
    return figures.total(session, start, now, direct=direct)[:3]


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Health:
    """Consumption ÷ issuing over the trailing three months, and what to do about it."""

    ratio: Decimal | None
    verdict: str  # healthy | issuing_outruns | consumption_outruns | no_data


def health(session: Session, now: datetime, *, direct: bool = False) -> Health:
    """The health index (积分健康) for the three brand-local months up to now."""
    issued, consumed, _ = _trailing(session, now, 3, direct)
    ratio = percent(consumed, issued)
    if ratio is None:
        return Health(None, "no_data")
    if ratio < 100 - HEALTHY_BAND:
        return Health(ratio, "issuing_outruns")
    if ratio > 100 + HEALTHY_BAND:
        return Health(ratio, "consumption_outruns")
    return Health(ratio, "healthy")


@dataclass(frozen=True)
class Liability:
    """Outstanding points in yuan: gross at the average point value, and net of breakage."""

    outstanding: int
    value_fen: Decimal | None  # per point
    gross_fen: int
    breakage: Decimal | None  # % of issued that expired, trailing 12 months
    net_fen: int


def liability(session: Session, now: datetime, *, direct: bool = False) -> Liability:
    """What members hold, priced at the trailing year's redemption-weighted point value."""
    outstanding = flows.outstanding(session, now, direct=direct)
    exact = average_value(session, now - timedelta(days=365), now)
    gross = math.floor(outstanding * exact) if exact is not None else 0
    value = point_value_fen(exact.numerator, 0, exact.denominator) if exact is not None else None
    issued, _, expired = _trailing(session, now, 12, direct)
    breakage = percent(expired, issued)
    net = math.floor(gross * (100 - breakage) / 100) if breakage is not None else gross
    return Liability(outstanding, value, gross, breakage, net)


def expiring_by_month(session: Session, now: datetime, months: int = 12) -> list[tuple[date, int]]:
    """Points that expire in each coming brand-local month (by their last usable day)."""
    horizon = local_midnight(add_months(flows.current_month(now), months))
    rows = session.execute(
        select(PointLot.expires_at, func.sum(PointLot.remaining))
        .where(PointLot.remaining > 0, PointLot.expires_at > now, PointLot.expires_at <= horizon)
        .group_by(PointLot.expires_at)
    )  # lots share a few expiry instants (midnights): one row each, by the open-lots index
    totals: dict[date, int] = {}
    for expires_at, remaining in rows:
        month = last_valid_day(expires_at).replace(day=1)
        totals[month] = totals.get(month, 0) + int(remaining)
    first = flows.current_month(now)
    return [(m, totals.get(m, 0)) for m in (add_months(first, k) for k in range(months))]
