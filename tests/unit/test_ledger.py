"""The ledger: lots, first-to-expire spending, reversals, claw-backs, debt, expiry, audit."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.models import LedgerEntry, PointLot, PointSource, PointTransaction
from app.services.points import balances, expiry, ledger, reversals
from app.services.points.audit import audit


def lots_of(session, member):
    return {
        lot.source: lot.remaining
        for lot in session.scalars(
            select(PointLot).where(PointLot.member_id == member.id).order_by(PointLot.id)
        )
    }


@pytest.mark.parametrize(
    ("source", "earned", "expires"),
    [
        # purchase: end of Dec 31 of the following year, Shanghai time
        ("purchase", datetime(2026, 6, 15, 2, tzinfo=UTC), datetime(2027, 12, 31, 16, tzinfo=UTC)),
        # 16:30 UTC on Dec 31 is 00:30 on Jan 1 in Shanghai: a 2027 purchase, expiry moves a year
        (
            "purchase",
            datetime(2026, 12, 31, 16, 30, tzinfo=UTC),
            datetime(2028, 12, 31, 16, tzinfo=UTC),
        ),
        ("referral", datetime(2026, 1, 1, 0, tzinfo=UTC), datetime(2027, 12, 31, 16, tzinfo=UTC)),
        # behaviour points: usable through the 90th local day after earning
        ("signin", datetime(2026, 6, 15, 2, tzinfo=UTC), datetime(2026, 9, 13, 16, tzinfo=UTC)),
        ("signin", datetime(2026, 6, 14, 17, tzinfo=UTC), datetime(2026, 9, 13, 16, tzinfo=UTC)),
    ],
)
def test_expiry_policy_by_source(session, source, earned, expires):
    assert ledger.expiry_for(session.get(PointSource, source), earned) == expires


def test_spending_takes_first_to_expire_first(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 100, "p1", now=now)
    ledger.credit(session, member.id, "signin", 30, "s1", now=now)
    ledger.debit(session, member.id, 50, "d1", now=now)
    assert lots_of(session, member) == {"purchase": 80, "signin": 0}
    assert balances.balance(session, member.id, now) == 80
    assert audit(session) == []


@pytest.mark.parametrize(
    ("have", "spend", "ok"), [(100, 100, True), (100, 101, False), (0, 1, False)]
)
def test_overspend_is_refused_and_writes_nothing(session, make_member, now, have, spend, ok):
    member = make_member()
    if have:
        ledger.credit(session, member.id, "purchase", have, "c", now=now)
    before = session.scalar(
        select(PointTransaction.id).order_by(PointTransaction.id.desc()).limit(1)
    )
    if ok:
        ledger.debit(session, member.id, spend, "d", now=now)
        assert balances.balance(session, member.id, now) == have - spend
        return
    with pytest.raises(ledger.InsufficientPoints) as err:
        ledger.debit(session, member.id, spend, "d", now=now)
    assert err.value.shortfall == spend - have
    last = session.scalar(select(PointTransaction.id).order_by(PointTransaction.id.desc()).limit(1))
    assert last == before and balances.balance(session, member.id, now) == have


def test_replay_with_the_same_key_writes_once(session, make_member, now):
    member = make_member()
    first = ledger.credit(session, member.id, "purchase", 70, "k", now=now)
    again = ledger.credit(session, member.id, "purchase", 70, "k", now=now)
    spend = ledger.debit(session, member.id, 20, "s", now=now)
    assert again.id == first.id
    assert ledger.debit(session, member.id, 20, "s", now=now).id == spend.id
    assert balances.balance(session, member.id, now) == 50


def test_expired_lots_are_not_spendable_before_the_job_runs(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "old", now=now - timedelta(days=120))
    ledger.credit(session, member.id, "purchase", 5, "new", now=now)
    assert balances.balance(session, member.id, now) == 5
    with pytest.raises(ledger.InsufficientPoints):
        ledger.debit(session, member.id, 6, "d", now=now)


def test_pending_points_are_not_available_yet(session, make_member, now):
    session.get(PointSource, "purchase").pending_days = 7
    member = make_member()
    ledger.credit(session, member.id, "purchase", 40, "p", now=now)
    assert balances.balance(session, member.id, now) == 0
    assert balances.pending(session, member.id, now) == 40
    assert balances.balance(session, member.id, now + timedelta(days=7)) == 40


def test_reversal_restores_the_exact_lots(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 30, "s", now=now)
    ledger.credit(session, member.id, "purchase", 100, "p", now=now)
    spend = ledger.debit(session, member.id, 60, "d", now=now)
    reversals.reverse(session, spend, "r", now=now)
    assert lots_of(session, member) == {"signin": 30, "purchase": 100}
    with pytest.raises(ledger.AlreadyReversed):
        reversals.reverse(session, spend, "r2", now=now)
    assert audit(session) == []


def test_restored_points_on_an_expired_lot_expire_at_once(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 30, "s", now=now)
    spend = ledger.debit(session, member.id, 30, "d", now=now)
    later = now + timedelta(days=200)
    reversals.reverse(session, spend, "r", now=later)
    assert lots_of(session, member) == {"signin": 0}
    kinds = session.scalars(select(PointTransaction.kind).order_by(PointTransaction.id)).all()
    assert kinds == ["earn", "spend", "reverse", "expire"]
    assert audit(session) == []


def test_claw_back_takes_what_is_there_and_the_rest_becomes_debt(session, make_member, now):
    member = make_member()
    earn = ledger.credit(session, member.id, "purchase", 100, "p", now=now)
    ledger.debit(session, member.id, 80, "d", now=now)
    reversals.reverse(session, earn, "refund", now=now)
    assert balances.balance(session, member.id, now) == 0
    assert member.debt == 80
    ledger.credit(session, member.id, "purchase", 50, "p2", now=now)
    assert member.debt == 30 and balances.balance(session, member.id, now) == 0
    ledger.credit(session, member.id, "purchase", 50, "p3", now=now)
    assert member.debt == 0 and balances.balance(session, member.id, now) == 20
    assert audit(session) == []


def test_expire_job_is_set_based_and_idempotent(session, make_member, now):
    members = [make_member() for _ in range(3)]
    for m in members:
        ledger.credit(session, m.id, "signin", 10, f"s{m.id}", now=now)
        ledger.credit(session, m.id, "purchase", 7, f"p{m.id}", now=now)
    ledger.debit(session, members[0].id, 4, "d", now=now)
    as_of = now + timedelta(days=100)
    assert expiry.expire(session, as_of, now=as_of) == 3
    assert expiry.expire(session, as_of, now=as_of) == 0
    expired = session.scalars(
        select(PointTransaction.points).where(PointTransaction.kind == "expire")
    )
    assert sorted(expired) == [-10, -10, -6]
    assert [balances.balance(session, m.id, as_of) for m in members] == [7, 7, 7]
    assert audit(session) == []


def test_expire_again_after_a_restore(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=now)
    spend = ledger.debit(session, member.id, 10, "d", now=now)
    reversals.reverse(session, spend, "r", now=now)  # back before expiry
    as_of = now + timedelta(days=100)
    assert expiry.expire(session, as_of, now=as_of) == 1
    assert audit(session) == []


def test_expiring_groups_by_last_usable_day(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "a", now=now - timedelta(days=80))
    ledger.credit(session, member.id, "task", 5, "b", now=now - timedelta(days=80))
    ledger.credit(session, member.id, "purchase", 50, "c", now=now)
    soon = balances.expiring(session, member.id, now, days=30)
    assert [(e.points, e.last_day.isoformat()) for e in soon] == [(15, "2026-06-25")]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET points = 1",
        "DELETE FROM ledger_entries",
        "UPDATE point_txns SET points = 1",
        "DELETE FROM point_txns",
    ],
)
def test_the_database_rejects_changes_to_entries(session, make_member, now, statement):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10, "p", now=now)
    session.commit()
    with pytest.raises((DBAPIError, IntegrityError)):
        session.execute(text(statement))
        session.flush()
    session.rollback()
    assert session.scalar(select(LedgerEntry.points)) == 10


def test_audit_finds_a_tampered_lot(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10, "p", now=now)
    session.execute(text("UPDATE point_lots SET remaining = 9"))
    problems = audit(session)
    assert any("lot" in p and "remaining 9" in p for p in problems)


def test_a_debit_leaves_the_session_as_a_flush_would(session, make_member, now):
    """The writes go out as Core statements: the lots the session holds show what the table
    holds without being dirty, the transaction is persistent with its entries, and a balance
    read in the same request is the new one."""
    member = make_member()
    ledger.credit(session, member.id, "purchase", 100, "p1", now=now)
    ledger.credit(session, member.id, "purchase", 50, "p2", now=now + timedelta(seconds=1))
    assert balances.balance(session, member.id, now + timedelta(seconds=2)) == 150
    txn = ledger.debit(session, member.id, 120, "d1", now=now + timedelta(seconds=2))
    held = session.scalars(select(PointLot).where(PointLot.member_id == member.id)).all()
    assert not session.dirty and not session.new
    in_table = dict(session.execute(text("SELECT id, remaining FROM point_lots")).tuples().all())
    assert {lot.id: lot.remaining for lot in held} == in_table and sorted(in_table.values()) == [
        0,
        30,
    ]
    assert txn in session and txn.points == -120 and txn.id is not None
    assert sorted(entry.points for entry in txn.entries) == [-100, -20]
    assert balances.balance(session, member.id, now + timedelta(seconds=2)) == 30
    assert ledger.debit(session, member.id, 120, "d1", now=now) is txn  # the replay
