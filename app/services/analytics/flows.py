"""Monthly points flows (issued, consumed, expired) with growth rates; months are brand-local."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, literal, select
from sqlalchemy.orm import Session

from app.models import Member, PointTransaction, PosOrder, Tier
from app.services.analytics import definitions as d
from app.timeutil import add_months, local_date, local_midnight

MAX_MONTHS = 120


@dataclass(frozen=True)
class Filters:
    """What the flows narrow to: a store's purchases, a tier's members, one earning source."""

    store: str = ""
    tier: str = ""
    channel: str = ""


@dataclass(frozen=True)
class MonthFlow:
    """One brand-local month: the three figures and their month-over-month growth (%)."""

    month: date
    issued: int
    consumed: int
    expired: int
    issued_growth: Decimal | None
    consumed_growth: Decimal | None
    expired_growth: Decimal | None
    issued_yoy: Decimal | None = None

    @property
    def label(self) -> str:
        """YYYY-MM."""
        return f"{self.month:%Y-%m}"


def growth(current: int, prior: int) -> Decimal | None:
    """(current − prior) / prior as a percentage with one decimal; None when prior is 0."""
    if prior == 0:
        return None
    return (Decimal(current - prior) * 100 / Decimal(prior)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def months(first: date, last: date) -> list[date]:
    """The first days of every month from `first`'s to `last`'s, oldest first (bounded)."""
    start, end = first.replace(day=1), last.replace(day=1)
    out = []
    while start <= end and len(out) < MAX_MONTHS:
        out.append(start)
        start = add_months(start, 1)
    return out


def _bucket(starts: list[datetime]):
    """SQL: the index of the month a transaction falls in (boundaries in UTC)."""
    whens = [(PointTransaction.created_at < b, i) for i, b in enumerate(starts[1:])]
    return case(*whens, else_=literal(len(starts) - 2)) if whens else literal(0)


def _narrow(stmt, f: Filters):
    if f.tier:
        stmt = (
            stmt.join(Member, Member.id == PointTransaction.member_id)
            .join(Tier, Tier.id == Member.tier_id)
            .where(Tier.code == f.tier)
        )
    if f.store:
        stmt = stmt.join(
            PosOrder, PointTransaction.ref == literal("order:") + PosOrder.order_no
        ).where(PosOrder.store_code == f.store)
    if f.channel:
        stmt = stmt.where(PointTransaction.source == f.channel)
    return stmt


def sums(session: Session, starts: list[datetime], f: Filters) -> dict[int, tuple[int, int, int]]:
    """(issued, consumed, expired) per month index, for months bounded by `starts`."""
    bucket = _bucket(starts).label("bucket")
    stmt = select(bucket, d.total(d.issued), d.total(d.consumed), d.total(d.expired)).where(
        PointTransaction.created_at >= starts[0], PointTransaction.created_at < starts[-1]
    )
    stmt = _narrow(stmt, f).group_by(bucket)
    return {int(b): (int(i), int(c), int(e)) for b, i, c, e in session.execute(stmt)}


def monthly(session: Session, first: date, last: date, f: Filters = Filters()) -> list[MonthFlow]:
    """One row per brand-local month from `first` to `last`, with MoM growth and issued YoY."""
    shown = months(first, last)
    span = [add_months(shown[0], k) for k in range(-12, 0)] + shown  # a year before, for YoY
    starts = [local_midnight(m) for m in span] + [local_midnight(add_months(span[-1], 1))]
    figures = sums(session, starts, f)
    rows, zero = [], (0, 0, 0)
    for index in range(12, len(span)):
        cur, prior, year_ago = (figures.get(index - k, zero) for k in (0, 1, 12))
        rows.append(
            MonthFlow(
                span[index],
                *cur,
                growth(cur[0], prior[0]),
                growth(cur[1], prior[1]),
                growth(cur[2], prior[2]),
                growth(cur[0], year_ago[0]),
            )  # fmt: skip
        )
    return rows


def outstanding(session: Session, at: datetime) -> int:
    """Points members held at an instant: the sum of every movement before it."""
    stmt = select(d.total(d.movement)).where(PointTransaction.created_at < at)
    return int(session.scalar(stmt))


def current_month(now: datetime) -> date:
    """The brand-local month containing now (its first day)."""
    return local_date(now).replace(day=1)
