"""The member lock every ledger write takes: one query per transaction (and per savepoint)."""

from datetime import timedelta

from app.models import Member
from app.services.points import ledger
from tests.integration.test_api import locks
from tests.integration.test_query_budgets import counting


def test_a_member_is_locked_by_a_query_once_per_transaction(app, session, make_member, now):
    member_id = make_member().id
    session.commit()
    with counting() as sent:
        first = ledger.lock_member(session, member_id)
        again = ledger.lock_member(session, member_id)
    assert again is first and locks(sent) == 1
    ledger.credit(session, member_id, "adjustment", 10, "k1", now=now)
    session.commit()
    with counting() as sent:  # a new transaction locks again
        ledger.lock_member(session, member_id)
        with session.begin_nested():  # and so does a savepoint (its rollback would drop it)
            ledger.lock_member(session, member_id)
        ledger.lock_member(session, member_id)  # the savepoint is over: lock again
    assert locks(sent) == 3
    session.rollback()


def test_a_locked_member_read_again_sees_this_transactions_writes(app, session, make_member, now):
    member = make_member()
    session.commit()
    ledger.lock_member(session, member.id)
    session.get(Member, member.id).debt = 7
    session.flush()
    session.expire_all()
    assert ledger.lock_member(session, member.id).debt == 7
    ledger.credit(session, member.id, "adjustment", 10, "k2", now=now + timedelta(seconds=1))
    assert session.get(Member, member.id).debt == 0  # the credit settled the debt first
    session.rollback()


def test_locking_again_flushes_as_the_lock_statement_did(app, session, make_member):
    """Callers refresh what they read after locking: the change they made before must be
    written by then (the lock's statement autoflushed it; the memo flushes instead)."""
    member = make_member()
    session.commit()
    ledger.lock_member(session, member.id)
    member.name = "林"
    ledger.lock_member(session, member.id)
    session.refresh(member)
    assert member.name == "林"
    session.rollback()


def _member_out_of_the_session(session, make_member, now, **fields):
    """A committed member (with `fields`) that the session no longer holds."""
    member = make_member(**fields)
    member.profile_completed_at = now
    session.commit()
    member_id = member.id
    session.expunge_all()
    return member_id


def test_a_member_the_session_does_not_hold_is_loaded_from_the_locks_row(
    app, session, make_member, now
):
    member_id = _member_out_of_the_session(session, make_member, now, name="林", debt=3)
    member = ledger.lock_member(session, member_id)
    assert member in session and member not in session.dirty and not session.new
    assert (member.name, member.debt, member.profile_completed_at) == ("林", 3, now)
    assert member.created_at.tzinfo is not None and member.tier.rank == 0  # typed, related
    assert ledger.lock_member(session, member_id) is member and not ledger.is_frozen(
        session, member_id
    )
    member.debt = 0  # a change to it is written as to a queried member
    session.commit()
    session.expunge_all()
    assert session.get(Member, member_id).debt == 0


def test_the_locks_row_says_whether_the_member_is_frozen(app, session, make_member, now):
    from app.models import MemberFreeze

    member_id = _member_out_of_the_session(session, make_member, now)
    staff_id = session.get(Member, member_id).user_id
    session.add(MemberFreeze(member_id=member_id, reason="test", frozen_by_id=staff_id,
                             frozen_at=now))  # fmt: skip
    session.commit()
    session.expunge_all()
    ledger.lock_member(session, member_id)
    with counting() as sent:
        assert ledger.is_frozen(session, member_id)
    assert sent == []
    session.rollback()


def test_a_member_the_session_holds_is_reloaded_by_the_lock(app, session, make_member, now):
    from sqlalchemy import update

    member = make_member(name="原")
    session.commit()
    assert member.name == "原"  # loaded again, held by the session
    rename = update(Member.__table__).where(Member.id == member.id).values(name="改")
    session.connection().execute(rename)  # past the ORM: the entity still says 原
    assert member.name == "原"
    assert ledger.lock_member(session, member.id) is member and member.name == "改"
    session.rollback()
