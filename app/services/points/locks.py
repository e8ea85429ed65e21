"""Member locks: every ledger write holds its member's row lock first.

The lock's statement also says whether the member is frozen, and both are remembered for the
rest of the transaction: the lock lasts to its end and freezing takes the same lock, so
neither can change but through this session (whose flushes of a freeze are watched).
"""

from dataclasses import dataclass, field

from sqlalchemy import bindparam, event, exists, select
from sqlalchemy.orm import Session, scoped_session

from app import reads
from app.models import Member, MemberFreeze

# Built once: a statement made per call costs its construction and its cache key every time.
FROZEN = select(MemberFreeze.member_id).where(MemberFreeze.member_id == bindparam("member_id"))
LOCK = (
    select(Member, exists().where(MemberFreeze.member_id == Member.id).label("frozen"))
    .where(Member.id == bindparam("member_id"))
    .with_for_update(of=Member)
    .execution_options(populate_existing=True)
)
# A member not yet in the session is built from a Core row instead: the ORM's load of one
# entity costs several times the statement (the row's columns are exactly the entity's).
_FROZEN_COLUMN = exists().where(MemberFreeze.member_id == Member.id).label("frozen")
LOCK_ROW = reads.hot(
    select(*Member.__table__.columns, _FROZEN_COLUMN)
    .where(Member.id == bindparam("member_id"))
    .with_for_update(of=Member.__table__)
)
_COLUMNS = tuple(column.key for column in Member.__table__.columns)
LOCKED = "pointsmall.locked_members"  # session.info: the transaction's Held


@dataclass
class Held:
    """What a transaction has locked: the members (kept, so the session's weak identity map
    cannot drop them) and what it knows of their freezes."""

    transaction: object
    members: dict[int, Member] = field(default_factory=dict)
    frozen: dict[int, bool] = field(default_factory=dict)


def _held(session: Session) -> Held | None:
    """What the current transaction has locked, or None."""
    held = session.info.get(LOCKED)
    return held if held is not None and held.transaction is _transaction(session) else None


def lock_member(session: Session, member_id: int) -> Member:
    """Lock and (re)load the member's row: every ledger write holds this lock first.

    Asked again within the same transaction it costs no query: the lock lasts to the
    transaction's end, so the row can only have changed through this session."""
    held = _held(session)
    if held is not None and member_id in held.members:
        session.flush()  # as the lock's statement would (callers `refresh` after locking)
        if (member := held.members[member_id]) in session:
            return member
    member, frozen = _locked_row(session, member_id)
    if held is None:  # the statement began the transaction if none was open
        held = session.info[LOCKED] = Held(_transaction(session))
    held.members[member_id], held.frozen[member_id] = member, frozen
    return member


def _locked_row(session: Session, member_id: int) -> tuple[Member, bool]:
    """Lock the member's row and (re)load it: into the entity the session holds, or a new one
    made persistent from the row (as a query would load it, no attribute modified)."""
    if session.identity_map.get(session.identity_key(Member, member_id)) is not None:
        return tuple(session.execute(LOCK, {"member_id": member_id}).one())
    row = reads.execute(session, LOCK_ROW, {"member_id": member_id}).one()
    values = {key: row[index] for index, key in enumerate(_COLUMNS)}
    return reads.as_loaded(session, Member, values), row.frozen


def lock_members(session: Session, member_ids) -> dict[int, Member]:
    """Lock several members in id order, the order every multi-member writer uses (no
    deadlocks); the locked members by id."""
    ids = sorted({m for m in member_ids if m is not None})
    return {member_id: lock_member(session, member_id) for member_id in ids}


def is_frozen(session: Session, member_id: int) -> bool:
    """Whether the member is frozen now; no query when this transaction holds their lock."""
    held = _held(session)
    if held is not None and member_id in held.frozen:
        return held.frozen[member_id]
    return session.scalar(FROZEN, {"member_id": member_id}) is not None


def _transaction(session: Session):
    """The innermost transaction (a savepoint's, if one is open): locks taken in a savepoint
    go with its rollback."""
    real = session() if isinstance(session, scoped_session) else session  # Flask-SQLAlchemy's
    return real.get_nested_transaction() or real.get_transaction()


@event.listens_for(Session, "after_flush")
def _freeze_written(session: Session, _context) -> None:
    held = _held(session)
    if held is not None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, MemberFreeze):
                held.frozen.pop(obj.member_id, None)  # still locked; ask the table again
