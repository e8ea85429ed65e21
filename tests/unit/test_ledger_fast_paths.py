"""The ledger's fast paths (issue 9 §3): the member lock that also answers "frozen?", a credit
written as Core INSERTs under a key the caller knows is new, and `writes.add_loaded`. Each
writes exactly what the ORM's way writes, and sees a freeze the moment it is written."""

import gc

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from app import writes
from app.extensions import db
from app.models import HeldLot, LedgerEntry, PointLot, PointTransaction, PosOrder
from app.services.console import members as console_members
from app.services.points import balances, ledger, reversals
from app.services.points.audit import audit
from tests import factories


class Statements(list):
    """The statements sent while listening."""

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args):
        self.append(statement)


def rows(session, member_id: int) -> list[tuple]:
    """A member's lots, transactions and entries, without ids and keys."""
    lots = session.execute(
        select(PointLot.source, PointLot.points, PointLot.remaining, PointLot.earned_at,
               PointLot.available_at, PointLot.expires_at, PointLot.ref)
        .where(PointLot.member_id == member_id)
    ).all()  # fmt: skip
    txns = session.execute(
        select(PointTransaction.kind, PointTransaction.source, PointTransaction.points,
               PointTransaction.debt_delta, PointTransaction.ref, PointTransaction.created_at)
        .where(PointTransaction.member_id == member_id)
    ).all()  # fmt: skip
    entries = session.execute(
        select(LedgerEntry.points, LedgerEntry.created_at).where(LedgerEntry.member_id == member_id)
    ).all()
    return [tuple(r) for r in (*lots, *txns, *entries)]


@pytest.fixture
def operator(session):
    factories.store(session)
    return factories.staff(session, "operator", "admin")


def test_credit_new_writes_what_credit_writes(session, make_member, now):
    orm, core = make_member(), make_member()
    ledger.credit(session, orm.id, "purchase", 120, "orm", now=now, ref="order:1")
    ledger.credit_new(session, core.id, "purchase", 120, "core", now=now, ref="order:1")
    assert rows(session, core.id) == rows(session, orm.id)
    assert len(rows(session, core.id)) == 3
    assert balances.balance(session, core.id, now) == 120
    assert audit(session) == []


def test_credit_new_is_three_inserts_one_statement_on_postgresql_and_no_look_up(
    session, make_member, now
):
    member = make_member()
    ledger.lock_member(session, member.id)
    with Statements() as sent:
        ledger.credit_new(session, member.id, "purchase", 50, "fast", now=now)
    written = [s for s in sent if s.startswith(("INSERT", "WITH"))]
    tables = [part.split()[0] for s in written for part in s.split("INSERT INTO ")[1:]]
    assert tables == ["point_lots", "point_txns", "ledger_entries"]
    assert len(written) == (1 if db.engine.dialect.name == "postgresql" else 3)
    assert not [s for s in sent if "FROM point_txns" in s or "FROM member_freezes" in s]


def test_a_balance_read_before_a_fast_credit_is_not_served_after_it(app, session, make_member, now):
    member = make_member()
    with app.test_request_context("/"):  # the per-request memo of balances is in use
        assert balances.current(session, member.id, now).balance == 0
        ledger.credit_new(session, member.id, "purchase", 40, "fast", now=now)
        assert balances.current(session, member.id, now).balance == 40


def test_credit_new_refuses_a_reused_key(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10, "used", now=now)
    session.commit()
    with pytest.raises(IntegrityError):
        ledger.credit_new(session, member.id, "purchase", 10, "used", now=now)
    session.rollback()
    assert balances.balance(session, member.id, now) == 10


def test_credit_new_settles_a_debt_first(session, make_member, now):
    member = make_member()
    earn = ledger.credit(session, member.id, "purchase", 100, "p", now=now)
    ledger.debit(session, member.id, 80, "d", now=now)
    reversals.reverse(session, earn, "refund", now=now)
    assert member.debt == 80
    ledger.credit_new(session, member.id, "purchase", 50, "p2", now=now)
    assert member.debt == 30 and balances.balance(session, member.id, now) == 0
    assert audit(session) == []


def test_a_freeze_written_under_the_lock_holds_the_next_credit(session, make_member, operator, now):
    member = make_member()
    ledger.lock_member(session, member.id)
    assert not ledger.is_frozen(session, member.id)
    console_members.freeze(session, operator, member, "可疑", now=now)  # same transaction
    assert ledger.is_frozen(session, member.id)
    ledger.credit_new(session, member.id, "purchase", 30, "held", now=now)
    assert session.scalar(select(HeldLot.member_id)) == member.id
    assert balances.balance(session, member.id, now) == 0
    console_members.unfreeze(session, operator, member, "查清", now=now)
    assert not ledger.is_frozen(session, member.id)
    assert balances.balance(session, member.id, now) == 30


def test_the_lock_answers_frozen_and_is_kept_for_the_transaction(session, make_member, now):
    member_id = make_member().id
    session.commit()
    session.expunge_all()
    with Statements() as sent:
        ledger.lock_members(session, [member_id])  # the caller keeps no reference
        gc.collect()
        assert ledger.lock_member(session, member_id).id == member_id
        assert not ledger.is_frozen(session, member_id)
    assert len([s for s in sent if s.startswith("SELECT")]) == 1
    session.commit()
    with Statements() as sent:
        ledger.lock_member(session, member_id)  # a new transaction locks again
    assert len([s for s in sent if s.startswith("SELECT")]) == 1


def test_add_loaded_leaves_what_a_flush_would(session, make_member, now):
    member = make_member()
    values = {"order_no": "L1", "member_id": member.id, "store_code": "SH001", "channel": "pos",
              "paid_fen": 990, "paid_at": now, "lines": [{"sku": "A", "qty": 1}],
              "body_hash": "h", "points_awarded": 9}  # fmt: skip
    with Statements() as sent:
        order = writes.add_loaded(session, PosOrder, values)
        seen = (order.id, order.refunded_fen, order.points_reversed, order.lines, order.created_at)
    assert len(sent) == 1 and sent[0].startswith("INSERT INTO pos_orders")
    assert order in session and not session.dirty and not session.new
    assert seen[1:4] == (0, 0, [{"sku": "A", "qty": 1}]) and seen[4] is not None
    assert session.get(PosOrder, order.id) is order
    session.commit()
    assert session.scalar(select(PosOrder.points_awarded).where(PosOrder.id == seen[0])) == 9
