"""The counter: look-up, in-store purchases, pickups, redeeming here, benefits, bookings."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Benefit, EarningSetting, Order, StoreStock
from app.services.counter import benefits, counter, member_code
from app.services.mall import bookings, redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from tests import factories


@pytest.fixture
def desk(session, make_member, now):
    """An advisor at SH001 and a member with 2,000 points; returns (advisor, member)."""
    staff = factories.advisor(session)
    factories.store(session, "BJ001")
    member = make_member(phone="13811112222")
    ledger.credit(session, member.id, "purchase", 2_000, "seed", now=now)
    return staff, member


def test_find_by_exact_phone_or_current_code_only(session, desk, now):
    _, member = desk
    assert counter.find(session, "138 1111 2222", now).id == member.id
    assert counter.find(session, member_code.code_for(member, now), now).id == member.id
    old = member_code.code_for(member, now - timedelta(minutes=3))
    assert counter.find(session, old, now) is None
    assert counter.find(session, "1381111", now) is None  # no partial searches
    assert counter.mask("13811112222") == "138****2222"


def test_in_store_purchase_is_awarded_once_per_receipt(session, desk, now):
    staff, member = desk
    first = counter.record_purchase(
        session, staff, member, receipt_no="R1", paid_fen=50_000, categories=["skincare"], now=now
    )
    again = counter.record_purchase(
        session, staff, member, receipt_no="R1", paid_fen=50_000, categories=["skincare"], now=now
    )
    assert (first.replay, again.replay) == (False, True)
    assert first.order.points_awarded == 500 and first.order.channel == "counter"
    assert balances.balance(session, member.id, now) == 2_500
    with pytest.raises(counter.CounterError) as err:
        counter.record_purchase(
            session, staff, member, receipt_no="R1", paid_fen=1, categories=[], now=now
        )
    assert err.value.code == "receipt_conflict"


def _pickup(session, member, now, store_code="SH001", **gift_fields):
    gift = factories.gift(session, **gift_fields)
    store = factories.store(session, store_code)
    return redemption.redeem(
        session, member.id, gift.id, Checkout(request_key=f"k{gift.id}", store_id=store.id), now=now
    )


def test_hand_over_completes_once(session, desk, now):
    staff, member = desk
    order = _pickup(session, member, now)
    done = counter.hand_over(session, staff, order.pickup_code, cash_collected=False, now=now)
    assert done.status == "completed"
    with pytest.raises(counter.CounterError) as err:
        counter.hand_over(session, staff, order.pickup_code, cash_collected=False, now=now)
    assert err.value.code == "pickup_done"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("other_store", "pickup_other_store"),
        ("unknown", "pickup_unknown"),
        ("cash", "cash_due"),
        ("cancelled", "pickup_not_ready"),
    ],
)
def test_hand_over_refusals(session, desk, now, setup, code):
    staff, member = desk
    if setup == "unknown":
        pickup_code = "00000000"
    else:
        order = _pickup(
            session,
            member,
            now,
            "BJ001" if setup == "other_store" else "SH001",
            cash_fen=5_000 if setup == "cash" else 0,
        )
        pickup_code = order.pickup_code
        if setup == "cancelled":
            from app.services.mall import orders

            orders.cancel(session, member.id, order.id, now=now)
    with pytest.raises(counter.CounterError) as err:
        counter.hand_over(session, staff, pickup_code, cash_collected=False, now=now)
    assert err.value.code == code


def test_cash_collected_at_the_counter(session, desk, now):
    staff, member = desk
    order = _pickup(session, member, now, cash_fen=5_000)
    done = counter.hand_over(session, staff, order.pickup_code, cash_collected=True, now=now)
    assert done.status == "completed" and done.paid_at == now


def test_redeem_here_needs_the_members_current_code_and_uses_counter_stock(session, desk, now):
    staff, member = desk
    gift = factories.gift(session, points_price=500, stock=0)  # none online, some at the counter
    session.add(StoreStock(store_id=staff.store_id, gift_id=gift.id, stock=1))
    with pytest.raises(counter.CounterError):
        counter.redeem_here(session, staff, "123", gift.id, 1, request_key="a", now=now)
    code = member_code.code_for(member, now)
    order = counter.redeem_here(session, staff, code, gift.id, 1, request_key="a", now=now)
    assert order.status == "completed" and balances.balance(session, member.id, now) == 1_500
    assert (
        counter.redeem_here(session, staff, code, gift.id, 1, request_key="a", now=now).id
        == order.id
    )
    from app.services.mall.errors import SoldOut

    with pytest.raises(SoldOut):
        counter.redeem_here(session, staff, code, gift.id, 1, request_key="b", now=now)


def test_offline_benefit_once_per_quarter_for_gold_and_above(session, desk, now):
    staff, member = desk
    benefit = Benefit(
        code="care",
        name="Free care",
        tier_codes=["gold", "diamond"],
        verification="offline",
        period="quarter",
    )
    session.add(benefit)
    session.flush()
    with pytest.raises(benefits.BenefitError, match="tier"):
        benefits.hand_out(session, staff, member, benefit.id, now=now)
    from app.models import Tier

    member.tier = session.scalar(select(Tier).where(Tier.code == "gold"))
    benefits.hand_out(session, staff, member, benefit.id, now=now)
    with pytest.raises(benefits.BenefitError) as err:
        benefits.hand_out(session, staff, member, benefit.id, now=now + timedelta(days=10))
    assert err.value.code == "used"
    assert benefits.period_key("quarter", now) == "2026Q2"
    benefits.hand_out(session, staff, member, benefit.id, now=now + timedelta(days=20))  # July: Q3


def _service_order(session, member, now, slot):
    return redemption.redeem(
        session, member.id, slot.gift_id, Checkout(request_key=f"s{slot.id}"), now=now
    )


def test_booking_capacity_reschedule_cutoff_and_cancel(session, desk, make_member, now):
    staff, member = desk
    from app.models import Gift

    first = factories.slot(session, now, capacity=1)
    gift = session.get(Gift, first.gift_id)
    second = factories.slot(session, now, gift_item=gift, hours=48, capacity=1)
    order = _service_order(session, member, now, first)
    assert order.status == "to_book"
    booking = bookings.book(session, member.id, order.id, first.id, now=now)
    assert first.booked == 1
    other = make_member()
    ledger.credit(session, other.id, "purchase", 1_000, "o", now=now)
    other_order = redemption.redeem(
        session, other.id, gift.id, Checkout(request_key="other"), now=now
    )
    with pytest.raises(bookings.BookingError, match="slot_full"):
        bookings.book(session, other.id, other_order.id, first.id, now=now)
    bookings.book(session, member.id, order.id, second.id, now=now)  # reschedule
    assert (first.booked, second.booked, booking.slot_id) == (0, 1, second.id)
    with pytest.raises(bookings.BookingError, match="too_late"):
        bookings.cancel(session, member.id, order.id, now=second.starts_at - timedelta(hours=1))
    bookings.cancel(session, member.id, order.id, now=now)
    assert order.status == "cancelled" and second.booked == 0
    assert balances.balance(session, member.id, now) == 2_000


@pytest.mark.parametrize(
    ("policy", "balance", "status"), [(0, 1_700, "completed"), (1, 2_000, "cancelled")]
)
def test_check_in_and_no_show_policy(session, desk, now, policy, balance, status):
    staff, member = desk
    session.get(EarningSetting, "no_show_returns_points").value = policy
    slot = factories.slot(session, now, hours=1)
    order = _service_order(session, member, now, slot)
    booking = bookings.book(session, member.id, order.id, slot.id, now=now)
    assert bookings.appointments(session, staff.store_id, now) == [booking]
    bookings.no_show(session, staff, booking.id, now=now)
    assert (order.status, balances.balance(session, member.id, now)) == (status, balance)
    with pytest.raises(bookings.BookingError):
        bookings.check_in(session, staff, booking.id, now=now)


def test_check_in_consumes_the_booking(session, desk, now):
    staff, member = desk
    slot = factories.slot(session, now, hours=1)
    order = _service_order(session, member, now, slot)
    booking = bookings.book(session, member.id, order.id, slot.id, now=now)
    bookings.check_in(session, staff, booking.id, now=now)
    assert (booking.status, order.status) == ("checked_in", "completed")
    assert session.scalar(select(func.count(Order.id))) == 1
