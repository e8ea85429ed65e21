"""Reconciliation: balance = sum of entries = sum of lot remainders, nothing negative."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import LedgerEntry, Member, PointLot, PointTransaction


def _lot_mismatches(session: Session) -> list[str]:
    """Each lot holds the sum of its entries, and all of them are its member's.

    With that, a member's entries and lots sum alike: one pass over the entries serves both."""
    sums = (
        select(
            LedgerEntry.lot_id,
            func.sum(LedgerEntry.points).label("total"),
            func.min(LedgerEntry.member_id).label("low"),
            func.max(LedgerEntry.member_id).label("high"),
        )
        .group_by(LedgerEntry.lot_id)
        .subquery()
    )
    rows = session.execute(
        select(PointLot.id, PointLot.member_id, PointLot.remaining, sums.c.total, sums.c.low,
               sums.c.high)
        .outerjoin(sums, sums.c.lot_id == PointLot.id)
        .where(
            (func.coalesce(sums.c.total, 0) != PointLot.remaining)
            | (sums.c.low != PointLot.member_id)
            | (sums.c.high != PointLot.member_id)
        )
    )  # fmt: skip
    return [line for row in rows for line in _lot_problems(*row)]


def _lot_problems(lot: int, member: int, remaining: int, total, low, high) -> list[str]:
    found = []
    if (total or 0) != remaining:
        found.append(
            f"member {member}: lot {lot} remaining {remaining} but its entries sum to {total or 0}"
        )
    for other in {low, high} - {member, None}:
        found.append(f"member {member}: lot {lot} has entries of member {other}")
    return found


def _txn_mismatches(session: Session) -> list[str]:
    sums = (
        select(LedgerEntry.txn_id, func.sum(LedgerEntry.points).label("total"))
        .group_by(LedgerEntry.txn_id)
        .subquery()
    )
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
    """Each member's debt is what their transactions made of it (only debt-moving ones count)."""
    debts = (
        select(PointTransaction.member_id, func.sum(PointTransaction.debt_delta).label("total"))
        .where(PointTransaction.debt_delta != 0)
        .group_by(PointTransaction.member_id)
        .subquery()
    )
    rows = session.execute(
        select(Member.id, Member.debt, func.coalesce(debts.c.total, 0))
        .outerjoin(debts, debts.c.member_id == Member.id)
        .where((Member.debt != 0) | debts.c.member_id.is_not(None))
    )
    return [
        f"member {member}: debt {debt} but the ledger says {debt_sum}"
        for member, debt, debt_sum in rows
        if debt != debt_sum or debt < 0
    ]


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
