"""Sums of the README's figures over a time range, read from the rollups: whole brand-local days
from points_daily (ids up to the cursor) plus the facts after the cursor (the small tail the job
has not reached), and the facts of the part-days at the range's edges (by created_at, indexed).
So a figure is exact the instant after a write, and no page scans the ledger.
`direct=True` reads the ledger's facts only: the reference the tests and the bench compare with.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PointsDaily, PointTransaction, Tier
from app.services.analytics.facts import FIGURES, facts
from app.services.analytics.rollups import position
from app.timeutil import local_date, local_midnight

Figures = tuple[int, int, int, int]  # issued, consumed, expired, for_cash
Keys = Callable[[object], list]  # a relation's columns → the expressions to group by


@dataclass(frozen=True)
class Narrow:
    """Only a store's purchases, a tier's members, one earning source (empty: everything)."""

    store: str = ""
    tier: str = ""
    channel: str = ""


def _narrowed(c, n: Narrow) -> list:
    out = [c.store == n.store] if n.store else []
    if n.tier:
        out.append(c.tier_id == select(Tier.id).where(Tier.code == n.tier).scalar_subquery())
    return out + ([c.source == n.channel] if n.channel else [])


def _days(since: datetime | None, until: datetime) -> tuple[date | None, date]:
    """The whole brand-local days inside [since, until): first (None: unbounded) and end."""
    first = None
    if since is not None:
        first = local_date(since)
        first += timedelta(days=local_midnight(first) < since)
    return first, local_date(until)


def _sum(session: Session, rel, keys: Keys, where: list, into: dict) -> None:
    c = rel.c
    group = [key.label(f"key{i}") for i, key in enumerate(keys(c))]  # grouped by its label
    stmt = select(*group, *(func.coalesce(func.sum(c[k]), 0) for k in FIGURES)).where(*where)
    for row in session.execute(stmt.group_by(*group) if group else stmt):
        key, values = tuple(row[: len(group)]), row[len(group) :]
        old = into.get(key, (0, 0, 0, 0))
        into[key] = tuple(a + int(b) for a, b in zip(old, values, strict=True))


def _day_range(c, first: date | None, end: date) -> list:
    return ([c.day >= first] if first is not None else []) + [c.day < end]


def _edges(since: datetime | None, until: datetime, first: date | None, end: date) -> list:
    """The part-day instants of [since, until) outside its whole days, as (from, to) pairs."""
    start_end = local_midnight(end)
    if first is not None and first >= end:
        return [(since, until)]
    out = [(since, local_midnight(first))] if first is not None and since is not None else []
    return [(a, b) for a, b in [*out, (start_end, until)] if a < b]


def _nothing_from(session: Session, until: datetime) -> bool:
    """No transaction at or after `until` (one look at the created_at index's last entry)."""
    last = session.scalar(select(func.max(PointTransaction.created_at)))
    return last is None or last < until


def sums(
    session: Session,
    since: datetime | None,
    until: datetime,
    keys: Keys = lambda c: [],
    n: Narrow = Narrow(),
    *,
    direct: bool = False,
) -> dict[tuple, Figures]:
    """(issued, consumed, expired, for_cash) per key over [since, until) (since None: all)."""
    out: dict[tuple, Figures] = {}
    T = PointTransaction
    if direct:
        rel = facts(session, T.created_at < until, *([T.created_at >= since] if since else []))
        _sum(session, rel, keys, _narrowed(rel.c, n), out)
        return out
    first, end = _days(since, until)
    if _nothing_from(session, until):  # the usual `until`, now: today's rows are all before it,
        end += timedelta(days=1)  # so today is a whole day of the rollups, not a scanned edge
    if first is None or first < end:
        table, cursor = PointsDaily.__table__, position(session)
        _sum(session, table, keys, _day_range(table.c, first, end) + _narrowed(table.c, n), out)
        tail = facts(session, T.id > cursor)
        _sum(session, tail, keys, _day_range(tail.c, first, end) + _narrowed(tail.c, n), out)
    for low, high in _edges(since, until, first, end):
        edge = facts(session, T.created_at >= low, T.created_at < high)
        _sum(session, edge, keys, _narrowed(edge.c, n), out)
    return out


def total(session: Session, since, until, n: Narrow = Narrow(), *, direct=False) -> Figures:
    """The figures over the range, all keys together."""
    return sums(session, since, until, n=n, direct=direct).get((), (0, 0, 0, 0))
