"""Reconciliation: balance = sum of entries = sum of lot remainders, nothing negative."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import LedgerEntry, Member, PointLot, PointTransaction


def _summed(key, value):
    """SUM(value) per key, as a subquery with the columns (key, total)."""
    return select(key, func.sum(value).label("total")).group_by(key).subquery()


def _lot_mismatches(session: Session) -> list[str]:
    sums = _summed(LedgerEntry.lot_id, LedgerEntry.points)
    rows = session.execute(
        select(PointLot.id, PointLot.member_id, PointLot.remaining, sums.c.total)
        .outerjoin(sums, sums.c.lot_id == PointLot.id)
        .where(func.coalesce(sums.c.total, 0) != PointLot.remaining)
    )
    return [
        f"member {m}: lot {lot} remaining {rem} but its entries sum to {total or 0}"
        for lot, m, rem, total in rows
    ]


def _txn_mismatches(session: Session) -> list[str]:
    sums = _summed(LedgerEntry.txn_id, LedgerEntry.points)
    rows = session.execute(
        select(
            PointTransaction.id, PointTransaction.member_id, PointTransaction.points, sums.c.total
        )
        .outerjoin(sums, sums.c.txn_id == PointTransaction.id)
        .where(func.coalesce(sums.c.total, 0) != PointTransaction.points)
    )
    return [
        f"member {m}: transaction {txn} says {pts} but its entries sum to {total or 0}"
        for txn, m, pts, total in rows
    ]


def _member_mismatches(session: Session) -> list[str]:
    problems = []
    for member, debt, entry_sum, lot_sum, debt_sum in session.execute(_MEMBER_SUMS):
        if entry_sum != lot_sum:
            problems.append(f"member {member}: entries sum to {entry_sum}, lots to {lot_sum}")
        if debt != debt_sum or debt < 0:
            problems.append(f"member {member}: debt {debt} but the ledger says {debt_sum}")
    return problems


_ENTRIES = _summed(LedgerEntry.member_id, LedgerEntry.points)
_LOTS = _summed(PointLot.member_id, PointLot.remaining)
_DEBTS = _summed(PointTransaction.member_id, PointTransaction.debt_delta)
# per member: the debt it carries, and what its entries, lots and debt movements add up to
_MEMBER_SUMS = (
    select(
        Member.id,
        Member.debt,
        func.coalesce(_ENTRIES.c.total, 0),
        func.coalesce(_LOTS.c.total, 0),
        func.coalesce(_DEBTS.c.total, 0),
    )
    .outerjoin(_ENTRIES, _ENTRIES.c.member_id == Member.id)
    .outerjoin(_LOTS, _LOTS.c.member_id == Member.id)
    .outerjoin(_DEBTS, _DEBTS.c.member_id == Member.id)
)


def _books(session: Session) -> list[str]:
    """The books close: every movement ever (issued − consumed − expired) = what is held − debt."""
    moved = session.scalar(
        select(func.coalesce(func.sum(PointTransaction.points - PointTransaction.debt_delta), 0))
    )
    held = session.scalar(select(func.coalesce(func.sum(PointLot.remaining), 0)))
    debt = session.scalar(select(func.coalesce(func.sum(Member.debt), 0)))
    if moved != held - debt:
        return [f"books do not close: movements sum to {moved}, lots hold {held}, debt {debt}"]
    return []


def audit(session: Session) -> list[str]:
    """Every inconsistency in the ledger, as human-readable lines; empty when all adds up."""
    negative = session.scalars(select(PointLot.id).where(PointLot.remaining < 0))
    return (
        [f"lot {lot} is negative" for lot in negative]
        + _lot_mismatches(session)
        + _txn_mismatches(session)
        + _member_mismatches(session)
        + _books(session)
    )
