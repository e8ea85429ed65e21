"""Versioned rules: what is in force at an instant, never retroactive; the issue cap; clearing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import PointLot, PointTransaction, RuleVersion, Tier
from app.services.console import clearing as console_clearing
from app.services.console import rules as console_rules
from app.services.console import simulator
from app.services.mall import pricing
from app.services.points import balances, earning, issuing, ledger, purchases, tiers
from app.services.points.rules import rules_at
from app.timeutil import local_midnight
from tests import factories
from tests.factories import buy

TODAY_2359 = datetime(2026, 6, 15, 15, 59, tzinfo=UTC)  # 23:59 on June 15 in Shanghai
TOMORROW_0000 = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)  # 00:00 on June 16 in Shanghai


@pytest.fixture
def admin(session):
    """Operator `admin`."""
    return factories.staff(session, "operator", "admin")


@pytest.fixture
def admin2(session):
    """Operator `admin2`, the second pair of eyes."""
    return factories.staff(session, "operator", "admin2")


def tier(session, code):
    return session.scalar(select(Tier).where(Tier.code == code))


def with_changes(session, section, now, **changes):
    payload = console_rules.in_force(session, section, now)
    payload.update(changes)
    return payload


def test_local_midnight_is_16_utc():
    assert local_midnight(date(2026, 6, 16)) == TOMORROW_0000


def test_a_version_effective_tomorrow_applies_from_shanghai_midnight(
    session, admin, make_member, now
):
    payload = with_changes(session, "categories", now, categories={"skincare": 200})
    console_rules.save(session, admin, "categories", payload, effective_at=TOMORROW_0000, now=now)
    member = make_member()
    assert buy(session, member, 10_000, TODAY_2359, "late").points_awarded == 100
    assert buy(session, member, 10_000, TOMORROW_0000, "midnight").points_awarded == 200
    # an order paid before the change but reported after it keeps the old rules
    assert buy(session, member, 10_000, now, "reported-late").points_awarded == 100


def test_a_sign_in_earns_under_the_rules_at_its_time(session, admin, make_member, now):
    payload = with_changes(session, "behaviour", now, signin_points=8)
    console_rules.save(session, admin, "behaviour", payload, effective_at=TOMORROW_0000, now=now)
    member = make_member()
    assert earning.sign_in(session, member.id, TODAY_2359).points == 5
    assert earning.sign_in(session, member.id, TOMORROW_0000).points == 8


def test_versions_never_take_effect_in_the_past(session, admin, now):
    payload = console_rules.in_force(session, "birthday", now)
    with pytest.raises(console_rules.RulesError) as caught:
        console_rules.save(
            session, admin, "birthday", payload, effective_at=now - timedelta(hours=1), now=now
        )
    assert caught.value.code == "past"
    assert session.scalar(select(func.count(RuleVersion.id))) == 0


def test_the_first_change_keeps_the_initial_rules_as_version_0(session, admin, now):
    payload = with_changes(session, "birthday", now, birthday_multiplier_pct=300)
    version = console_rules.save(session, admin, "birthday", payload, effective_at=None, now=now)
    assert version.effective_at == now and version.created_by_id == admin.id
    first = session.scalar(select(RuleVersion).order_by(RuleVersion.id))
    assert first.created_by_id is None and first.payload == {"birthday_multiplier_pct": 200}
    assert rules_at(session, now - timedelta(seconds=1)).setting("birthday_multiplier_pct") == 200
    assert rules_at(session, now).setting("birthday_multiplier_pct") == 300


def test_a_later_version_at_the_same_instant_replaces_a_scheduled_one(session, admin, now):
    for pct in (300, 250):
        payload = with_changes(session, "birthday", now, birthday_multiplier_pct=pct)
        console_rules.save(session, admin, "birthday", payload, effective_at=TOMORROW_0000, now=now)
    assert rules_at(session, TOMORROW_0000).setting("birthday_multiplier_pct") == 250


def test_rule_versions_are_append_only(session, admin, now):
    payload = console_rules.in_force(session, "gift_pack", now)
    console_rules.save(session, admin, "gift_pack", payload, effective_at=None, now=now)
    session.commit()
    with pytest.raises(DBAPIError):
        session.execute(text("UPDATE rule_versions SET note = 'x'"))
    session.rollback()
    with pytest.raises(DBAPIError):
        session.execute(text("DELETE FROM rule_versions"))
    session.rollback()


@pytest.mark.parametrize(
    ("section", "changes", "code"),
    [
        ("tiers", {"tiers": []}, "tiers"),
        ("categories", {"categories": {"skincare": -1}}, "range"),
        ("behaviour", {"signin_streak_days": 0}, "range"),
        ("cash", {"rates": []}, "default_rate"),
        (
            "sources",
            {
                "sources": {
                    "purchase": {"expiry_kind": "soon", "expiry_value": 1, "pending_days": 0}
                }
            },
            "source",
        ),
    ],
)
def test_a_bad_payload_is_refused_and_nothing_is_written(
    session, admin, now, section, changes, code
):
    payload = with_changes(session, section, now, **changes)
    with pytest.raises(console_rules.RulesError) as caught:
        console_rules.save(session, admin, section, payload, effective_at=None, now=now)
    assert caught.value.code == code
    assert session.scalar(select(func.count(RuleVersion.id))) == 0


def test_tier_thresholds_must_rise_and_start_at_zero(session, admin, now):
    payload = console_rules.in_force(session, "tiers", now)
    payload["tiers"][2]["threshold"] = 500  # gold below silver
    with pytest.raises(console_rules.RulesError, match="thresholds"):
        console_rules.save(session, admin, "tiers", payload, effective_at=None, now=now)


def test_tier_changes_apply_to_upgrades_multipliers_and_names(session, admin, make_member, now):
    payload = console_rules.in_force(session, "tiers", now)
    silver = payload["tiers"][1]
    silver.update(threshold=500, multiplier_pct=130)
    silver["names"]["en"] = "Silver Star"
    console_rules.save(session, admin, "tiers", payload, effective_at=TOMORROW_0000, now=now)
    before, after = make_member(), make_member()
    buy(session, before, 60_000, TODAY_2359, "b")  # ¥600 under the old 1,000 threshold
    assert before.tier.code == "base"
    buy(session, after, 60_000, TOMORROW_0000, "a")
    assert after.tier.code == "silver"
    assert buy(session, after, 10_000, TOMORROW_0000, "a2").points_awarded == 130
    names = [t.display_name("en") for t in tiers.ladder(session, TOMORROW_0000)]
    assert names[1] == "Silver Star"
    assert tiers.progress(session, after, TOMORROW_0000).tier.display_name("en") == "Silver Star"


def test_campaign_for_some_tiers_only(session, admin, make_member, now):
    console_rules.add_campaign(
        session,
        admin,
        name="Gold week",
        multiplier_pct=300,
        starts_on=date(2026, 6, 15),
        ends_on=date(2026, 6, 21),
        tiers=["gold"],
        now=now,
    )
    gold, base = make_member(tier=tier(session, "gold")), make_member()
    assert buy(session, gold, 10_000, now, "g").points_awarded == 450  # 100 × 150 % × 300 %
    assert buy(session, base, 10_000, now, "b").points_awarded == 100


def test_a_campaign_starts_when_created_and_ends_when_ended(session, admin, make_member, now):
    member = make_member()
    assert buy(session, member, 10_000, now, "before").points_awarded == 100
    version = console_rules.add_campaign(
        session,
        admin,
        name="Triple",
        multiplier_pct=300,
        starts_on=date(2026, 6, 15),
        ends_on=date(2026, 6, 15),
        tiers=[],
        now=now + timedelta(minutes=1),
    )
    campaign_id = version.payload["campaigns"][-1]["id"]
    later = now + timedelta(minutes=2)
    assert buy(session, member, 10_000, later, "during").points_awarded == 300
    console_rules.end_campaign(session, admin, campaign_id, now=now + timedelta(minutes=3))
    assert buy(session, member, 10_000, now + timedelta(minutes=4), "after").points_awarded == 100
    assert buy(session, member, 10_000, later, "during-2").points_awarded == 300  # reported late


def test_a_campaign_window_must_be_in_order_and_not_over(session, admin, now):
    for start, end in (
        (date(2026, 6, 20), date(2026, 6, 19)),
        (date(2026, 6, 1), date(2026, 6, 14)),
    ):
        with pytest.raises(console_rules.RulesError):
            console_rules.add_campaign(
                session,
                admin,
                name="x",
                multiplier_pct=200,
                starts_on=start,
                ends_on=end,
                tiers=[],
                now=now,
            )
    assert session.scalar(select(func.count(RuleVersion.id))) == 0


def test_expiry_and_pending_policies_apply_to_points_earned_from_then(
    session, admin, make_member, now
):
    payload = console_rules.in_force(session, "sources", now)
    payload["sources"]["signin"] = {"expiry_kind": "days", "expiry_value": 30, "pending_days": 1}
    console_rules.save(session, admin, "sources", payload, effective_at=TOMORROW_0000, now=now)
    member = make_member()
    earning.sign_in(session, member.id, TODAY_2359)
    earning.sign_in(session, member.id, TOMORROW_0000)
    old, new = session.scalars(select(PointLot).order_by(PointLot.id)).all()
    assert old.expires_at == local_midnight(date(2026, 6, 15) + timedelta(days=91))
    assert old.available_at == old.earned_at
    assert new.expires_at == local_midnight(date(2026, 6, 16) + timedelta(days=31))
    assert new.available_at == new.earned_at + timedelta(days=1)


def test_the_cash_rate_calendar_and_cap_are_versioned(session, admin, now):
    payload = console_rules.in_force(session, "cash", now)
    payload["points_cash_cap_pct"] = 30
    payload["rates"].append(
        {
            "kind": "range",
            "name": "618",
            "points_per_yuan": 15,
            "starts_on": "2026-06-16",
            "ends_on": "2026-06-18",
            "weekday": None,
        }
    )
    console_rules.save(session, admin, "cash", payload, effective_at=TOMORROW_0000, now=now)
    assert pricing.rate_at(session, TODAY_2359).points_per_yuan == 20
    assert pricing.rate_at(session, TOMORROW_0000).points_per_yuan == 15
    assert pricing.breakdown(session, 10_000, 0, TODAY_2359).max_yuan == 50
    assert pricing.breakdown(session, 10_000, 0, TOMORROW_0000).max_yuan == 30


def test_the_booking_policy_is_versioned(session, admin, now):
    payload = with_changes(
        session, "bookings", now, booking_cutoff_hours=6, no_show_returns_points=1
    )
    console_rules.save(session, admin, "bookings", payload, effective_at=TOMORROW_0000, now=now)
    assert earning.setting(session, "booking_cutoff_hours", at=TODAY_2359) == 2
    assert earning.setting(session, "booking_cutoff_hours", at=TOMORROW_0000) == 6
    assert earning.setting(session, "no_show_returns_points", at=TOMORROW_0000) == 1


def test_the_gift_pack_is_granted_at_registration(session, admin, now):
    from app.services.accounts import accounts

    payload = with_changes(session, "gift_pack", now, registration_points=150)
    console_rules.save(session, admin, "gift_pack", payload, effective_at=None, now=now)
    member = accounts.register(session, "13912345678", "secret123", "", now=now)
    assert balances.balance(session, member.id, now) == 150


def test_benefits_per_tier_are_versioned_and_new_ones_usable_at_the_counter(session, admin, now):
    from app.services.counter import benefits

    payload = console_rules.in_force(session, "benefits", now)
    payload["benefits"].append(
        {
            "code": "silver_gift",
            "names": {"zh_Hans": "银卡礼", "en": "Silver gift", "zh_Hant": "銀卡禮"},
            "descriptions": {"zh_Hans": "每年一份"},
            "icon": "bag",
            "tier_codes": ["silver", "gold"],
            "verification": "offline",
            "period": "year",
        }
    )
    console_rules.save(session, admin, "benefits", payload, effective_at=TOMORROW_0000, now=now)
    member = factories_member(session, now, "silver")
    assert [s.benefit.code for s in benefits.for_member(session, member, TODAY_2359)] == []
    found = benefits.for_member(session, member, TOMORROW_0000)
    assert [(s.benefit.code, s.eligible) for s in found] == [("silver_gift", True)]
    advisor = factories.advisor(session)
    use = benefits.hand_out(session, advisor, member, found[0].benefit.id, now=TOMORROW_0000)
    assert use.period_key == "2026"


def factories_member(session, now, tier_code):
    from app.services.accounts import accounts

    member = accounts.create_member(session, "13711112222", "x", now=now, password_hash="x")
    member.tier = tier(session, tier_code)
    session.flush()
    return member


# --- the monthly issue cap ---------------------------------------------------------------


def set_cap(session, admin, now, cap):
    payload = with_changes(session, "issue_cap", now, monthly_issue_cap=cap)
    console_rules.save(session, admin, "issue_cap", payload, effective_at=None, now=now)


def test_earning_beyond_the_monthly_issue_cap_is_refused(session, admin, make_member, now):
    set_cap(session, admin, now, 250)
    member = make_member()
    buy(session, member, 20_000, now, "fits")  # 200 points
    assert issuing.used(session, now) == 200
    with pytest.raises(issuing.IssueCapReached) as caught:
        buy(session, member, 10_000, now, "too-much")  # 100 more: only 50 left
    assert (caught.value.room, caught.value.cap) == (50, 250)
    session.rollback()


def test_behaviour_points_are_cut_to_what_the_issue_cap_leaves(session, admin, make_member, now):
    set_cap(session, admin, now, 203)
    member = make_member()
    buy(session, member, 20_000, now, "fits")
    first = earning.sign_in(session, member.id, now)
    second = earning.sign_in(session, member.id, now + timedelta(days=1))
    assert (first.points, first.capped, first.issue_capped) == (3, True, True)
    assert (second.points, second.issue_capped) == (0, True)


def test_the_issue_cap_is_per_brand_local_month(session, admin, make_member, now):
    set_cap(session, admin, now, 100)
    member = make_member()
    buy(session, member, 10_000, datetime(2026, 6, 30, 15, 59, tzinfo=UTC), "june")
    with pytest.raises(issuing.IssueCapReached):  # June 30, 23:59:30 in Shanghai: June is full
        buy(session, member, 100, datetime(2026, 6, 30, 15, 59, 30, tzinfo=UTC), "june-2")
    july = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # July 1, 00:00 in Shanghai
    assert buy(session, member, 10_000, july, "july").points_awarded == 100
    assert issuing.used(session, july) == 100


def test_no_cap_by_default(session, make_member, now):
    member = make_member()
    buy(session, member, 100_000_000, now, "big")
    assert issuing.cap_at(session, now) == 0


# --- the simulator -------------------------------------------------------------------------

CATEGORIES = st.sampled_from(["skincare", "fragrance", "gift_card", "unknown"])
TIERS = st.sampled_from(["base", "silver", "gold", "diamond"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tier_code=TIERS,
    fen=st.integers(min_value=0, max_value=5_000_000),
    category=CATEGORIES,
    birth_month=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 40),
    campaign=st.one_of(st.none(), st.tuples(st.integers(100, 500), st.lists(TIERS, max_size=2))),
    fragrance_pct=st.integers(0, 300),
)
def test_the_simulator_equals_the_real_award(
    app,
    session,
    admin,
    make_member,
    now,
    tier_code,
    fen,
    category,
    birth_month,
    minutes,
    campaign,
    fragrance_pct,
):
    session.commit()  # the operator; each example then rolls back what it wrote
    try:
        _simulate_and_buy(
            session,
            admin,
            make_member,
            now,
            tier_code,
            fen,
            category,
            birth_month,
            now + timedelta(minutes=minutes),
            campaign,
            fragrance_pct,
        )
    finally:
        session.rollback()


def _simulate_and_buy(
    session,
    admin,
    make_member,
    now,
    tier_code,
    fen,
    category,
    birth_month,
    paid_at,
    campaign,
    fragrance_pct,
):
    categories = with_changes(session, "categories", now)["categories"]
    categories["fragrance"] = fragrance_pct
    console_rules.save(
        session, admin, "categories", {"categories": categories}, effective_at=None, now=now
    )
    if campaign:
        console_rules.add_campaign(
            session,
            admin,
            name="c",
            multiplier_pct=campaign[0],
            starts_on=date(2026, 6, 20),
            ends_on=date(2026, 7, 10),
            tiers=campaign[1],
            now=now,
        )
    birthday = date(1990, birth_month, 1) if birth_month else None
    member = make_member(tier=tier(session, tier_code), birthday=birthday)
    scenario = simulator.Scenario(paid_fen=fen, paid_at=paid_at, category=category, member=member)
    anonymous = simulator.Scenario(
        paid_fen=fen,
        paid_at=paid_at,
        category=category,
        tier_code=tier_code,
        birthday_month=birth_month,
    )
    predicted = simulator.simulate(session, scenario).points
    assert simulator.simulate(session, anonymous).points == predicted
    lines = [{"category": category, "paid_fen": fen}]
    assert buy(session, member, fen, paid_at, "sim", lines=lines).points_awarded == predicted


def test_the_simulator_tries_a_draft_without_storing_it(session, admin, now):
    draft = with_changes(session, "birthday", now, birthday_multiplier_pct=300)
    scenario = simulator.Scenario(
        paid_fen=10_000, paid_at=now, category="skincare", tier_code="gold", birthday_month=6
    )
    assert simulator.simulate(session, scenario).points == 300
    assert simulator.simulate(session, scenario, drafts={"birthday": draft}).points == 450
    assert session.scalar(select(func.count(RuleVersion.id))) == 0


def test_simulating_a_member_uses_their_birthday_order_history(session, make_member, now):
    member = make_member(birthday=date(1990, 6, 1))
    scenario = simulator.Scenario(paid_fen=10_000, paid_at=now, category="", member=member)
    assert simulator.simulate(session, scenario).points == 200
    buy(session, member, 10_000, now, "first")
    assert simulator.simulate(session, scenario).points == 100  # not the first order any more


# --- points clearing -----------------------------------------------------------------------


def holdings(session, make_member, now):
    """Two members with old points (one partly spent) and one with only new points."""
    old = now - timedelta(days=40)
    a, b, c = make_member(), make_member(), make_member()
    buy(session, a, 30_000, old, "a-old")
    buy(session, a, 10_000, now, "a-new")
    buy(session, b, 50_000, old, "b-old")
    ledger.debit(session, b.id, 120, "b-spend", now=now)
    buy(session, c, 10_000, now, "c-new")
    return a, b, c


def test_clearing_preview_counts_what_the_run_clears(session, admin, admin2, make_member, now):
    a, b, c = holdings(session, make_member, now)
    cutoff = date(2026, 6, 1)
    preview = console_clearing.preview(session, cutoff, now)
    assert (preview.members, preview.points) == (2, 300 + 380)
    request = console_clearing.request(
        session, admin, earned_before=cutoff, run_on=date(2026, 6, 20), note="", now=now
    )
    console_clearing.approve(session, admin2, request.id, now=now)
    run_at = local_midnight(date(2026, 6, 20))
    assert console_clearing.preview(session, cutoff, run_at) == preview
    done = console_clearing.run(session, request.id, now=run_at)
    assert (done.members, done.points) == (2, 680)
    assert [balances.balance(session, m.id, run_at) for m in (a, b, c)] == [100, 0, 100]
    cleared = session.scalars(select(PointTransaction).where(PointTransaction.kind == "clear"))
    assert sorted(t.points for t in cleared) == [-380, -300]
    assert console_clearing.preview(session, cutoff, run_at).points == 0
    from app.services.points import audit

    assert audit.audit(session) == []


def test_clearing_needs_a_second_operator(session, admin, admin2, make_member, now):
    holdings(session, make_member, now)
    request = console_clearing.request(
        session, admin, earned_before=date(2026, 6, 1), run_on=date(2026, 6, 20), note="", now=now
    )
    with pytest.raises(console_clearing.ClearingError, match="same_operator"):
        console_clearing.approve(session, admin, request.id, now=now)
    with pytest.raises(console_clearing.ClearingError, match="not_approved"):
        console_clearing.run(session, request.id, now=local_midnight(date(2026, 6, 20)))
    console_clearing.approve(session, admin2, request.id, now=now)
    assert request.status == "approved" and request.approved_by_id == admin2.id


def test_clearing_refuses_to_run_before_its_day_and_runs_once(
    session, admin, admin2, make_member, now
):
    holdings(session, make_member, now)
    request = console_clearing.request(
        session, admin, earned_before=date(2026, 6, 1), run_on=date(2026, 6, 20), note="", now=now
    )
    console_clearing.approve(session, admin2, request.id, now=now)
    day = local_midnight(date(2026, 6, 20))
    with pytest.raises(console_clearing.ClearingError, match="not_due"):
        console_clearing.run(session, request.id, now=day - timedelta(seconds=1))
    assert console_clearing.run_due(session, day - timedelta(seconds=1)) == []
    assert [c.id for c, _ in console_clearing.run_due(session, day)] == [request.id]
    assert console_clearing.run_due(session, day + timedelta(days=1)) == []
    with pytest.raises(console_clearing.ClearingError, match="done"):
        console_clearing.run(session, request.id, now=day)


def test_the_clear_points_job_runs_a_due_clearing_on_its_day(
    session, admin, admin2, make_member, now
):
    from app.jobs import periods, scheduler
    from app.jobs.registry import JOBS

    a, _, _ = holdings(session, make_member, now)
    request = console_clearing.request(
        session, admin, earned_before=date(2026, 6, 1), run_on=date(2026, 6, 20), note="", now=now
    )
    console_clearing.approve(session, admin2, request.id, now=now)
    session.commit()
    job, day = JOBS["clear-points"], local_midnight(date(2026, 6, 20))
    eve = day - timedelta(hours=1)
    assert scheduler.run_period(session, job, periods.start_of("daily", eve), lambda: eve).rows == 0
    run = scheduler.run_period(session, job, periods.start_of("daily", day), lambda: day)
    assert run.rows == 2 and request.status == "done"
    assert balances.balance(session, a.id, day) == 100


def test_a_clearing_is_scheduled_ahead_and_for_a_past_cutoff(session, admin, now):
    for earned_before, run_on in (
        (date(2026, 6, 1), date(2026, 6, 15)),  # runs today
        (date(2026, 6, 30), date(2026, 6, 20)),
    ):  # cutoff after run
        with pytest.raises(console_clearing.ClearingError):
            console_clearing.request(
                session, admin, earned_before=earned_before, run_on=run_on, note="", now=now
            )


def test_members_are_told_before_an_approved_clearing(session, admin, admin2, make_member, now):
    a, _, c = holdings(session, make_member, now)
    request = console_clearing.request(
        session, admin, earned_before=date(2026, 6, 1), run_on=date(2026, 6, 20), note="", now=now
    )
    assert console_clearing.notice_for(session, a.id, now) is None  # not approved yet
    console_clearing.approve(session, admin2, request.id, now=now)
    notice = console_clearing.notice_for(session, a.id, now)
    assert (notice.points, notice.run_on) == (300, date(2026, 6, 20))
    assert console_clearing.notice_for(session, c.id, now) is None  # nothing old to clear


def test_a_replayed_order_keeps_its_award_after_a_rule_change(session, admin, make_member, now):
    member = make_member()
    first = buy(session, member, 10_000, now, "r1")
    payload = with_changes(session, "categories", now, categories={"skincare": 300})
    console_rules.save(session, admin, "categories", payload, effective_at=None, now=now)
    again = purchases.record_purchase(
        session,
        member,
        order_no="r1",
        store_code="SH001",
        paid_fen=10_000,
        paid_at=now,
        lines=first.lines,
        fingerprint=first.body_hash,
        now=now + timedelta(hours=1),
    )
    assert again.replay and again.order.points_awarded == 100
    assert balances.balance(session, member.id, now + timedelta(hours=1)) == 100
