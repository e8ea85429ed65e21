"""Money and points (issue 13, points 1–9): what the services used to get wrong, refused or kept."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    Gift,
    GrowthEvent,
    Order,
    OrderEvent,
    Payment,
    PointLot,
    PointTransaction,
    PosOrder,
    StoreStock,
    TierChange,
)
from app.services.counter import counter, member_code
from app.services.mall import bookings, catalog, orders, pricing, redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, earning, expiry, ledger, purchases, tiers
from app.services.points.audit import audit
from app.timeutil import local_midnight
from tests import factories
from tests.factories import buy


def count(session, column, *where) -> int:
    """Rows of a column's table matching `where`."""
    return session.scalar(select(func.count(column)).where(*where))


# 1. Points + cash at the counter: the cash is collected and recorded, or nothing happens.


@pytest.fixture
def cream_desk(session, make_member, now):
    """An advisor at SH001 keeping a 1,500 points + ¥300 cream, and a member with 2,000 points."""
    staff = factories.advisor(session)
    member = make_member(phone="13811112222")
    ledger.credit(session, member.id, "purchase", 2_000, "seed", now=now)
    cream = factories.gift(session, name="Cream", points_price=1_500, cash_fen=30_000, stock=0)
    session.add(StoreStock(store_id=staff.store_id, gift_id=cream.id, stock=3))
    session.flush()
    return staff, member, cream


def test_counter_redeem_of_points_and_cash_needs_the_cash_collected(session, cream_desk, now):
    staff, member, cream = cream_desk
    code = member_code.code_for(member, now)
    with pytest.raises(counter.CounterError) as refused:
        counter.redeem_here(session, staff, code, cream.id, 1, request_key="a", now=now)
    assert (refused.value.code, refused.value.detail) == ("cash_due", {"cash_fen": 30_000})
    assert count(session, Order.id) == 0 and count(session, Payment.id) == 0
    assert balances.balance(session, member.id, now) == 2_000
    assert session.scalar(select(StoreStock.stock)) == 3


def test_counter_redeem_records_the_cash_like_a_pickup(session, cream_desk, now):
    staff, member, cream = cream_desk
    code = member_code.code_for(member, now)
    order = counter.redeem_here(
        session, staff, code, cream.id, 1, request_key="a", cash_collected=True, now=now
    )
    assert (order.status, order.cash_fen, order.cash_due_fen, order.paid_at) == (
        "completed",
        30_000,
        30_000,
        now,
    )
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.provider, payment.amount_fen, payment.status, payment.paid_at) == (
        "counter",
        30_000,
        "paid",
        now,
    )
    assert balances.balance(session, member.id, now) == 500 and audit(session) == []
    again = counter.redeem_here(
        session, staff, code, cream.id, 1, request_key="a", cash_collected=True, now=now
    )
    assert again.id == order.id and count(session, Payment.id) == 1  # a double tap is one order


def test_a_pure_points_counter_redeem_needs_no_cash(session, cream_desk, now):
    staff, member, _ = cream_desk
    serum = factories.gift(session, points_price=500, stock=0)
    session.add(StoreStock(store_id=staff.store_id, gift_id=serum.id, stock=1))
    code = member_code.code_for(member, now)
    order = counter.redeem_here(session, staff, code, serum.id, 1, request_key="b", now=now)
    assert (order.status, order.cash_fen, order.paid_at) == ("completed", 0, None)
    assert count(session, Payment.id) == 0


# 2. Expiry never runs ahead of time.


def test_expiry_refuses_an_instant_after_now(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=now)
    with pytest.raises(expiry.ExpiryAhead) as refused:
        expiry.expire(session, now + timedelta(days=120), now=now)
    assert "2026-10-13" in str(refused.value) and "2026-06-15" in str(refused.value)
    assert session.scalar(select(PointLot.remaining)) == 10
    assert count(session, PointTransaction.id, PointTransaction.kind == "expire") == 0


def test_the_cutoff_of_a_day_is_its_end_but_never_after_now(now):
    assert expiry.cutoff(None, now) == now
    assert expiry.cutoff(now.date(), now) == now  # today: what is due so far, not tonight's lots
    day = datetime(2026, 6, 1).date()
    assert expiry.cutoff(day, now) == local_midnight(datetime(2026, 6, 2).date())
    with pytest.raises(expiry.ExpiryAhead):
        expiry.cutoff(datetime(2026, 6, 16).date(), now)


def test_lots_usable_through_today_survive_a_run_for_today(session, make_member, now):
    member = make_member()
    earned = now - timedelta(days=90)  # usable through today, the 90th day after earning
    lot = ledger.credit(session, member.id, "signin", 10, "s", now=earned).entries[0].lot
    assert lot.expires_at == local_midnight(now.date() + timedelta(days=1))
    assert expiry.expire(session, expiry.cutoff(now.date(), now), now=now) == 0
    assert balances.balance(session, member.id, now) == 10


# 3. A withdrawn referral gives its room under the monthly behaviour cap back.


def test_a_withdrawn_referral_gives_the_cap_back(session, make_member, now):
    referrer = make_member()
    friend = make_member(referred_by=referrer)
    earning.award_behaviour(session, referrer.id, "task", 100, "task:1", now=now)
    buy(session, friend, 10_000, now, "f1")  # +200 referral: the cap of 300 is used up
    assert earning.behaviour_used(session, referrer.id, now) == 300
    purchases.refund(
        session, order_no="f1", refund_no="r1", refund_fen=10_000, fingerprint="r1", now=now
    )
    assert earning.behaviour_used(session, referrer.id, now) == 100
    award = earning.award_behaviour(session, referrer.id, "profile", 50, "profile:1", now=now)
    assert (award.points, award.capped) == (50, False)
    assert balances.balance(session, referrer.id, now) == 150 and audit(session) == []


def test_a_partial_refund_keeps_the_referral_and_its_room(session, make_member, now):
    referrer = make_member()
    friend = make_member(referred_by=referrer)
    buy(session, friend, 10_000, now, "f1")
    purchases.refund(
        session, order_no="f1", refund_no="r1", refund_fen=9_999, fingerprint="r1", now=now
    )
    assert earning.behaviour_used(session, referrer.id, now) == 200


# 4. A refund reverts the upgrades that rested on the refunded growth, at once.


def refund(session, order_no, fen, now, refund_no=None):
    """Refund `fen` of a POS order."""
    refund_no = refund_no or f"{order_no}-r{fen}"
    return purchases.refund(
        session,
        order_no=order_no,
        refund_no=refund_no,
        refund_fen=fen,
        fingerprint=refund_no,
        now=now,
    )


def tier_history(session, member):
    """(from, to, reason, POS order number) of every tier change, oldest first."""
    rows = session.execute(
        select(TierChange, PosOrder.order_no)
        .outerjoin(PosOrder, PosOrder.id == TierChange.pos_order_id)
        .where(TierChange.member_id == member.id)
        .order_by(TierChange.id)
    ).all()
    codes = {t.id: t.code for t in tiers.ladder(session)}
    return [(codes[c.from_tier_id], codes[c.to_tier_id], c.reason, no) for c, no in rows]


def test_buy_upgrade_refund_drops_back_at_once_and_earns_at_the_old_rate(session, make_member, now):
    member = make_member()
    buy(session, member, 100_000, now, "a")  # ¥1,000: Silver
    assert member.tier.code == "silver"
    refund(session, "a", 100_000, now)
    assert member.tier.code == "base"
    assert tier_history(session, member) == [
        ("base", "silver", "upgrade", "a"),
        ("silver", "base", "refund", "a"),
    ]
    assert buy(session, member, 10_000, now, "b").points_awarded == 100  # ×1, not ×1.2


def test_a_partial_refund_drops_to_what_the_growth_still_supports(session, make_member, now):
    member = make_member()
    buy(session, member, 600_000, now, "a")  # Gold
    refund(session, "a", 300_000, now)  # growth 3,000: Silver
    assert member.tier.code == "silver"
    refund(session, "a", 100_000, now)  # growth 2,000: still Silver, nothing recorded
    assert tier_history(session, member) == [
        ("base", "gold", "upgrade", "a"),
        ("gold", "silver", "refund", "a"),
    ]


def test_never_below_the_tier_held_before_the_refunded_order(session, make_member, now):
    member = make_member()
    buy(session, member, 100_000, now, "a")  # Silver
    buy(session, member, 400_000, now, "b")  # growth 5,000: Gold
    refund(session, "b", 400_000, now)
    assert member.tier.code == "silver"
    refund(session, "a", 100_000, now)  # the Silver it had before b rested on a
    assert member.tier.code == "base"
    assert [h[1:] for h in tier_history(session, member)] == [
        ("silver", "upgrade", "a"),
        ("gold", "upgrade", "b"),
        ("silver", "refund", "b"),
        ("base", "refund", "a"),
    ]


def test_an_upgrade_a_later_order_made_with_the_refunded_growth_goes_too(session, make_member, now):
    member = make_member()
    buy(session, member, 90_000, now, "a")  # 900: still Member
    buy(session, member, 10_000, now, "b")  # 1,000: Silver, with a's growth
    refund(session, "a", 90_000, now)
    assert member.tier.code == "base"


@pytest.mark.parametrize(
    ("orders_fen", "refunded", "tier"),
    [
        ([100_000, 2_000_000], "a", "diamond"),  # b alone still makes Diamond
        ([500_000, 100_000], "b", "gold"),  # Gold came before b: b's refund changes nothing
    ],
)
def test_a_tier_the_remaining_growth_supports_is_kept(
    session, make_member, now, orders_fen, refunded, tier
):
    member = make_member()
    for order_no, fen in zip("ab", orders_fen, strict=True):
        buy(session, member, fen, now, order_no)
    changes = count(session, TierChange.id)
    refund(session, refunded, dict(zip("ab", orders_fen, strict=True))[refunded], now)
    assert member.tier.code == tier and count(session, TierChange.id) == changes


def test_a_replayed_refund_changes_the_tier_once(session, make_member, now):
    member = make_member()
    buy(session, member, 100_000, now, "a")
    refund(session, "a", 100_000, now, refund_no="r")
    refund(session, "a", 100_000, now, refund_no="r")
    assert count(session, TierChange.id, TierChange.reason == "refund") == 1
    assert count(session, GrowthEvent.id, GrowthEvent.reason == "refund") == 1


# 5. Points may pay at most the cap of the cash part: more is refused, never clamped.


def test_points_above_the_cash_cap_are_refused(session, make_member, now):
    factories.store(session)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10_000, "seed", now=now)
    gift = factories.gift(session, points_price=100, cash_fen=30_000, stock=5)
    assert pricing.breakdown(session, 30_000, 150, now).yuan_by_points == 150
    with pytest.raises(pricing.CashCapExceeded) as refused:
        pricing.breakdown(session, 30_000, 151, now)
    assert (refused.value.code, refused.value.detail) == ("cash_cap", {"max_yuan": 150})
    choice = Checkout(request_key="k", yuan_by_points=151, expected_rate=20)
    with pytest.raises(pricing.CashCapExceeded):
        redemption.redeem(session, member.id, gift.id, choice, now=now)
    assert count(session, Order.id) == 0 and session.get(Gift, gift.id).stock == 5
    assert balances.balance(session, member.id, now) == 10_000


def test_the_preview_shows_the_split_and_the_refusal(session, now):
    split, refused = pricing.preview(session, 30_000, 151, now)
    assert (split.max_yuan, split.yuan_by_points, refused.code) == (150, 0, "cash_cap")
    split, refused = pricing.preview(session, 30_000, 40, now)
    assert (split.yuan_by_points, split.cash_due_fen, refused) == (40, 26_000, None)


# 6. The POS may only name stores that exist.


def test_an_unknown_store_code_is_refused_and_nothing_awarded(session, make_member, now):
    member = make_member()
    factories.store(session, "SH001")
    with pytest.raises(purchases.UnknownStore) as refused:
        purchases.record_purchase(
            session,
            member,
            order_no="x1",
            store_code="NOPE1",
            paid_fen=10_000,
            paid_at=now,
            lines=[],
            fingerprint="f",
            now=now,
        )
    assert str(refused.value) == "NOPE1"
    assert count(session, PosOrder.id) == 0 and count(session, GrowthEvent.id) == 0
    assert balances.balance(session, member.id, now) == 0


# 7. A service order shows what can be done with its booking, and why the rest cannot.


@pytest.fixture
def service(session, make_member, now):
    """A member with 1,000 points and a redeemed facial with a slot 24 h from now."""
    factories.store(session)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    slot = factories.slot(session, now, hours=24)
    order = redemption.redeem(
        session, member.id, slot.gift_id, Checkout(request_key="svc"), now=now
    )
    return member, order, slot


def test_an_unbooked_service_order_can_be_booked_or_cancelled(session, service, now):
    _, order, _ = service
    actions = bookings.actions(session, order, now)
    assert (actions.status, actions.booking, actions.can_book) == ("to_book", None, True)
    assert (actions.can_change, actions.can_cancel, actions.why_not) == (False, True, None)


def test_a_booked_order_shows_booked_and_can_change_until_the_cutoff(session, service, now):
    member, order, slot = service
    booking = bookings.book(session, member.id, order.id, slot.id, now=now)
    actions = bookings.actions(session, order, now)
    assert (actions.status, actions.booking, actions.can_book) == ("booked", booking, False)
    assert (actions.can_change, actions.can_cancel, actions.why_not) == (True, True, None)
    timeline = session.scalars(
        select(OrderEvent.status).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    assert timeline == ["to_book", "booked"]
    late = slot.starts_at - timedelta(hours=2)
    actions = bookings.actions(session, order, late)
    assert (actions.status, actions.can_change, actions.can_cancel) == ("booked", False, False)
    assert (actions.why_not.code, actions.why_not.detail) == ("too_late", {"hours": 2})
    assert bookings.actions(session, order, late - timedelta(seconds=1)).can_change


def test_moving_the_time_is_its_own_timeline_entry(session, service, now):
    member, order, slot = service
    later = factories.slot(session, now, gift_item=order.gift, hours=48)
    bookings.book(session, member.id, order.id, slot.id, now=now)
    bookings.book(session, member.id, order.id, later.id, now=now)
    timeline = session.scalars(
        select(OrderEvent.status).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    assert timeline == ["to_book", "booked", "rebooked"]


def test_only_service_orders_have_a_booking_page(session, service, now):
    member, order, _ = service
    assert bookings.service_order(session, member.id, order.id) == order
    coupon = factories.gift(session, kind="coupon", points_price=10, stock=1)
    wallet = redemption.redeem(session, member.id, coupon.id, Checkout(request_key="c"), now=now)
    with pytest.raises(bookings.BookingError, match="not_found"):
        bookings.service_order(session, member.id, wallet.id)
    actions = bookings.actions(session, wallet, now)
    assert (actions.status, actions.can_book, actions.can_change, actions.can_cancel) == (
        "completed",
        False,
        False,
        False,
    )


def test_a_closed_service_order_offers_nothing(session, service, now):
    member, order, _ = service
    orders.cancel(session, member.id, order.id, now=now)
    actions = bookings.actions(session, order, now)
    assert (actions.status, actions.can_book, actions.can_change, actions.can_cancel) == (
        "cancelled",
        False,
        False,
        False,
    )


# 8. An upcoming gift listed on Feb 29 counts down to a window the service computes.


def test_an_upcoming_gift_listed_on_feb_29(session, make_member, now):
    listed = datetime(2028, 2, 29, 2, 0, tzinfo=UTC)  # Feb 29 in UTC and in Shanghai (10:00)
    gift = factories.gift(session, listed_at=listed)
    state = catalog.state(session, gift, make_member(), now)
    assert (state.status, state.starts_at) == ("upcoming", listed)
    assert state.ends_at == listed + catalog.COUNTDOWN_HORIZON
    assert state.ends_at == datetime(2038, 2, 26, 2, 0, tzinfo=UTC)


# 9. Refunding a redemption twice says so the second time and writes nothing.


def test_refunding_a_redemption_twice_is_a_replay(session, cream_desk, now):
    staff, member, _ = cream_desk
    factories.store(session)
    gift = factories.gift(session, points_price=300, stock=2)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="k"), now=now)
    counter.hand_over(session, staff, order.pickup_code, cash_collected=False, now=now)
    first = orders.refund(session, order.order_no, now=now)
    assert (first.order, first.replay) == (order, False)
    txns = count(session, PointTransaction.id)
    again = orders.refund(session, order.order_no, now=now + timedelta(hours=1))
    assert (again.order, again.replay) == (order, True)
    assert count(session, PointTransaction.id) == txns and order.closed_at == now
    assert balances.balance(session, member.id, now) == 2_000 and audit(session) == []
