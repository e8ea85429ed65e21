"""Earning rules: purchase multipliers, campaigns, birthday month, sign-in, the monthly cap."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Campaign, CategoryMultiplier, EarningSetting, SignIn, Tier
from app.services.accounts.accounts import AccountError, update_profile
from app.services.points import balances, earning, purchases
from tests.factories import buy


def tier(session, code):
    return session.scalar(select(Tier).where(Tier.code == code))


@pytest.mark.parametrize(
    ("tier_code", "fen", "category", "expected"),
    [
        ("base", 10_000, "skincare", 100),
        ("base", 9_999, "skincare", 99),  # ¥99.99 → 99: floor once, at the end
        ("silver", 10_000, "skincare", 120),
        ("gold", 9_999, "skincare", 149),  # 99.99 × 1.5 = 149.985 → 149
        ("diamond", 10_000, "skincare", 200),
        ("base", 10_000, "fragrance", 150),  # category multiplier set to 150% below
        ("gold", 10_000, "fragrance", 225),
        ("base", 10_000, "gift_card", 0),  # gift cards earn nothing
        ("base", 10_000, "unknown", 100),  # unknown categories count at 100%
    ],
)
def test_purchase_points_multiply_then_floor_once(
    session, make_member, now, tier_code, fen, category, expected
):
    session.get(CategoryMultiplier, "fragrance").multiplier_pct = 150
    member = make_member(tier=tier(session, tier_code))
    assert (
        earning.purchase_points(
            session, member, fen, [{"category": category, "paid_fen": fen}], now
        )
        == expected
    )


def test_mixed_lines_are_weighted_per_category(session, make_member, now):
    session.get(CategoryMultiplier, "fragrance").multiplier_pct = 200
    member = make_member(tier=tier(session, "silver"))
    lines = [
        {"category": "skincare", "paid_fen": 5_050},
        {"category": "fragrance", "paid_fen": 5_050},
    ]
    # (5050×100 + 5050×200) × 120% = 181.8 → 181
    assert earning.purchase_points(session, member, 10_100, lines, now) == 181


@pytest.mark.parametrize(
    ("paid_at", "expected"),
    [
        (datetime(2026, 12, 23, 15, 59, tzinfo=UTC), 100),  # Dec 23, 23:59 in Shanghai
        (datetime(2026, 12, 23, 16, 0, tzinfo=UTC), 300),  # Dec 24, 00:00 in Shanghai
        (datetime(2026, 12, 25, 15, 59, tzinfo=UTC), 300),  # Dec 25, 23:59
        (datetime(2026, 12, 25, 16, 0, tzinfo=UTC), 100),  # Dec 26, 00:00
    ],
)
def test_campaign_window_is_in_brand_local_dates(session, make_member, paid_at, expected):
    session.add(
        Campaign(
            name="Christmas",
            starts_on=date(2026, 12, 24),
            ends_on=date(2026, 12, 25),
            multiplier_pct=300,
        )
    )
    session.add(
        Campaign(
            name="Double",
            starts_on=date(2026, 12, 25),
            ends_on=date(2026, 12, 25),
            multiplier_pct=200,
        )
    )
    member = make_member()
    assert earning.purchase_points(session, member, 10_000, [], paid_at) == expected


def test_birthday_month_first_order_doubles(session, make_member):
    member = make_member(birthday=date(1995, 6, 20), tier=tier(session, "gold"))
    june = datetime(2026, 6, 3, 4, tzinfo=UTC)
    assert buy(session, member, 10_000, june, "b1").points_awarded == 300
    assert buy(session, member, 10_000, june + timedelta(days=1), "b2").points_awarded == 150
    july = datetime(2026, 7, 3, 4, tzinfo=UTC)
    assert buy(session, member, 10_000, july, "b3").points_awarded == 150


def test_no_birthday_no_bonus(session, make_member):
    member = make_member()
    assert buy(session, member, 10_000, datetime(2026, 6, 3, tzinfo=UTC)).points_awarded == 100


def test_purchase_is_awarded_once_and_conflicts_are_refused(session, make_member, now):
    member = make_member()
    first = buy(session, member, 10_000, now, "same")
    again = buy(session, member, 10_000, now, "same")
    assert again.id == first.id and balances.balance(session, member.id, now) == 100
    with pytest.raises(purchases.Conflict):
        buy(session, member, 20_000, now, "same")


def test_sign_in_once_per_brand_local_day(session, make_member):
    member = make_member()
    late = datetime(2026, 6, 15, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    first = earning.sign_in(session, member.id, late)
    again = earning.sign_in(session, member.id, late + timedelta(seconds=30))
    next_day = earning.sign_in(session, member.id, late + timedelta(minutes=2))  # 00:01 next day
    assert (first.points, first.already) == (5, False)
    assert again.already and again.points == 5
    assert (next_day.streak, next_day.already) == (2, False)
    assert session.scalar(select(func.count(SignIn.id))) == 2
    assert balances.balance(session, member.id, late + timedelta(minutes=2)) == 10


def test_streak_bonus_every_seventh_day_and_reset_after_a_gap(session, make_member, now):
    member = make_member()
    results = [earning.sign_in(session, member.id, now + timedelta(days=d)) for d in range(7)]
    assert [r.points for r in results] == [5] * 6 + [25]
    assert results[-1].streak == 7
    after_gap = earning.sign_in(session, member.id, now + timedelta(days=9))
    assert after_gap.streak == 1


def test_behaviour_points_are_capped_per_local_month(session, make_member):
    session.get(EarningSetting, "signin_points").value = 120
    member = make_member()
    start = datetime(2026, 6, 1, 0, tzinfo=UTC)  # 08:00 on June 1 in Shanghai
    got = [earning.sign_in(session, member.id, start + timedelta(days=d)) for d in range(4)]
    assert [(g.points, g.capped) for g in got] == [
        (120, False),
        (120, False),
        (60, True),
        (0, True),
    ]
    july = earning.sign_in(session, member.id, datetime(2026, 6, 30, 16, 5, tzinfo=UTC))  # July 1
    assert (july.points, july.capped) == (120, False)


def test_purchase_points_do_not_count_towards_the_cap(session, make_member, now):
    member = make_member()
    buy(session, member, 1_000_000, now)
    award = earning.award_behaviour(session, member.id, "task", 300, "t", now=now)
    assert (award.points, award.capped) == (300, False)


def test_profile_completion_pays_once_and_birthday_is_set_once(session, make_member, now):
    member = make_member()
    assert update_profile(session, member, "林小满", None, now=now) == 0
    assert update_profile(session, member, "林小满", date(1995, 6, 20), now=now) == 50
    assert update_profile(session, member, "林小满 2", date(1995, 6, 20), now=now) == 0
    with pytest.raises(AccountError, match="birthday_locked"):
        update_profile(session, member, "林小满", date(1990, 1, 1), now=now)
    assert balances.balance(session, member.id, now) == 50


def test_referrer_is_rewarded_after_the_first_purchase_only(session, make_member, now):
    referrer = make_member()
    friend = make_member(referred_by=referrer)
    assert balances.balance(session, referrer.id, now) == 0
    buy(session, friend, 10_000, now, "f1")
    buy(session, friend, 10_000, now, "f2")
    assert balances.balance(session, referrer.id, now) == 200


def test_full_refund_of_the_first_order_withdraws_the_referral(session, make_member, now):
    referrer = make_member()
    friend = make_member(referred_by=referrer)
    buy(session, friend, 10_000, now, "f1")
    purchases.refund(
        session, order_no="f1", refund_no="r1", refund_fen=4_000, fingerprint="a", now=now
    )
    assert balances.balance(session, referrer.id, now) == 200
    purchases.refund(
        session, order_no="f1", refund_no="r2", refund_fen=6_000, fingerprint="b", now=now
    )
    assert balances.balance(session, referrer.id, now) == 0
    assert balances.balance(session, friend.id, now) == 0
