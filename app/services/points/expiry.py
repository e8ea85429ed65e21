"""The expiry job's ledger write: every lot due by a date expires, set-based and idempotent."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.models import LedgerEntry, Member, PointLot, PointTransaction
from app.models.types import UTCDateTime
from app.services.points.ledger import LedgerError
from app.timeutil import brand_tz, local_date, local_midnight


class ExpiryAhead(LedgerError):
    """Expiry was asked to run ahead of time: points still valid would be taken."""

    def __init__(self, asked: str, limit: str):
        super().__init__(
            f"{asked} is after {limit}: points still valid would expire; "
            "expiry never runs ahead of time"
        )


def cutoff(day: date | None, now: datetime) -> datetime:
    """The instant a run "as of" a brand-local day expires up to: the end of a past day, now for
    today (or no day); a later day is refused with ExpiryAhead."""
    today = local_date(now)
    if day is not None and day > today:
        raise ExpiryAhead(f"{day}", f"today ({today}, brand-local)")
    if day is None or day == today:
        return now
    return local_midnight(day + timedelta(days=1))


TXN_COLUMNS = [
    "member_id", "kind", "source", "points", "debt_delta", "idem_key", "ref", "memo", "created_at",
]  # fmt: skip
ENTRY_COLUMNS = ["txn_id", "member_id", "lot_id", "points", "idem_key", "created_at"]


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(brand_tz()):%Y-%m-%d %H:%M}"


def lock_due(session: Session, due) -> None:
    """Lock the members owning the `due` lots, then the lots: the order every writer uses.

    Lots first deadlocks with a request that holds its member and spends or restores a due lot:
    the job's INSERT of the expiry transaction waits for that member row (its foreign-key check).
    """
    owners = select(PointLot.member_id).where(due)
    session.execute(
        select(Member.id).where(Member.id.in_(owners)).order_by(Member.id).with_for_update()
    ).all()
    session.execute(select(PointLot.id).where(due).with_for_update()).all()


def insert_txns(session: Session, rows) -> list[int]:
    """INSERT … SELECT the transactions of a set-based write; their ids."""
    stmt = insert(PointTransaction).from_select(TXN_COLUMNS, rows).returning(PointTransaction.id)
    return list(session.scalars(stmt))


def take_lots(session: Session, due, key, entry_key, stamp, txn_ids: list[int]) -> int:
    """One entry per `due` lot taking all it holds, under the transaction keyed `key` (one of
    `txn_ids`, just inserted), then the lots emptied; how many lots."""
    entries = (
        select(
            PointTransaction.id,
            PointLot.member_id,
            PointLot.id,
            -PointLot.remaining,
            entry_key,
            stamp,
        )
        # the ids just written, not the key (an expression: matched by scanning every txn)
        .join(
            PointTransaction,
            and_(
                PointTransaction.id.in_(txn_ids),
                PointTransaction.member_id == PointLot.member_id,
                PointTransaction.idem_key == key,
            ),
        )
        .where(due)
    )
    session.execute(insert(LedgerEntry).from_select(ENTRY_COLUMNS, entries))
    result = session.execute(
        update(PointLot).where(due).values(remaining=0).execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount


def _lot_key():
    """A lot's expiry key, as SQL: with the lot's entry count, so a lot restored after expiring
    expires again, once."""
    entry_count = (
        select(func.count(LedgerEntry.id))
        .where(LedgerEntry.lot_id == PointLot.id)
        .scalar_subquery()
    )
    return literal("expire:") + cast(PointLot.id, String) + literal(":") + cast(entry_count, String)


def expire(
    session: Session, as_of: datetime, *, now: datetime, members: tuple[int, int] | None = None
) -> int:
    """Expire every lot whose expiry is at or before `as_of`, set-based; safe to re-run.

    `as_of` may not be after `now` (ExpiryAhead): lots still valid are never expired early.
    `members=(low, high)` limits the run to member ids low ≤ id < high (the job's batches).
    """
    if as_of > now:
        raise ExpiryAhead(f"as of {_local(as_of)}", f"now ({_local(now)}, brand-local)")
    due = and_(PointLot.remaining > 0, PointLot.expires_at <= as_of)
    if members is not None:
        due = and_(due, PointLot.member_id >= members[0], PointLot.member_id < members[1])
    lock_due(session, due)
    key = _lot_key()
    stamp = literal(now, UTCDateTime)
    per_lot = select(
        PointLot.member_id, literal("expire"), PointLot.source, -PointLot.remaining, literal(0),
        key, literal(""), literal(""), stamp,
    ).where(due)  # fmt: skip
    if not (txn_ids := insert_txns(session, per_lot)):
        return 0
    return take_lots(session, due, key, PointTransaction.idem_key + literal("#0"), stamp, txn_ids)


BATCH = 2_000  # members per transaction: a run never locks more, nor for long


def expire_in_batches(
    session: Session, as_of: datetime, *, now: datetime, batch: int | None = None
) -> Iterator[int]:
    """`expire` a range of `batch` (default BATCH) member ids at a time, yielding the lots of
    each; the caller commits after every yield, so a member outside the running batch is never
    waited on."""
    for members in member_ranges(session, batch or BATCH):
        yield expire(session, as_of, now=now, members=members)


def member_ranges(session: Session, batch: int) -> list[tuple[int, int]]:
    """The (low, high) member id ranges of `batch` ids covering 0..max(Member.id)."""
    last = session.scalar(select(func.max(Member.id))) or 0
    return [(low, low + batch) for low in range(0, last + 1, batch)]
