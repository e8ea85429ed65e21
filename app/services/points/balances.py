"""Ledger reads: available, pending and expiring points (the writes are in ledger.py)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, event, func, or_, select
from sqlalchemy.orm import Session

from app import reads
from app.cache import request_memo
from app.models import HeldLot, LedgerEntry, PointLot, PointTransaction
from app.timeutil import last_valid_day

OPEN_LOTS = reads.baked(
    select(
        PointLot.available_at, PointLot.expires_at, PointLot.earned_at, PointLot.remaining
    ).where(PointLot.member_id == bindparam("member_id"), PointLot.remaining > 0)
)


@dataclass(frozen=True)
class Expiring:
    """Points that stop being usable after `last_day` (brand-local)."""

    points: int
    last_day: date


def usable(now: datetime):
    """The condition for a lot that has not expired at `now`."""
    return or_(PointLot.expires_at.is_(None), PointLot.expires_at > now)


def _balance(member_id: int, now: datetime):
    return select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.member_id == member_id,
        PointLot.remaining > 0,
        PointLot.available_at <= now,
        usable(now),
    )


def balance(session: Session, member_id: int, now: datetime) -> int:
    """Available points: what remains on lots that are available and unexpired now."""
    return int(session.scalar(_balance(member_id, now)))


def pending(session: Session, member_id: int, now: datetime) -> int:
    """Points credited but not yet available (pending period)."""
    stmt = select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.member_id == member_id, PointLot.remaining > 0, PointLot.available_at > now
    )
    return int(session.scalar(stmt))


def _held(member_id: int, ref: str | None):
    stmt = (
        select(func.coalesce(func.sum(PointLot.remaining), 0))
        .join(HeldLot, HeldLot.lot_id == PointLot.id)
        .where(HeldLot.member_id == member_id, HeldLot.released_at.is_(None))
    )
    return stmt.where(PointLot.ref == ref) if ref is not None else stmt


def held(session: Session, member_id: int, ref: str | None = None) -> int:
    """Points credited while the member was frozen and not yet released (of one `ref`, if given);
    they are part of `pending` until then."""
    return int(session.scalar(_held(member_id, ref)))


# The balance of `member_id` at `now`, as a column of a statement built once.
BALANCE_OF = _balance(bindparam("member_id"), bindparam("now")).scalar_subquery()

BALANCE_AND_HELD = reads.baked(
    select(
        BALANCE_OF,
        _held(bindparam("member_id"), bindparam("ref")).scalar_subquery(),
    )
)


def balance_and_held(session: Session, member_id: int, now: datetime, ref: str) -> tuple[int, int]:
    """`balance` and `held` of one `ref`, in one statement (the POS answer to an order)."""
    params = {"member_id": member_id, "now": now, "ref": ref}
    available, waiting = reads.execute(session, BALANCE_AND_HELD, params).one()
    return int(available), int(waiting)


def expiring(session: Session, member_id: int, now: datetime, days: int = 30) -> list[Expiring]:
    """Available points expiring within `days`, grouped by their last usable local day."""
    stmt = (
        select(PointLot.expires_at, PointLot.remaining)
        .where(
            PointLot.member_id == member_id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            PointLot.expires_at > now,
            PointLot.expires_at <= now + timedelta(days=days),
        )
        .order_by(PointLot.expires_at)
    )
    totals: dict[date, int] = {}
    for expires_at, remaining in session.execute(stmt):
        day = last_valid_day(expires_at)
        totals[day] = totals.get(day, 0) + remaining
    return [Expiring(points, day) for day, points in totals.items()]


@dataclass(frozen=True)
class Summary:
    """A member's open lots at one instant, and what /me and every badge read from them."""

    now: datetime
    lots: tuple  # (available_at, expires_at, earned_at, remaining) with remaining > 0

    @property
    def balance(self) -> int:
        """What `balance` answers: available and unexpired now."""
        now = self.now
        return sum(r for a, e, _, r in self.lots if a <= now and (e is None or e > now))

    @property
    def pending(self) -> int:
        """What `pending` answers: credited, not yet available."""
        return sum(r for a, _, _, r in self.lots if a > self.now)

    def expiring(self, days: int = 30) -> list[Expiring]:
        """What `expiring` answers, from the same rows."""
        now, until = self.now, self.now + timedelta(days=days)
        due = sorted((e, r) for a, e, _, r in self.lots if a <= now and e and now < e <= until)
        totals: dict[date, int] = {}
        for expires_at, remaining in due:
            day = last_valid_day(expires_at)
            totals[day] = totals.get(day, 0) + remaining
        return [Expiring(points, day) for day, points in totals.items()]

    def earned_before(self, instant: datetime) -> int:
        """Points on unexpired lots earned before `instant` (what a clearing would take)."""
        now = self.now
        return sum(r for _, e, t, r in self.lots if t < instant and (e is None or e > now))


def summary(session: Session, member_id: int, now: datetime) -> Summary:
    """The member's open lots in one query."""
    rows = reads.execute(session, OPEN_LOTS, {"member_id": member_id}).tuples()
    return Summary(now, tuple(rows))


def current(session: Session, member_id: int, now: datetime) -> Summary:
    """`summary`, read once per request (a ledger write in the request reads it again)."""
    memo = request_memo()
    if memo is None:
        return summary(session, member_id, now)
    found = memo.get(("points", member_id))
    if found is None:
        found = memo[("points", member_id)] = summary(session, member_id, now)
    return found


def known(member_id: int) -> bool:
    """Whether this request already read the member's lots."""
    memo = request_memo()
    return memo is not None and ("points", member_id) in memo


def remember(member_id: int, found: Summary) -> None:
    """Keep a summary read along with something else (one query for a page's member bits)."""
    memo = request_memo()
    if memo is not None:
        memo[("points", member_id)] = found


LEDGER_TYPES = (PointLot, PointTransaction, LedgerEntry)


@event.listens_for(Session, "after_flush")
def _forget_on_write(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, LEDGER_TYPES) for obj in changed):
        forget()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(_session: Session) -> None:
    forget()


def forget() -> None:
    """Drop what this request read of members' points (they have just been written)."""
    memo = request_memo()
    if memo:
        for key in [k for k in memo if isinstance(k, tuple) and k[0] == "points"]:
            del memo[key]
