"""Taking points back: claw-backs of credited points (refunds) and reversals of transactions.

Written on the ledger's primitives (`ledger.record` and its locks), under the same rules: the
member's row is locked first, every write is idempotent on its key, and nothing commits here.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PointLot, PointTransaction
from app.services.points.balances import usable
from app.services.points.ledger import (
    AlreadyReversed,
    find,
    lock_member,
    plan,
    record,
    spendable_lots,
)


def claw_back(
    session: Session,
    member_id: int,
    points: int,
    key: str,
    *,
    now: datetime,
    prefer_lots=(),
    ref: str = "",
    memo: str = "",
    reverses_id: int | None = None,
) -> PointTransaction:
    """Take back credited points: from the preferred lots, then the balance; the rest is debt."""
    if points <= 0:
        raise ValueError("a claw-back must be positive")
    member = lock_member(session, member_id)
    if txn := find(session, key):
        return txn
    preferred = _preferred_lots(session, prefer_lots, now)
    others = spendable_lots(session, member_id, now, exclude=[lot.id for lot in preferred])
    taken = plan(preferred + others, points)
    shortfall = points - sum(amount for _, amount in taken)
    member.debt += shortfall
    moves = [(lot, -amount) for lot, amount in taken]
    links = {"ref": ref, "memo": memo, "reverses_id": reverses_id}
    return record(session, member_id, "clawback", key, moves, now, debt_delta=shortfall, **links)


def _preferred_lots(session: Session, lot_ids, now: datetime) -> list[PointLot]:
    """The named lots that still hold usable points, locked, in id order."""
    if not lot_ids:
        return []
    return list(
        session.scalars(
            select(PointLot)
            .where(PointLot.id.in_(lot_ids), PointLot.remaining > 0, usable(now))
            .order_by(PointLot.id)
            .with_for_update()
        )
    )


def reverse(session: Session, original: PointTransaction, key: str, *, now: datetime, memo=""):
    """Undo a spend (exact lots back, expired ones expire at once) or claw back an earn."""
    lock_member(session, original.member_id)
    if txn := find(session, key):
        return txn
    if session.scalar(
        select(PointTransaction.id).where(PointTransaction.reverses_id == original.id)
    ):
        raise AlreadyReversed(original.idem_key)
    if original.kind == "earn":
        return _claw_back_earn(session, original, key, now, memo)
    if original.kind not in ("spend", "redeem") or original.debt_delta:
        raise ValueError(f"cannot reverse a {original.kind} transaction")
    return _give_back_spend(session, original, key, now, memo)


def _claw_back_earn(session: Session, original: PointTransaction, key: str, now, memo: str):
    """An earn is reversed by clawing its points back, from its own lot first."""
    return claw_back(
        session,
        original.member_id,
        original.points,
        key,
        now=now,
        prefer_lots=[entry.lot_id for entry in original.entries],
        ref=original.ref,
        memo=memo,
        reverses_id=original.id,
    )


def _give_back_spend(session: Session, original: PointTransaction, key: str, now, memo: str):
    """A spend is reversed by putting back exactly what it took from each lot."""
    moves = [(entry.lot, -entry.points) for entry in original.entries]
    links = {"ref": original.ref, "memo": memo, "reverses_id": original.id}
    txn = record(session, original.member_id, "reverse", key, moves, now, **links)
    _expire_restored(session, original.member_id, [lot for lot, _ in moves], key, now)
    return txn


def _expire_restored(session: Session, member_id: int, lots, key: str, now: datetime) -> None:
    """Points put back on a lot that has already expired expire again at once."""
    for lot in {lot.id: lot for lot in lots}.values():
        if lot.expires_at is not None and lot.expires_at <= now and lot.remaining:
            record(
                session,
                member_id,
                "expire",
                f"expire:{lot.id}:r:{key}",
                [(lot, -lot.remaining)],
                now,
                source=lot.source,
            )
