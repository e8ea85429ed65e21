"""Monthly points flows (issued, consumed, expired) with growth rates; months are brand-local."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, literal
from sqlalchemy.orm import Session

from app.services.analytics import figures
from app.timeutil import add_months, local_date, local_midnight

MAX_MONTHS = 120


Filters = figures.Narrow  # what the flows narrow to: a store, a tier, one earning source
EVERYTHING = Filters()


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


def _bucket(days: list[date]):
    """The month index of a relation's day column, for months starting on `days`."""

    def keys(c):
        whens = [(c.day < b, i) for i, b in enumerate(days[1:])]
        return [case(*whens, else_=literal(len(days) - 2)) if whens else literal(0)]

    return keys


def sums(
    session: Session, starts: list[datetime], f: Filters, *, direct: bool = False
) -> dict[int, tuple[int, int, int]]:
    """(issued, consumed, expired) per month index, for months bounded by `starts`."""
    keys = _bucket([local_date(s) for s in starts])
    got = figures.sums(session, starts[0], starts[-1], keys, f, direct=direct)
    return {int(b): (i, c, e) for (b,), (i, c, e, _) in got.items()}


def monthly(
    session: Session, first: date, last: date, f: Filters = EVERYTHING, *, direct: bool = False
) -> list[MonthFlow]:
    """One row per brand-local month from `first` to `last`, with MoM growth and issued YoY."""
    shown = months(first, last)
    span = [add_months(shown[0], k) for k in range(-12, 0)] + shown  # a year before, for YoY
    starts = [local_midnight(m) for m in span] + [local_midnight(add_months(span[-1], 1))]
    got = sums(session, starts, f, direct=direct)
    rows, zero = [], (0, 0, 0)
    for index in range(12, len(span)):
        cur, prior, year_ago = (got.get(index - k, zero) for k in (0, 1, 12))
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


def outstanding(session: Session, at: datetime, *, direct: bool = False) -> int:
    """Points members held at an instant: the sum of every movement before it."""
    issued, consumed, expired, _ = figures.total(session, None, at, direct=direct)
    return issued - consumed - expired


def current_month(now: datetime) -> date:
    """The brand-local month containing now (its first day)."""
    return local_date(now).replace(day=1)
