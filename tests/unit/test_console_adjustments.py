"""Manual adjustments, service level: the threshold, four-eyes, idempotency, no debt by hand."""

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, PointAdjustment, PointTransaction
from app.services.console import adjustments
from app.services.console.adjustments import AdjustmentError, Request
from app.services.points import balances, ledger
from app.services.points.audit import audit
from tests import factories


@pytest.fixture
def ops(session):
    """Two operators: (requester, approver)."""
    return factories.staff(session, "operator", "admin"), factories.staff(
        session, "operator", "admin2"
    )


@pytest.fixture
def member(session, make_member, now):
    """A member with 2,000 points."""
    found = make_member()
    ledger.credit(session, found.id, "purchase", 2_000, "seed", now=now)
    return found


def ask(session, actor, member, points, now, key="k-00000001", **fields):
    """Request an adjustment of `points`."""
    req = Request(points, fields.pop("reason_code", "correction"), fields.pop("reason", "补发"),
                  request_key=key, **fields)  # fmt: skip
    return adjustments.request(session, actor, member, req, now=now)


@pytest.mark.parametrize(
    ("points", "status", "balance"),
    [
        (1, "applied", 2_001),
        (1_000, "applied", 3_000),
        (-1_000, "applied", 1_000),
        (1_001, "pending", 2_000),
        (-1_001, "pending", 2_000),
        (1_000_000, "pending", 2_000),
    ],
)
def test_the_threshold_decides_when_the_ledger_moves(session, ops, member, now, points, status,
                                                     balance):  # fmt: skip
    done = ask(session, ops[0], member, points, now)
    assert done.status == status
    assert balances.balance(session, member.id, now) == balance
    assert (done.txn_id is not None) == (status == "applied")
    assert audit(session) == []


@pytest.mark.parametrize(
    ("points", "fields", "code"),
    [
        (0, {}, "points"),
        (1_000_001, {}, "points"),
        (-1_000_001, {}, "points"),
        (10, {"reason": "  "}, "reason"),
        (10, {"reason_code": "bribe"}, "reason_code"),
    ],
)
def test_bad_requests_are_refused(session, ops, member, now, points, fields, code):
    with pytest.raises(AdjustmentError) as refused:
        ask(session, ops[0], member, points, now, **fields)
    assert refused.value.code == code
    assert session.scalar(select(func.count(PointAdjustment.id))) == 0


def test_a_debit_never_makes_debt(session, ops, member, now):
    ask(session, ops[0], member, -999, now, key="k-a")
    ask(session, ops[0], member, -999, now, key="k-b")
    with pytest.raises(AdjustmentError) as refused:
        ask(session, ops[0], member, -3, now, key="k-c")
    assert refused.value.code == "shortfall" and refused.value.detail == {"shortfall": 1}
    pending = ask(session, ops[0], member, -2_000, now, key="k-d")
    with pytest.raises(AdjustmentError) as approved:
        adjustments.approve(session, ops[1], pending.id, now=now)
    assert approved.value.detail == {"shortfall": 1_998}
    assert member.debt == 0 and balances.balance(session, member.id, now) == 2


def test_four_eyes_and_exactly_once(session, ops, member, now):
    requester, approver = ops
    pending = ask(session, requester, member, 5_000, now)
    with pytest.raises(AdjustmentError) as own:
        adjustments.approve(session, requester, pending.id, now=now)
    assert own.value.code == "own"
    adjustments.approve(session, approver, pending.id, now=now)
    with pytest.raises(AdjustmentError) as twice:
        adjustments.approve(session, approver, pending.id, now=now)
    assert twice.value.code == "decided"
    assert balances.balance(session, member.id, now) == 7_000
    assert (
        session.scalar(
            select(func.count(PointTransaction.id)).where(
                PointTransaction.idem_key.like("adjustment:%")
            )
        )
        == 1
    )
    assert pending.decided_by_id == approver.id
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["member.adjust_request", "member.adjust_approve"]


def test_the_same_request_key_is_one_adjustment(session, ops, member, now):
    first = ask(session, ops[0], member, 100, now)
    again = ask(session, ops[0], member, 100, now)
    assert again.id == first.id and balances.balance(session, member.id, now) == 2_100


def test_reject_needs_a_reason_and_moves_nothing(session, ops, member, now):
    pending = ask(session, ops[0], member, -1_500, now)
    with pytest.raises(AdjustmentError):
        adjustments.reject(session, ops[1], pending.id, " ", now=now)
    adjustments.reject(session, ops[0], pending.id, "填错了", now=now)  # withdrawing your own
    assert pending.status == "rejected" and pending.txn_id is None
    assert balances.balance(session, member.id, now) == 2_000
    with pytest.raises(AdjustmentError):
        adjustments.approve(session, ops[1], pending.id, now=now)
    with pytest.raises(AdjustmentError) as missing:
        adjustments.approve(session, ops[1], 999, now=now)
    assert missing.value.code == "not_found"
