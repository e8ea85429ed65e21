"""What a member's orders use up: units per gift and limit period, flash claims, gifts ordered."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, bindparam, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from app import reads
from app.models import Gift, Order
from app.services.points import balances
from app.timeutil import local_date, local_midnight

OPEN_STATUSES = ("pending_payment", "to_pickup", "to_ship", "to_book", "completed")


def period_start(period: str, now: datetime) -> datetime | None:
    """Start of the brand-local day/week/month containing now (None for a lifetime limit)."""
    today = local_date(now)
    if period == "day":
        return local_midnight(today)
    if period == "week":
        return local_midnight(today - timedelta(days=today.weekday()))
    if period == "month":
        return local_midnight(today.replace(day=1))
    return None


def redeemed_qty(session: Session, member_id: int, gift: Gift, now: datetime) -> int:
    """Units of this gift the member holds in open or completed orders in the limit period."""
    stmt = select(func.coalesce(func.sum(Order.qty), 0)).where(
        Order.member_id == member_id,
        Order.gift_id == gift.id,
        Order.status.in_(OPEN_STATUSES),
        Order.flash_event_id.is_(None),
    )
    start = period_start(gift.limit_period or "total", now)
    if start is not None:
        stmt = stmt.where(Order.created_at >= start)
    return int(session.scalar(stmt))


_OPEN = Order.status.in_(OPEN_STATUSES)


def _since(name: str):
    return func.coalesce(
        func.sum(case((and_(_OPEN, Order.created_at >= bindparam(name)), Order.qty), else_=0)), 0
    )


USAGE = reads.baked(
    select(
        Order.gift_id,
        Order.flash_event_id,
        func.coalesce(func.sum(case((_OPEN, Order.qty), else_=0)), 0),
        _since("day"),
        _since("week"),
        _since("month"),
    )
    .where(Order.member_id == bindparam("member_id"))
    .group_by(Order.gift_id, Order.flash_event_id)
)
PERIODS = ("total", "day", "week", "month")


@dataclass(frozen=True)
class Usage:
    """What a member's orders use up: gift limits per period, flash claims, gifts ever ordered."""

    gifts: dict  # gift id -> open units (total, this day, this week, this month), flash excluded
    flash: dict  # flash event id -> open units
    ordered: frozenset  # every gift id the member ever ordered (any status)

    def used(self, gift) -> int:
        """What `redeemed_qty` answers for this gift and its limit period."""
        return self.gifts.get(gift.id, (0, 0, 0, 0))[PERIODS.index(gift.limit_period or "total")]


def params(member_id: int, now: datetime) -> dict:
    """The parameters of USAGE and MEMBER_BITS for a member at an instant."""
    return {"member_id": member_id} | {p: period_start(p, now) for p in PERIODS[1:]}


def tally(rows) -> Usage:
    """The usage of rows of USAGE: (gift id, flash event id, units total, day, week, month)."""
    gifts, flash, ordered = {}, {}, set()
    for gift_id, event_id, *units in rows:
        ordered.add(gift_id)
        if event_id is None:
            gifts[gift_id] = tuple(int(u) for u in units)
        else:
            flash[event_id] = flash.get(event_id, 0) + int(units[0])
    return Usage(gifts, flash, frozenset(ordered))


def usage(session: Session, member_id: int, now: datetime) -> Usage:
    """One query for every limit, claim and order of the member."""
    return tally(reads.execute(session, USAGE, params(member_id, now)).tuples())


# The member's open lots and orders in one statement (a row per lot, then a row per gift and
# flash event ordered): the balance and every limit and claim a page shows.
_NONE = cast(null(), Integer)
MEMBER_BITS = reads.baked(
    union_all(
        select(literal(0), *balances.OPEN_LOTS.selected_columns, _NONE, _NONE, *[_NONE] * 4).where(
            *balances.OPEN_LOTS.whereclause.clauses
        ),
        select(literal(1), null(), null(), null(), _NONE, *USAGE.selected_columns)
        .where(Order.member_id == bindparam("member_id"))
        .group_by(Order.gift_id, Order.flash_event_id),
    )
)


def member_bits(session: Session, member_id: int, now: datetime) -> Usage:
    """`usage`, and the member's points summary remembered for this request, in one query."""
    lots, orders = [], []
    for part, *row in reads.execute(session, MEMBER_BITS, params(member_id, now)).tuples():
        (orders if part else lots).append(row[4:] if part else row[:4])
    balances.remember(member_id, balances.Summary(now, tuple(tuple(r) for r in lots)))
    return tally(orders)
