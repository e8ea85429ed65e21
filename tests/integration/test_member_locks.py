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
