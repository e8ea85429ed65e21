"""Redemption: every reason it can fail, stock, limits, codes, flash, cancel, payment."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import CashRate, Gift, Order, Tier
from app.services.mall import catalog, orders, pricing, redemption
from app.services.mall.errors import (
    BadRequest,
    CannotCancel,
    LimitReached,
    NotEnoughPoints,
    NotInWindow,
    RateChanged,
    SoldOut,
    TierTooLow,
)
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from app.services.points.audit import audit
from tests import factories


@pytest.fixture
def rich(session, make_member, now):
    """A base-tier member with 1,000 points and a pickup store."""
    factories.store(session)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    return member


def redeem(session, member, gift, now, key="k1", **choice):
    return redemption.redeem(
        session, member.id, gift.id, Checkout(request_key=key, **choice), now=now
    )


def test_pure_points_pickup_redemption(session, rich, now):
    gift = factories.gift(session, points_price=300, stock=3)
    order = redeem(session, rich, gift, now, qty=2)
    assert (order.status, order.points, order.delivery) == ("to_pickup", 600, "pickup")
    assert len(order.pickup_code) == 8 and order.store.code == "SH001"
    assert gift.stock == 1 or session.get(Gift, gift.id).stock == 1
    assert balances.balance(session, rich.id, now) == 400
    assert redeem(session, rich, gift, now, qty=2).id == order.id  # a double tap is one order
    assert audit(session) == []


@pytest.mark.parametrize(
    ("fields", "member_tier", "error"),
    [
        ({"listed_at": "future"}, "base", NotInWindow),
        ({"delisted_at": "past"}, "base", NotInWindow),
        ({"stock": 0}, "base", SoldOut),
        ({"tier_codes": ["gold", "diamond"]}, "silver", TierTooLow),
        ({"points_price": 1_001}, "base", NotEnoughPoints),
    ],
)
def test_each_reason_refuses_and_writes_nothing(session, rich, now, fields, member_tier, error):
    fields = {
        k: (
            now + timedelta(days=1)
            if v == "future"
            else now - timedelta(days=1)
            if v == "past"
            else v
        )
        for k, v in fields.items()
    }
    rich.tier = session.scalar(select(Tier).where(Tier.code == member_tier))
    gift = factories.gift(session, **fields)
    session.commit()
    with pytest.raises(error):
        redeem(session, rich, gift, now)
    session.rollback()
    assert session.scalar(select(func.count(Order.id))) == 0
    assert balances.balance(session, rich.id, now) == 1_000


def test_gift_state_explains_the_call_to_action(session, rich, now):
    gated = factories.gift(session, tier_codes=["gold", "diamond"])
    dear = factories.gift(session, points_price=1_320)
    low = factories.gift(session, stock=3)
    assert catalog.state(session, gated, rich, now).locked_reason == "gold"
    assert catalog.state(session, dear, rich, now).shortfall == 320
    assert catalog.state(session, low, rich, now).low_stock


@pytest.mark.parametrize(
    ("period", "second_at", "allowed"),
    [
        ("total", timedelta(days=400), False),
        ("day", timedelta(hours=14), True),  # 10:00 + 14 h is 00:00 the next day in Shanghai
        ("day", timedelta(hours=12), False),  # 22:00 the same day
        ("week", timedelta(days=7), True),  # Monday June 15 → the next Monday
        ("month", timedelta(days=16), True),  # July 1
    ],
)
def test_limits_per_period_in_brand_local_time(session, rich, now, period, second_at, allowed):
    gift = factories.gift(session, limit_count=1, limit_period=period, points_price=10)
    redeem(session, rich, gift, now, key="a")
    if allowed:
        redeem(session, rich, gift, now + second_at, key="b")
    else:
        with pytest.raises(LimitReached):
            redeem(session, rich, gift, now + second_at, key="b")


def test_same_week_limit_holds(session, rich, now):
    gift = factories.gift(session, limit_count=2, limit_period="week", points_price=10)
    redeem(session, rich, gift, now, key="a", qty=2)
    with pytest.raises(LimitReached):
        redeem(session, rich, gift, now + timedelta(days=5), key="b")  # Saturday, same week


def test_quantity_above_the_per_order_maximum_is_refused(session, rich, now):
    gift = factories.gift(session, per_order_max=2, points_price=10)
    with pytest.raises(BadRequest):
        redeem(session, rich, gift, now, qty=3)


def test_sold_out_gifts_stay_on_their_shelf_sold_out(session, rich, now):
    gift = factories.gift(session, stock=1, points_price=10)
    redeem(session, rich, gift, now)
    shelves = catalog.shelves(session, rich, now)
    cards = [card for shelf in shelves for card in shelf.cards if card.gift.id == gift.id]
    assert [card.state.status for card in cards] == ["sold_out"]
    assert catalog.state(session, gift, rich, now).status == "sold_out"
    affordable = catalog.shelves(session, rich, now, affordable=True)
    assert all(card.gift.id != gift.id for shelf in affordable for card in shelf.cards)


def test_coupon_codes_go_to_exactly_one_order_each(session, rich, now):
    coupon = factories.gift(session, kind="coupon", stock=3, points_price=10)
    first = redeem(session, rich, coupon, now, key="a", qty=2)
    second = redeem(session, rich, coupon, now, key="b")
    assert first.status == "completed" and first.delivery == "wallet"
    codes = [c.code for c in first.codes] + [c.code for c in second.codes]
    assert len(codes) == len(set(codes)) == 3


def test_points_and_cash_at_the_member_day_rate(session, rich, now):
    session.add(
        CashRate(kind="weekly", name="Member day", points_per_yuan=10, weekday=now.weekday())
    )
    gift = factories.gift(session, points_price=100, cash_fen=30_000)
    factories.store(session)
    split = pricing.breakdown(session, 30_000, 0, now)
    assert (split.rate.points_per_yuan, split.max_yuan) == (10, 150)  # cap: half the cash
    order = redeem(session, rich, gift, now, delivery="pickup", yuan_by_points=50, expected_rate=10)
    assert (order.points_for_cash, order.cash_due_fen, order.cash_rate) == (500, 25_000, 10)
    assert balances.balance(session, rich.id, now) == 400


def test_a_changed_rate_is_refused(session, rich, now):
    gift = factories.gift(session, points_price=100, cash_fen=10_000)
    with pytest.raises(RateChanged):
        redeem(session, rich, gift, now, yuan_by_points=10, expected_rate=10)  # standard is 20


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2026, 12, 22), 20),
        (date(2026, 12, 24), 15),
        (date(2026, 12, 30), 10),
    ],
)
def test_rate_calendar(session, day, rate):
    session.add(
        CashRate(
            kind="range",
            name="Xmas",
            points_per_yuan=15,
            starts_on=date(2026, 12, 24),
            ends_on=date(2026, 12, 25),
        )
    )
    session.add(CashRate(kind="weekly", name="Member day", points_per_yuan=10, weekday=2))
    moment = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)
    assert pricing.rate_at(session, moment).points_per_yuan == rate


def test_shipping_with_cash_waits_for_payment_then_expires(session, rich, now):
    from app.models import Address

    address = Address(
        member_id=rich.id,
        recipient="林",
        phone="13800000000",
        region="上海",
        detail="南京西路 1266 号",
    )
    session.add(address)
    gift = factories.gift(session, points_price=100, cash_fen=5_000, stock=1)
    order = redeem(session, rich, gift, now, delivery="ship", address_id=address.id)
    assert (order.status, order.cash_due_fen) == ("pending_payment", 5_000)
    assert orders.expire_unpaid(session, now + timedelta(minutes=14)) == 0
    assert orders.expire_unpaid(session, now + timedelta(minutes=15)) == 1
    assert orders.expire_unpaid(session, now + timedelta(minutes=16)) == 0
    assert order.status == "cancelled" and session.get(Gift, gift.id).stock == 1
    assert balances.balance(session, rich.id, now) == 1_000


def test_sandbox_payment_moves_the_order_on(session, rich, now):
    from app.models import Address

    address = Address(
        member_id=rich.id, recipient="林", phone="13800000000", region="上海", detail="1 号"
    )
    session.add(address)
    gift = factories.gift(session, points_price=100, cash_fen=5_000)
    order = redeem(session, rich, gift, now, delivery="ship", address_id=address.id)
    orders.complete_payment(session, rich.id, order.id, now=now)
    orders.complete_payment(session, rich.id, order.id, now=now)
    assert order.status == "to_ship" and order.paid_at == now
    assert [e.status for e in order.events] == ["pending_payment", "to_ship"]


def test_cancel_returns_points_stock_and_is_idempotent(session, rich, now):
    gift = factories.gift(session, points_price=250, stock=2)
    order = redeem(session, rich, gift, now)
    orders.cancel(session, rich.id, order.id, now=now)
    orders.cancel(session, rich.id, order.id, now=now)
    assert balances.balance(session, rich.id, now) == 1_000
    assert session.get(Gift, gift.id).stock == 2
    assert audit(session) == []
    coupon = factories.gift(session, kind="coupon", stock=1, points_price=10)
    done = redeem(session, rich, coupon, now, key="c")
    with pytest.raises(CannotCancel):
        orders.cancel(session, rich.id, done.id, now=now)


def test_another_members_order_is_not_found(session, rich, make_member, now):
    order = redeem(session, rich, factories.gift(session), now)
    other = make_member()
    with pytest.raises(orders.OrderNotFound):
        orders.get(session, other.id, order.id, now)


def test_flash_window_limit_stock_and_points(session, rich, make_member, now):
    event = factories.flash(session, now, stock=1, price=600)
    order = redemption.redeem_flash(session, rich.id, event.id, now=now)
    assert order.flash_event_id == event.id and order.status == "to_pickup"
    with pytest.raises(LimitReached):
        redemption.redeem_flash(session, rich.id, event.id, now=now)
    other = make_member()
    ledger.credit(session, other.id, "purchase", 1_000, "o", now=now)
    with pytest.raises(SoldOut):
        redemption.redeem_flash(session, other.id, event.id, now=now)
    upcoming = factories.flash(session, now, starts=1)
    with pytest.raises(NotInWindow):
        redemption.redeem_flash(session, other.id, upcoming.id, now=now)
    ended = factories.flash(session, now, starts=-5, hours=1)
    with pytest.raises(NotInWindow):
        redemption.redeem_flash(session, other.id, ended.id, now=now)
    dear = factories.flash(session, now, price=5_000)
    with pytest.raises(NotEnoughPoints):
        redemption.redeem_flash(session, other.id, dear.id, now=now)
    gated = factories.flash(session, now, tier_codes=["diamond"])
    with pytest.raises(TierTooLow):
        redemption.redeem_flash(session, other.id, gated.id, now=now)


def test_cancelled_flash_order_gives_the_unit_and_the_right_back(session, rich, now):
    event = factories.flash(session, now, stock=1, price=100)
    order = redemption.redeem_flash(session, rich.id, event.id, now=now)
    orders.cancel(session, rich.id, order.id, now=now)
    assert event.stock == 1 or session.get(type(event), event.id).stock == 1
    again = redemption.redeem_flash(session, rich.id, event.id, now=now)
    assert again.id != order.id and balances.balance(session, rich.id, now) == 900


def test_refund_of_a_fulfilled_order_returns_the_exact_lots_and_stock(session, rich, now):
    from app.services.counter import counter

    gift = factories.gift(session, points_price=300, stock=2)
    order = redeem(session, rich, gift, now)
    counter.hand_over(
        session, factories.advisor(session), order.pickup_code, cash_collected=False, now=now
    )
    with pytest.raises(orders.OrderNotFound):
        orders.refund(session, "nope", now=now)
    orders.refund(session, order.order_no, now=now)
    orders.refund(session, order.order_no, now=now)  # twice is harmless
    assert order.status == "refunded" and session.get(Gift, gift.id).stock == 2
    assert balances.balance(session, rich.id, now) == 1_000 and audit(session) == []
    coupon = factories.gift(session, kind="coupon", stock=1, points_price=10)
    done = redeem(session, rich, coupon, now, key="c")
    with pytest.raises(CannotCancel):
        orders.refund(session, done.order_no, now=now)
