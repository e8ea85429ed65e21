"""Freezing a member: they earn nothing (credits are held) and spend nothing until the freeze is
lifted; purchases are recorded, held and applied on unfreeze; the books always add up."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import HeldLot, PosOrder, StoreStock
from app.services.console import adjustments
from app.services.console import members as console_members
from app.services.counter import counter, member_code
from app.services.mall import redemption
from app.services.mall.errors import AccountFrozen
from app.services.mall.redemption import Checkout
from app.services.points import balances, earning, ledger, purchases
from app.services.points.audit import audit
from tests import factories
from tests.factories import buy


@pytest.fixture
def operator(session):
    """An operator who freezes and unfreezes."""
    factories.store(session)
    return factories.staff(session, "operator", "admin")


@pytest.fixture
def frozen(session, make_member, operator, now):
    """A member with 1,000 points, frozen now."""
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    console_members.freeze(session, operator, member, "可疑刷单", now=now)
    return member


def test_a_frozen_member_spends_nothing(session, frozen, now):
    gift = factories.gift(session, points_price=100)
    with pytest.raises(AccountFrozen):
        redemption.redeem(session, frozen.id, gift.id, Checkout(request_key="k"), now=now)
    event = factories.flash(session, now, price=10)
    with pytest.raises(AccountFrozen):
        redemption.redeem_flash(session, frozen.id, event.id, now=now)
    with pytest.raises(ledger.MemberFrozen):
        ledger.debit(session, frozen.id, 10, "direct", now=now)
    assert balances.balance(session, frozen.id, now) == 1_000


def test_the_counter_cannot_redeem_for_a_frozen_member(session, frozen, now):
    advisor = factories.advisor(session)
    gift = factories.gift(session, points_price=100)
    session.add(StoreStock(store_id=advisor.store_id, gift_id=gift.id, stock=5))
    session.flush()
    code = member_code.code_for(frozen, now)
    with pytest.raises(AccountFrozen) as refused:
        counter.redeem_here(session, advisor, code, gift.id, 1, request_key="c", now=now)
    assert refused.value.code == "frozen"


def test_purchases_and_sign_ins_are_held_then_applied_on_unfreeze(session, frozen, operator, now):
    order = buy(session, frozen, 50_000, now, "held-1")
    earning.sign_in(session, frozen.id, now)
    assert session.get(PosOrder, order.id).points_awarded == 500  # recorded, not lost
    assert balances.balance(session, frozen.id, now) == 1_000  # ... but not usable
    assert balances.held(session, frozen.id) == 505
    assert balances.held(session, frozen.id, ref="order:held-1") == 500
    assert audit(session) == []
    later = now + timedelta(days=3)
    assert console_members.unfreeze(session, operator, frozen, "核实无误", now=later) == 505
    assert balances.balance(session, frozen.id, later) == 1_505
    assert balances.held(session, frozen.id) == 0
    assert all(h.released_at == later for h in session.scalars(select(HeldLot)))
    replay = buy(session, frozen, 50_000, now, "held-1")  # the POS retries: nothing twice
    assert replay.id == order.id and balances.balance(session, frozen.id, later) == 1_505
    assert audit(session) == []


def test_a_refund_of_a_held_order_takes_from_the_held_lot(session, frozen, operator, now):
    buy(session, frozen, 40_000, now, "held-2")
    purchases.refund(session, order_no="held-2", refund_no="r1", refund_fen=20_000,
                     fingerprint="r1", now=now)  # fmt: skip
    assert balances.held(session, frozen.id) == 200
    assert balances.balance(session, frozen.id, now) == 1_000 and frozen.debt == 0
    assert console_members.unfreeze(session, operator, frozen, "ok", now=now) == 200
    assert balances.balance(session, frozen.id, now) == 1_200
    assert audit(session) == []


def test_debt_is_settled_from_held_points_only_on_release(session, make_member, operator, now):
    member = make_member()
    buy(session, member, 30_000, now, "spent")
    ledger.debit(session, member.id, 300, "spend", now=now)
    purchases.refund(session, order_no="spent", refund_no="r", refund_fen=30_000,
                     fingerprint="r", now=now)  # fmt: skip
    assert member.debt == 300
    console_members.freeze(session, operator, member, "review", now=now)
    buy(session, member, 50_000, now, "later")
    assert member.debt == 300 and balances.held(session, member.id) == 500
    console_members.unfreeze(session, operator, member, "ok", now=now)
    assert member.debt == 0 and balances.balance(session, member.id, now) == 200
    assert audit(session) == []


def test_operators_adjustments_apply_even_while_frozen(session, frozen, operator, now):
    req = adjustments.Request(-400, "correction", "追回刷单积分", request_key="adj-00000001")
    adjustments.request(session, operator, frozen, req, now=now)
    assert balances.balance(session, frozen.id, now) == 600
    req = adjustments.Request(50, "goodwill", "补偿", request_key="adj-00000002")
    adjustments.request(session, operator, frozen, req, now=now)
    assert (
        balances.balance(session, frozen.id, now) == 650 and balances.held(session, frozen.id) == 0
    )


def test_freeze_and_unfreeze_are_checked_and_audited(session, frozen, operator, now):
    with pytest.raises(console_members.MemberError) as twice:
        console_members.freeze(session, operator, frozen, "again", now=now)
    assert twice.value.code == "already_frozen"
    with pytest.raises(console_members.MemberError) as blank:
        console_members.unfreeze(session, operator, frozen, " ", now=now)
    assert blank.value.code == "reason"
    console_members.unfreeze(session, operator, frozen, "ok", now=now)
    with pytest.raises(console_members.MemberError) as again:
        console_members.unfreeze(session, operator, frozen, "ok", now=now)
    assert again.value.code == "not_frozen"
    assert not ledger.is_frozen(session, frozen.id)
    gift = factories.gift(session, points_price=100)
    redemption.redeem(session, frozen.id, gift.id, Checkout(request_key="after"), now=now)
    assert balances.balance(session, frozen.id, now) == 900
