"""Refunds reverse the refunded share; tiers follow trailing-12-month growth."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import PointLot, Tier, TierChange
from app.services.points import balances, ledger, purchases, tiers
from app.services.points.audit import audit
from tests.factories import buy


def refund(session, order_no, refund_no, fen, now):
    return purchases.refund(
        session,
        order_no=order_no,
        refund_no=refund_no,
        refund_fen=fen,
        fingerprint=f"{refund_no}:{fen}",
        now=now,
    )


@pytest.mark.parametrize(
    ("refunds", "reversed_points", "balance"),
    [
        ([3_333], 33, 67),  # floor(100 × 33.33%) = 33
        ([3_333, 3_333], 66, 34),  # cumulative: floor(100 × 66.66%) = 66
        ([3_333, 3_333, 3_334], 100, 0),  # the last refund reverses exactly what is left
        ([10_000], 100, 0),
    ],
)
def test_refunds_reverse_the_refunded_share(
    session, make_member, now, refunds, reversed_points, balance
):
    member = make_member()
    order = buy(session, member, 10_000, now)
    for i, fen in enumerate(refunds):
        refund(session, "o1", f"r{i}", fen, now)
    assert order.points_reversed == reversed_points
    assert balances.balance(session, member.id, now) == balance
    assert audit(session) == []


def test_refund_replays_and_limits(session, make_member, now):
    member = make_member()
    buy(session, member, 10_000, now)
    refund(session, "o1", "r1", 5_000, now)
    assert refund(session, "o1", "r1", 5_000, now).replay
    with pytest.raises(purchases.Conflict):
        refund(session, "o1", "r1", 4_000, now)
    with pytest.raises(purchases.RefundTooLarge):
        refund(session, "o1", "r2", 5_001, now)
    with pytest.raises(purchases.OrderNotFound):
        refund(session, "nope", "r3", 1, now)
    assert balances.balance(session, member.id, now) == 50


def test_refund_of_spent_points_creates_a_debt_settled_by_the_next_credit(
    session, make_member, now
):
    member = make_member()
    buy(session, member, 10_000, now, "o1")
    ledger.debit(session, member.id, 90, "gift", now=now)
    refund(session, "o1", "r1", 10_000, now)
    assert (balances.balance(session, member.id, now), member.debt) == (0, 90)
    buy(session, member, 20_000, now, "o2")
    assert (balances.balance(session, member.id, now), member.debt) == (110, 0)
    assert audit(session) == []


def test_refund_takes_from_the_order_lot_first(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=now)
    buy(session, member, 10_000, now, "o1")
    refund(session, "o1", "r1", 5_000, now)
    remaining = dict(session.execute(select(PointLot.source, PointLot.remaining)).all())
    assert remaining == {"signin": 10, "purchase": 50}


def test_growth_upgrades_at_once(session, make_member, now):
    member = make_member()
    buy(session, member, 99_900, now, "a")
    assert member.tier.code == "base"
    buy(session, member, 100, now, "b")  # growth 1,000 → Silver
    assert member.tier.code == "silver"
    buy(session, member, 2_000_000, now, "c")  # straight to Diamond
    assert member.tier.code == "diamond"
    assert tiers.progress(session, member, now).next_tier is None


def test_progress_shows_the_growth_still_needed(session, make_member, now):
    member = make_member()
    buy(session, member, 30_050, now)  # ¥300.50 → 300 growth
    progress = tiers.progress(session, member, now)
    assert (progress.growth, progress.next_tier.code, progress.needed) == (300, "silver", 700)


def test_refund_lowers_growth_and_undoes_the_upgrade_the_order_made(session, make_member, now):
    member = make_member()
    buy(session, member, 600_000, now)  # Gold
    refund(session, "o1", "r1", 300_000, now)
    assert tiers.rolling_growth(session, member.id, now) == 3_000
    assert member.tier.code == "silver"  # at once: the refunded order made the upgrade
    first_of_month = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)  # July 1, 00:30 in Shanghai
    assert tiers.review(session, first_of_month) == 0  # growth 3,000 keeps Silver
    assert member.tier.code == "silver"


def test_the_review_drops_a_tier_growth_no_longer_supports_once_a_month(session, make_member):
    member = make_member()
    buy(session, member, 600_000, datetime(2025, 6, 1, 4, tzinfo=UTC))  # Gold, a year ago
    buy(session, member, 300_000, datetime(2026, 3, 1, 4, tzinfo=UTC), "o2")
    first_of_month = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)  # July 1, 00:30 in Shanghai
    assert tiers.rolling_growth(session, member.id, first_of_month) == 3_000  # o1 aged out
    assert tiers.review(session, first_of_month) == 1
    assert member.tier.code == "silver"
    assert tiers.review(session, first_of_month + timedelta(days=3)) == 0  # once a month


def test_review_drops_one_rung_per_month_when_growth_ages_out(session, make_member):
    member = make_member()
    bought = datetime(2025, 3, 10, 4, tzinfo=UTC)
    buy(session, member, 2_100_000, bought)  # Diamond, growth 21,000
    assert member.tier.code == "diamond"
    codes = []
    for month in (3, 4, 5, 6):
        tiers.review(session, datetime(2026, month, 1, 1, tzinfo=UTC))
        codes.append(member.tier.code)
    # growth older than 12 months no longer counts from March 2026: one rung a month
    assert codes == ["diamond", "gold", "silver", "base"]
    changes = session.scalars(select(TierChange.reason).order_by(TierChange.id)).all()
    assert changes == ["upgrade", "review", "review", "review"]


def test_growth_window_is_twelve_brand_local_months(session, make_member):
    member = make_member()
    buy(session, member, 100_000, datetime(2025, 6, 14, 16, 30, tzinfo=UTC))  # June 15, 00:30 local
    assert tiers.rolling_growth(session, member.id, datetime(2026, 6, 15, 2, tzinfo=UTC)) == 1_000
    assert tiers.rolling_growth(session, member.id, datetime(2026, 6, 15, 16, 30, tzinfo=UTC)) == 0


def test_ladder_is_data(session):
    assert [(t.code, t.threshold, t.multiplier_pct) for t in tiers.ladder(session)] == [
        ("base", 0, 100),
        ("silver", 1_000, 120),
        ("gold", 5_000, 150),
        ("diamond", 20_000, 200),
    ]
    assert session.scalar(select(Tier).where(Tier.code == "gold")).display_name("en") == "Gold"


def test_two_upgrades_in_one_transaction_each_start_from_the_tier_before(session, make_member, now):
    member = make_member()
    tiers.add_growth(session, member, 1_000, "purchase", "g1", occurred_at=now, now=now)
    tiers.add_growth(session, member, 4_000, "purchase", "g2", occurred_at=now, now=now)
    session.flush()
    changes = session.scalars(
        select(TierChange).where(TierChange.member_id == member.id).order_by(TierChange.id)
    ).all()
    codes = {t.id: t.code for t in session.scalars(select(Tier))}
    steps = [(codes[c.from_tier_id], codes[c.to_tier_id]) for c in changes]
    assert steps == [("base", "silver"), ("silver", "gold")]
    assert member.tier.code == "gold" and codes[member.tier_id] == "gold"
