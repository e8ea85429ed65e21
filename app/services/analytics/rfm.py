"""RFM scores from purchases (POS and counter), set-based: one DELETE and one INSERT … SELECT
(then the six rows of segment_totals the console reads).

Over the trailing 12 brand-local months (from the same date a year ago, Beijing midnight), for
every member with at least one purchase in it (a fully refunded purchase does not count; a
partly refunded one counts for what was kept):
- recency   = brand-local days since the last purchase; frequency = purchases;
  monetary  = fen paid net of refunds;
- each is scored 1–5 by quintile: score = 1 + ⌊5 × (rank − 1) ÷ n⌋, where rank is RANK() in the
  order worst → best (oldest, fewest, least first) and n the number of scored members, so equal
  values share a score (the lowest their tie reaches) and 5 is always the best fifth.
Members not scored are `lapsed` (bought only before the window) or `none` (never bought).
RANK() OVER and CTEs work on SQLite ≥ 3.25 and PostgreSQL alike.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from app.models import Member, MemberSegment, Order, PointLot, PosOrder, SegmentTotal, User
from app.models.types import UTCDateTime
from app.services.analytics.segments import CODES, segment_case
from app.services.console import audit
from app.services.points.balances import usable
from app.timeutil import add_months, local_date, local_midnight

LOCK_KEY = 7_204_131  # pg_advisory_xact_lock: one recompute at a time (SQLite: BEGIN IMMEDIATE)
WORK_MEM = "64MB"  # for this transaction only: the three rankings and the joins sort in memory
STANDING = ("to_pickup", "to_ship", "to_book", "completed")  # a redemption that was not undone
COLUMNS = [
    "member_id", "segment", "recency_days", "frequency", "monetary_fen", "r_score", "f_score",
    "m_score", "last_purchase_at", "balance", "held", "redeemed", "computed_at",
]  # fmt: skip


def window_midnights(now: datetime) -> list[datetime]:
    """The UTC start of every brand-local day in the window, oldest first (the first starts it)."""
    today = local_date(now)
    day, days = add_months(today, -12), []
    while day <= today:
        days.append(local_midnight(day))
        day += timedelta(days=1)
    return days


def days_ago(column, midnights: list[datetime]):
    """SQL: how many brand-local days before the last of `midnights` the instant `column` falls."""
    # A balanced CASE over the day starts (about nine comparisons a row): exact in any time zone,
    # daylight saving included, on both databases. `column` is at or after midnights[0].
    last = len(midnights) - 1

    def node(low: int, high: int):  # the day's index lies in [low, high]
        if low == high:
            return literal(last - low)
        mid = (low + high + 1) // 2
        return case((column >= midnights[mid], node(mid, high)), else_=node(low, mid - 1))

    return node(0, last)


def score(rank, n):
    """SQL: the 1–5 quintile of a RANK() among n members (integer arithmetic on both databases)."""
    return 1 + (5 * (rank - 1)) // n


def _purchases(start: datetime, until: datetime):
    """Per member who ever bought: last purchase, and frequency and net fen within the window."""
    inside = PosOrder.paid_at >= start
    net = PosOrder.paid_fen - PosOrder.refunded_fen
    return (
        select(
            PosOrder.member_id,
            func.max(PosOrder.paid_at).label("last_at"),
            func.count(case((inside, 1))).label("frequency"),
            func.coalesce(func.sum(case((inside, net), else_=0)), 0).label("monetary"),
        )
        .where(PosOrder.paid_fen > PosOrder.refunded_fen, PosOrder.paid_at < until)
        .group_by(PosOrder.member_id)
        .cte("bought")
    )


def _scores(bought, midnights: list[datetime]):
    """Recency in days and the three 1–5 scores of the members who bought within the window."""
    recent = (
        select(
            bought.c.member_id,
            days_ago(bought.c.last_at, midnights).label("recency_days"),
            bought.c.frequency,
            bought.c.monetary,
        )
        .where(bought.c.frequency > 0)
        .cte("recent")
    )
    ranked = select(
        recent.c.member_id,
        recent.c.recency_days,
        func.rank().over(order_by=recent.c.recency_days.desc()).label("r_rank"),
        func.rank().over(order_by=recent.c.frequency).label("f_rank"),
        func.rank().over(order_by=recent.c.monetary).label("m_rank"),
        func.count().over().label("n"),
    ).cte("ranked")
    r, f, m = (score(ranked.c[k], ranked.c.n) for k in ("r_rank", "f_rank", "m_rank"))
    return select(
        ranked.c.member_id,
        ranked.c.recency_days,
        r.label("r"),
        f.label("f"),
        m.label("m"),
    ).cte("scores")


def _points(now: datetime):
    """Per member with points on a lot: available now, and pending."""
    available = and_(PointLot.available_at <= now, usable(now))
    return (
        select(
            PointLot.member_id,
            func.sum(case((available, PointLot.remaining), else_=0)).label("balance"),
            func.sum(case((PointLot.available_at > now, PointLot.remaining), else_=0)).label(
                "pending"
            ),
        )
        .where(PointLot.remaining > 0)
        .group_by(PointLot.member_id)
        .cte("points")
    )


def _redeemers(start: datetime, until: datetime):
    """The members with a standing redemption (an order not cancelled or refunded) in the window."""
    return (
        select(Order.member_id)
        .where(Order.created_at >= start, Order.created_at < until, Order.status.in_(STANDING))
        .group_by(Order.member_id)
        .cte("redeemers")
    )


def _segment(scores, bought):
    """The segment from the member's scores; 'lapsed' when they bought but have no score."""
    return case(
        (scores.c.member_id.is_not(None), segment_case(scores.c.r, scores.c.f, scores.c.m)),
        (bought.c.member_id.is_not(None), "lapsed"),
        else_="none",
    )


def rows_as_of(now: datetime):
    """SELECT: every member's row of member_segments as of `now`, in COLUMNS order."""
    midnights = window_midnights(now)
    start, until = midnights[0], local_midnight(local_date(now) + timedelta(days=1))
    bought = _purchases(start, until)
    scores, points, redeemers = _scores(bought, midnights), _points(now), _redeemers(start, until)
    segment = _segment(scores, bought)
    balance = func.coalesce(points.c.balance, 0)
    return (
        select(
            Member.id,
            segment,
            scores.c.recency_days,
            func.coalesce(bought.c.frequency, 0),
            func.coalesce(bought.c.monetary, 0),
            scores.c.r,
            scores.c.f,
            scores.c.m,
            bought.c.last_at,
            balance,
            balance + func.coalesce(points.c.pending, 0) - Member.debt,
            redeemers.c.member_id.is_not(None),
            literal(now, UTCDateTime),
        )
        .select_from(Member)
        .outerjoin(bought, bought.c.member_id == Member.id)
        .outerjoin(scores, scores.c.member_id == Member.id)
        .outerjoin(points, points.c.member_id == Member.id)
        .outerjoin(redeemers, redeemers.c.member_id == Member.id)
    )


def recompute(session: Session, now: datetime) -> int:
    """Replace every member's scores and segment with those as of `now`; how many members."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))  # sorts in memory
    table = MemberSegment.__table__
    session.execute(delete(table))
    session.execute(insert(table).from_select(COLUMNS, rows_as_of(now)))
    return _write_totals(session, now)


def _write_totals(session: Session, now: datetime) -> int:
    """Each segment's totals (all six, empty ones too) from the rows just written; the members."""
    s = MemberSegment
    stmt = select(
        s.segment,
        func.count(),
        func.coalesce(func.sum(s.balance), 0),
        func.coalesce(func.sum(s.held), 0),
        func.coalesce(func.sum(case((s.redeemed, 1), else_=0)), 0),
    ).group_by(s.segment)
    found = {row[0]: [int(v) for v in row[1:]] for row in session.execute(stmt)}
    session.execute(delete(SegmentTotal.__table__))
    rows = []
    for code in CODES:
        members, balance, held, redeemed = found.get(code, [0, 0, 0, 0])
        rows.append(dict(segment=code, members=members, balance=balance, held=held,
                         redeemed=redeemed, computed_at=now))  # fmt: skip
    session.execute(insert(SegmentTotal.__table__), rows)
    return sum(row["members"] for row in rows)


def recompute_by(session: Session, actor: User, *, now: datetime) -> int:
    """An operator's recompute on demand, written to the audit log; how many members."""
    count = recompute(session, now)
    audit.record(
        session, actor, "segments.recompute", "segments", now=now, summary=f"{count} members"
    )
    return count
