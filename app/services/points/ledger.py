"""The points ledger: the only code that writes lots, transactions and ledger entries.

Every write locks the member's row first, is idempotent on its key, and never commits:
the request or CLI command that called it commits once. Credits and debits are here; taking
points back (claw-backs and reversals) is in `reversals`, on the same primitives.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, bindparam, insert, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import reads, writes
from app.models import (
    HeldLot,
    LedgerEntry,
    Member,
    PointLot,
    PointSource,
    PointTransaction,
)
from app.services.points.balances import forget, usable
from app.services.points.ledger_errors import AlreadyReversed as AlreadyReversed
from app.services.points.ledger_errors import InsufficientPoints, MemberFrozen
from app.services.points.ledger_errors import LedgerError as LedgerError

# the ledger's lock API lives in `locks`; writers call it as ledger.lock_member(s), is_frozen
from app.services.points.locks import is_frozen, lock_member
from app.services.points.locks import lock_members as lock_members
from app.services.points.rules import rules_at
from app.timeutil import local_date, local_midnight

# A frozen member's credits are held: written as lots that are not available until the freeze
# is lifted (release_held), so every balance read leaves them out without knowing about freezes.
HELD_UNTIL = datetime(2999, 12, 31, tzinfo=UTC)
MEMBER_SPENDS = ("spend", "redeem")  # refused while frozen (claw-backs, expiry are not)
UNHELD_SOURCES = ("adjustment",)  # operators' adjustments apply even while frozen


# The writers' hottest read, built once: a statement made per call costs its construction and
# its cache key every time (≈ 0.1 ms of CPU each), a constant one neither.
BY_KEY = select(PointTransaction).where(PointTransaction.idem_key == bindparam("key"))
# Nearly every write is a new key: asked first off the cursor, so only a replay loads the entity.
KEY_TAKEN = reads.hot(
    select(PointTransaction.id).where(PointTransaction.idem_key == bindparam("key"))
)


TXN_DEFAULTS = {"source": None, "debt_delta": 0, "ref": "", "memo": "", "reverses_id": None}
NEW_ENTRY = reads.hot(insert(LedgerEntry))
SET_REMAINING = reads.hot(
    update(PointLot)
    .where(PointLot.id == bindparam("lot_id"))
    .values(remaining=bindparam("remaining_now"))
)


def expiry_for(source: PointSource, earned_at: datetime) -> datetime | None:
    """When points from `source` earned at `earned_at` expire, by the source's policy."""
    earned_on = local_date(earned_at)
    if source.expiry_kind == "year_end":
        return local_midnight(date(earned_on.year + source.expiry_value + 1, 1, 1))
    if source.expiry_kind == "days":
        return local_midnight(earned_on + timedelta(days=source.expiry_value + 1))
    return None


def find(session: Session, key: str) -> PointTransaction | None:
    """The transaction written under an idempotency key, if any."""
    if reads.execute(session, KEY_TAKEN, {"key": key}).first() is None:
        return None
    return session.scalar(BY_KEY, {"key": key})


def spendable_lots(session: Session, member_id: int, now: datetime, exclude=()) -> list[PointLot]:
    """The member's usable lots, first-to-expire first, locked."""
    stmt = (
        select(PointLot)
        .where(
            PointLot.member_id == member_id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            usable(now),
            PointLot.id.not_in(exclude),
        )
        .order_by(PointLot.expires_at.asc().nulls_last(), PointLot.earned_at, PointLot.id)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def plan(lots: list[PointLot], points: int) -> list[tuple[PointLot, int]]:
    """Take up to `points` from lots in order: the (lot, amount) pairs."""
    taken, left = [], points
    for lot in lots:
        if left == 0:
            break
        amount = min(lot.remaining, left)
        if amount:
            taken.append((lot, amount))
            left -= amount
    return taken


def record(session: Session, member_id: int, kind: str, key: str, moves, now: datetime, **extra):
    """Write one transaction and an entry per (lot, signed points) move; adjust the lots. Core
    statements (`app.writes`, a flush costs twice them): a new lot is filled before it is
    written, a loaded one updated in SQL and its attribute set as if loaded again."""
    fresh = {id(lot) for lot, points in moves if lot in session.new}
    for lot, points in moves:
        if id(lot) in fresh:
            lot.remaining += points  # written with the transaction's flush below
    values = {"member_id": member_id, "kind": kind, "idem_key": key, "created_at": now}
    values |= TXN_DEFAULTS | extra | {"points": sum(points for _, points in moves)}
    txn = writes.add_loaded(session, PointTransaction, values)  # flushes what is pending first
    for index, (lot, points) in enumerate(moves):
        if id(lot) not in fresh:
            remaining = lot.remaining + points
            writes.execute(session, SET_REMAINING, {"lot_id": lot.id, "remaining_now": remaining})
            set_committed_value(lot, "remaining", remaining)
        entry = {"txn_id": txn.id, "member_id": member_id, "lot_id": lot.id, "points": points}
        entry |= {"idem_key": f"{key}#{index}", "created_at": now}
        writes.execute(session, NEW_ENTRY, entry)
    forget()  # the request's balances (the ORM's flush hook would have)
    return txn


def credit(
    session: Session,
    member_id: int,
    source_code: str,
    points: int,
    key: str,
    *,
    now: datetime,
    ref: str = "",
    memo: str = "",
) -> PointTransaction:
    """Credit a new lot of points from a source; settles the member's debt first."""
    if points <= 0:
        raise ValueError("a credit must be positive")
    member = lock_member(session, member_id)
    if txn := find(session, key):
        return txn
    source, held = _terms(session, member_id, source_code, now)
    lot = PointLot(**_lot(member_id, source, points, now, ref=ref, held=held), remaining=0)
    session.add(lot)  # empty: its entry fills it
    extra = {"source": source.code, "ref": ref, "memo": memo}
    txn = record(session, member_id, "earn", key, [(lot, points)], now, **extra)
    if held:
        available_at = now + timedelta(days=source.pending_days)
        hold = HeldLot(lot_id=lot.id, member_id=member_id, available_at=available_at, held_at=now)
        session.add(hold)
    elif member.debt:
        _settle_debt(session, member, lot, key, now)
    return txn


NEW_LOT = reads.hot(insert(PointLot).returning(PointLot.id))
NEW_TXN = reads.hot(insert(PointTransaction).returning(PointTransaction.id))


def _credit_rows():
    """PostgreSQL: a credit's lot, transaction and entry in one statement (data-modifying CTEs)."""
    names = ("member_id", "source", "points", "earned_at", "available_at", "expires_at", "ref")
    b = {name: bindparam(name, type_=PointLot.__table__.c[name].type) for name in names}
    key, entry_key = bindparam("idem_key", type_=String), bindparam("entry_key", type_=String)
    lot = insert(PointLot).values(**b, remaining=b["points"]).returning(PointLot.id).cte("lot")
    txn = insert(PointTransaction).values(
        member_id=b["member_id"], kind="earn", source=b["source"], points=b["points"],
        debt_delta=0, idem_key=key, ref=b["ref"], memo="", created_at=b["earned_at"],
    ).returning(PointTransaction.id).cte("txn")  # fmt: skip
    entry = select(txn.c.id, b["member_id"], lot.c.id, b["points"], entry_key, b["earned_at"])
    entry = entry.select_from(txn.join(lot, true()))  # one row each
    columns = ("txn_id", "member_id", "lot_id", "points", "idem_key", "created_at")
    return insert(LedgerEntry).from_select(columns, entry).add_cte(lot).add_cte(txn)


CREDIT_ROWS = reads.hot(_credit_rows())


def credit_new(session: Session, member_id: int, source_code: str, points: int, key: str, *,
               now: datetime, ref: str = "") -> None:  # fmt: skip
    """`credit` under a key the caller knows is unused (it looked the key up under the lock,
    or just wrote the POS order the key is named after): Core INSERTs (`app.writes`), one
    statement on PostgreSQL; a unique index still refuses a reused key. A held credit or a
    debt to settle goes `credit`'s way."""
    if points <= 0:
        raise ValueError("a credit must be positive")  # before any lock, as `credit`
    member = lock_member(session, member_id)
    source, held = _terms(session, member_id, source_code, now)
    if held or member.debt:
        credit(session, member_id, source_code, points, key, now=now, ref=ref)
        return
    lot = _lot(member_id, source, points, now, ref=ref, held=False)
    if session.get_bind().dialect.name == "postgresql":
        writes.execute(session, CREDIT_ROWS, lot | {"idem_key": key, "entry_key": f"{key}#0"})
    else:
        _credit_rows_one_by_one(session, lot, key)
    forget()  # the request's balances (the ORM's flush hook would have)


def _credit_rows_one_by_one(session: Session, lot: dict, key: str) -> None:
    """`CREDIT_ROWS` where data-modifying CTEs are not to be had (SQLite): three INSERTs."""
    member_id, points, now = lot["member_id"], lot["points"], lot["earned_at"]
    lot_id = writes.execute(session, NEW_LOT, lot | {"remaining": points}).scalar_one()
    txn = {"member_id": member_id, "kind": "earn", "source": lot["source"], "points": points}
    txn |= {"debt_delta": 0, "idem_key": key, "ref": lot["ref"], "memo": "", "created_at": now}
    txn_id = writes.execute(session, NEW_TXN, txn).scalar_one()
    entry = {"txn_id": txn_id, "member_id": member_id, "lot_id": lot_id, "points": points}
    writes.execute(session, NEW_ENTRY, entry | {"idem_key": f"{key}#0", "created_at": now})


def _terms(session: Session, member_id: int, source_code: str, now: datetime):
    """The source's policy in force when earned, and whether the credit is held (frozen)."""
    source = rules_at(session, now).source(source_code)
    return source, source.code not in UNHELD_SOURCES and is_frozen(session, member_id)


def _lot(member_id: int, source: PointSource, points: int, now: datetime, *, ref: str, held):
    """A credit's lot: opens and expires by the source's rules."""
    return {
        "member_id": member_id,
        "source": source.code,
        "points": points,
        "earned_at": now,
        "available_at": HELD_UNTIL if held else now + timedelta(days=source.pending_days),
        "expires_at": expiry_for(source, now),
        "ref": ref,
    }


def release_held(session: Session, member_id: int, *, now: datetime) -> int:
    """The freeze is lifted: held lots become available (debt settled first); the points."""
    member = lock_member(session, member_id)
    held = session.scalars(
        select(HeldLot)
        .where(HeldLot.member_id == member_id, HeldLot.released_at.is_(None))
        .order_by(HeldLot.lot_id)
        .with_for_update()
    ).all()
    released = 0
    for row in held:
        row.lot.available_at, row.released_at = max(row.available_at, now), now
        released += row.lot.remaining
        if member.debt and row.lot.remaining:
            _settle_debt(session, member, row.lot, f"release:{row.lot_id}", now)
    session.flush()
    return released


def _settle_debt(session: Session, member: Member, lot: PointLot, key: str, now: datetime):
    amount = min(member.debt, lot.remaining)
    member.debt -= amount
    record(
        session,
        member.id,
        "debt_settle",
        f"{key}:debt",
        [(lot, -amount)],
        now,
        debt_delta=-amount,
        memo="debt",
    )


def debit(
    session: Session,
    member_id: int,
    points: int,
    key: str,
    *,
    now: datetime,
    kind: str = "spend",
    ref: str = "",
    memo: str = "",
) -> PointTransaction:
    """Spend points, first-to-expire first; InsufficientPoints if the balance is short."""
    if points <= 0:
        raise ValueError("a debit must be positive")
    lock_member(session, member_id)
    if txn := find(session, key):
        return txn
    if kind in MEMBER_SPENDS and is_frozen(session, member_id):
        raise MemberFrozen(member_id)
    lots = spendable_lots(session, member_id, now)
    available = sum(lot.remaining for lot in lots)
    if available < points:
        raise InsufficientPoints(points, available)
    moves = [(lot, -amount) for lot, amount in plan(lots, points)]
    return record(session, member_id, kind, key, moves, now, ref=ref, memo=memo)
