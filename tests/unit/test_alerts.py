"""Alert rules: each fires on a scripted attack and stays quiet on ordinary traffic; one alert per
condition and window; thresholds changed take effect; acknowledging and resolving need a note."""

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import func, select, update

from app.models import Alert, AlertObservation, AlertTally, AuditEntry, PointLot
from app.services.alerts import alerts as alert_service
from app.services.alerts import feed, monitor, settings
from app.services.counter import counter, staff_log
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import earning, ledger, purchases
from app.services.points.audit import audit
from app.timeutil import local_date
from tests import factories

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
ORDER_NOS = count(1)


def run(session, at) -> int:
    """One run of the alerts job at `at` (batches flushed, not committed): alerts opened."""
    before = session.scalar(select(func.count()).select_from(Alert))
    for _batch in monitor.run(session, at, at):
        session.flush()
    return session.scalar(select(func.count()).select_from(Alert)) - before


def found(session, rule=None) -> list[Alert]:
    """Every alert (of a rule), oldest first."""
    stmt = select(Alert).order_by(Alert.id)
    if rule:
        stmt = stmt.where(Alert.rule == rule)
    return list(session.scalars(stmt))


def pos(session, member, fen, at, store="SH001", no=None):
    """A paid POS order at a store (created if missing)."""
    factories.store(session, store)
    no = no or f"T-{next(ORDER_NOS)}"
    lines = [{"sku": "S", "category": "skincare", "qty": 1, "paid_fen": fen}]
    body = {"order_no": no, "fen": fen}
    order = purchases.record_purchase(
        session, member, order_no=no, store_code=store, paid_fen=fen, paid_at=at, lines=lines,
        fingerprint=purchases.body_hash(body), now=at,
    ).order  # fmt: skip
    order.created_at = at  # recorded then (the column's default is the real clock)
    return order


def counter_sale(session, advisor, member, fen, at, receipt):
    """A counter purchase as the counter view records it: the purchase and the staff log line."""
    recorded = counter.record_purchase(
        session, advisor, member, receipt_no=receipt, paid_fen=fen, categories=["skincare"], now=at
    )
    recorded.order.created_at = at
    staff_log.record(
        session, advisor, "purchase", result="ok", now=at, member_id=member.id, target=receipt
    )


@pytest.fixture
def operator(session):
    """An operator who handles alerts and changes thresholds."""
    return factories.staff(session, "operator", "admin")


# -- registrations from one network or device -----------------------------------------------


def test_fifty_registrations_from_one_ip_open_one_alert_as_they_happen(session, make_member, now):
    opened = [
        monitor.signed_up(
            session, make_member(), "203.0.113.7", f"browser-{n}", now=now + n * MINUTE
        )
        for n in range(50)
    ]
    assert opened.index(1) == 19 and sum(opened) == 1  # the 20th opens it, the rest refresh it
    (alert,) = found(session, "registrations")
    assert (alert.subject_type, alert.subject, alert.severity) == ("ip", "203.0.113.7", "high")
    assert alert.evidence["count"] == 50 and len(alert.evidence["members"]) == 20
    assert run(session, now + timedelta(hours=1)) == 0 and len(found(session)) == 1


def test_one_browser_registering_from_many_networks_is_one_device_alert(session, make_member, now):
    for n in range(6):
        monitor.signed_up(session, make_member(), f"198.51.100.{n}", "same-cookie", now=now)
    (alert,) = found(session)
    assert (alert.rule, alert.subject_type, alert.severity) == ("registrations", "device", "medium")
    assert "same-cookie" not in alert.subject  # only a digest of the cookie is kept
    ipv6 = [
        monitor.signed_up(session, make_member(), f"2001:db8::{n}", "", now=now) for n in range(3)
    ]
    assert ipv6 == [0, 0, 0]  # one /64 is one network, still under the limit


def test_registrations_from_a_busy_shop_wifi_and_elsewhere_do_not_alert(session, make_member, now):
    for n in range(12):  # a store event: a dozen phones on the mall's Wi-Fi in an afternoon
        monitor.signed_up(
            session, make_member(), "192.0.2.80", f"phone-{n}", now=now + n * 10 * MINUTE
        )
    for n in range(40):
        monitor.signed_up(session, make_member(), f"10.{n}.0.1", f"own-{n}", now=now)
    assert run(session, now + timedelta(hours=3)) == 0 and found(session) == []


def test_a_registration_burst_outside_the_window_no_longer_counts(session, make_member, now):
    for n in range(19):
        monitor.signed_up(session, make_member(), "203.0.113.9", f"b{n}", now=now - 2 * DAY)
    assert monitor.signed_up(session, make_member(), "203.0.113.9", "b-late", now=now) == 0


# -- referral rings --------------------------------------------------------------------------


def test_a_referrer_whose_friends_buy_next_to_nothing_is_an_alert(session, make_member, now):
    referrer = make_member()
    for n in range(6):
        pos(session, make_member(referred_by_id=referrer.id), 990, now + n * DAY / 48)
    assert run(session, now + DAY / 4) == 1
    (alert,) = found(session, "referral_tiny")
    assert alert.subject == str(referrer.id) and alert.evidence["count"] == 6
    assert {f["paid_fen"] for f in alert.evidence["friends"]} == {990}
    assert run(session, now + DAY / 2) == 0  # the same referrer, the same window: the same alert


def test_friends_with_real_first_purchases_are_ordinary(session, make_member, now):
    referrer = make_member()
    for n in range(8):
        friend = make_member(referred_by_id=referrer.id)
        pos(session, friend, 38_000 + n * 100, now + n * DAY / 48)
        pos(session, friend, 500, now + n * DAY / 40)  # a tiny second purchase is no reward
    assert run(session, now + DAY / 4) == 0


def test_a_cycle_of_referrers_is_a_high_alert(session, make_member, now):
    a, b, c = make_member(), make_member(), make_member()
    a.referred_by_id, b.referred_by_id, c.referred_by_id = c.id, a.id, b.id  # A → B → C → A
    session.flush()
    pos(session, b, 30_000, now)
    run(session, now + timedelta(minutes=5))
    pos(session, c, 30_000, now + timedelta(minutes=6))  # the same ring seen again
    run(session, now + timedelta(minutes=10))
    (alert,) = found(session, "referral_ring")
    assert alert.severity == "high" and alert.evidence["members"] == 3
    assert set(alert.evidence["ring"]) == {a.member_no, b.member_no, c.member_no}


# -- earning velocity ------------------------------------------------------------------------


def _history(session, member, fen, now, days=28, store="SH001"):
    """A member who bought for `fen` every other day for the last `days` days."""
    for d in range(days, 0, -2):
        pos(session, member, fen, now - d * DAY, store=store)


def test_a_member_earning_far_above_their_baseline_is_an_alert(session, make_member, now):
    member = make_member()
    _history(session, member, 30_000, now)  # ¥300 every other day: about 150 points a day
    for n in range(5):
        pos(session, member, 1_000_000, now + n * MINUTE)  # ¥10,000 × 5 today
    assert run(session, now + timedelta(minutes=10)) >= 1
    (alert,) = found(session, "member_velocity")
    assert alert.subject == str(member.id) and alert.severity == "high"
    assert alert.evidence["today"] >= 50_000 and 150 <= alert.evidence["daily_average"] <= 200
    assert alert.evidence["limit"] == 20_000 and alert.evidence["member_no"] == member.member_no


def test_big_spenders_and_big_days_within_the_rules_are_ordinary(session, make_member, now):
    regular = make_member()
    pos(session, regular, 800_000, now)  # one ¥8,000 day: under the floor
    whale = make_member()
    _history(session, whale, 1_000_000, now)  # ¥10,000 every other day: 5,000 a day
    pos(session, whale, 3_000_000, now)  # ¥30,000 today: under 10 × the baseline
    assert run(session, now + timedelta(minutes=10)) == 0 and found(session) == []


def test_a_store_issuing_far_above_its_baseline_is_an_alert(session, make_member, now):
    regulars = [make_member() for _ in range(5)]
    for m in regulars:
        _history(session, m, 50_000, now, store="BJ002")  # about 1,250 points a day in all
    for n in range(5):
        pos(session, make_member(), 6_000_000, now + n * MINUTE, store="BJ002")
    run(session, now + timedelta(minutes=10))
    (alert,) = found(session, "store_velocity")
    assert alert.subject == "BJ002" and alert.evidence["today"] == 300_000
    assert len(alert.evidence["top"]) == 5 and alert.evidence["top"][0]["value"] == 60_000


def test_an_advisor_recording_far_more_counter_purchases_is_an_alert(session, make_member, now):
    advisor = factories.advisor(session)
    steady = factories.advisor(session, staff_id="A0002")
    members = [make_member() for _ in range(5)]
    for d in range(28, 0, -1):
        for n, m in enumerate(members):  # five sales a day each, for four weeks
            counter_sale(
                session, advisor, m, 20_000, now - d * DAY + n * timedelta(minutes=3), f"h{d}-{n}"
            )
            counter_sale(
                session, steady, m, 20_000, now - d * DAY + n * timedelta(minutes=4), f"s{d}-{n}"
            )
    for n in range(40):
        counter_sale(session, advisor, members[n % 5], 150_000, now + n * MINUTE, f"t{n}")
    for n in range(6):
        counter_sale(session, steady, members[n % 5], 20_000, now + n * MINUTE, f"u{n}")
    run(session, now + timedelta(hours=1))
    (alert,) = found(session, "advisor_spike")
    assert alert.subject == str(advisor.id) and alert.evidence["today"] == 40
    assert alert.evidence["amount_fen"] == 40 * 150_000 and alert.evidence["staff_id"] == "A0001"
    assert alert.evidence["limit"] == 30 and alert.severity == "medium"


# -- one gift drained by new accounts --------------------------------------------------------


def _redeem(session, member, gift, at, key):
    ledger.credit(session, member.id, "purchase", 1_000, f"seed-{key}", now=at)
    return redemption.redeem(session, member.id, gift.id, Checkout(request_key=key), now=at)


def test_new_accounts_draining_one_gift_is_an_alert(session, make_member, now):
    factories.store(session)
    gift = factories.gift(session, points_price=500, stock=50)
    for n in range(12):
        _redeem(session, make_member(), gift, now + n * timedelta(minutes=2), f"n{n}")
    run(session, now + timedelta(hours=1))
    (alert,) = found(session, "gift_new_accounts")
    assert alert.subject == str(gift.id) and alert.evidence["new"] == 12
    assert len(alert.evidence["orders"]) == 12 and alert.evidence["orders"][0]["age_days"] == 0


def test_a_gift_popular_with_everyone_is_ordinary(session, make_member, now):
    factories.store(session)
    gift = factories.gift(session, points_price=500, stock=50)
    old = [make_member(created_at=now - 200 * DAY) for _ in range(15)]
    for n, m in enumerate(old):
        _redeem(session, m, gift, now + n * MINUTE, f"o{n}")
    for n in range(10):  # ten new members too, but only 40 per cent of the redemptions
        _redeem(session, make_member(), gift, now + n * MINUTE, f"y{n}")
    assert run(session, now + timedelta(hours=1)) == 0


# -- a failed points audit -------------------------------------------------------------------


def test_a_failed_points_audit_is_one_high_alert_a_day(session, make_member, now):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 500, "seed", now=now)
    assert run(session, now) == 0 and audit(session) == []
    session.execute(update(PointLot).values(remaining=PointLot.remaining - 7))  # corrupt it
    assert run(session, now + timedelta(hours=1)) == 0  # the audit runs once a brand-local day
    assert run(session, now + DAY) == 1
    assert run(session, now + DAY + timedelta(hours=2)) == 0
    (alert,) = found(session, "points_audit")
    assert alert.severity == "high" and alert.evidence["count"] >= 1
    assert any("lot" in line for line in alert.evidence["problems"])


# -- ordinary traffic, idempotence, thresholds -----------------------------------------------


def test_a_month_of_ordinary_traffic_opens_no_alert(session, make_member, now):
    factories.store(session)
    advisor = factories.advisor(session)
    gift = factories.gift(session, points_price=300, stock=500)
    members = [make_member(created_at=now - 60 * DAY) for _ in range(16)]
    for n in range(4):  # four friends who really shop
        members.append(make_member(referred_by_id=members[n].id, created_at=now - 20 * DAY))
    for m in members:  # what they held before the month began
        ledger.credit(session, m.id, "purchase", 5_000, f"opening-{m.id}", now=now - 60 * DAY)
    for d in range(28, -1, -1):
        at = now - d * DAY
        for n, m in enumerate(members):
            if (n + d) % 3 == 0:
                earning.sign_in(session, m.id, at + n * MINUTE)
            if (n + d) % 7 == 0:
                pos(session, m, 20_000 + 1_000 * n, at + timedelta(hours=1))
            if (n + d) % 11 == 0:
                counter_sale(session, advisor, m, 45_000, at + timedelta(hours=2), f"c{d}-{n}")
            if (n + d) % 13 == 0:
                redemption.redeem(
                    session,
                    m.id,
                    gift.id,
                    Checkout(request_key=f"r{d}-{n}"),
                    now=at + timedelta(hours=3),
                )
        for n in range(3):
            monitor.signed_up(
                session, make_member(created_at=at), f"100.64.{d}.{n}", f"d{d}{n}", now=at
            )
        run(session, at + timedelta(hours=4))
    assert found(session) == [] and audit(session) == []
    seen = select(AlertObservation.kind, func.count()).group_by(AlertObservation.kind)
    kinds = dict(session.execute(seen).all())  # the rules did look at all of it
    assert kinds["redemption"] > 30 and kinds["referral"] == 4 and kinds["signup_ip"] == 87
    metrics = set(session.scalars(select(AlertTally.metric)))
    assert {"member_points", "store_points", "store_member", "advisor_purchases"} <= metrics


def test_running_twice_counts_nothing_twice(session, make_member, now):
    member = make_member()
    pos(session, member, 2_500_000, now)
    run(session, now + timedelta(minutes=5))
    run(session, now + timedelta(minutes=6))
    tally = session.get(AlertTally, ("member_points", str(member.id), local_date(now)))
    assert (tally.value, tally.count) == (25_000, 1)
    assert len(found(session, "member_velocity")) == 1


def test_a_resolved_alert_stays_resolved_until_the_next_window(session, make_member, now, operator):
    member = make_member()
    pos(session, member, 2_500_000, now)
    run(session, now + timedelta(minutes=5))
    (alert,) = found(session)
    alert_service.resolve(session, operator, alert.id, "Wedding order, checked", now=now)
    pos(session, member, 2_500_000, now + timedelta(minutes=7))
    run(session, now + timedelta(minutes=10))
    assert [a.status for a in found(session)] == ["resolved"]
    pos(session, member, 5_000_000, now + DAY)
    run(session, now + DAY + timedelta(minutes=5))
    assert [a.status for a in found(session)] == ["resolved", "open"]


def test_changed_thresholds_take_effect_at_the_next_run(session, make_member, now, operator):
    member = make_member()
    pos(session, member, 1_500_000, now)  # 15,000 points: under the 20,000 floor
    assert run(session, now + timedelta(minutes=5)) == 0
    values = settings.current(session, "member_velocity") | {"floor": 10_000}
    settings.save(session, operator, "member_velocity", values, now=now, note="tighter")
    assert run(session, now + timedelta(minutes=6)) == 1
    assert found(session)[0].evidence["settings"]["floor"] == 10_000
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.settings"))
    assert (entry.before, entry.after, entry.reason) == (
        {"floor": 20_000},
        {"floor": 10_000},
        "tighter",
    )
    off = settings.current(session, "registrations") | {"enabled": 0}
    settings.save(session, operator, "registrations", off, now=now)
    for _n in range(25):
        assert monitor.signed_up(session, make_member(), "203.0.113.1", "", now=now) == 0


@pytest.mark.parametrize(
    ("rule", "change", "field"),
    [
        ("member_velocity", {"factor_pct": 99}, "factor_pct"),
        ("registrations", {"per_ip": 1}, "per_ip"),
        ("gift_new_accounts", {"share_pct": 101}, "share_pct"),
        ("referral_tiny", {"window_days": "30"}, "window_days"),
        ("points_audit", {"enabled": True}, "enabled"),
    ],
)
def test_thresholds_out_of_bounds_are_refused(session, operator, now, rule, change, field):
    with pytest.raises(settings.SettingsError) as refused:
        settings.save(session, operator, rule, settings.current(session, rule) | change, now=now)
    assert refused.value.detail["field"] == field
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_the_feed_waits_for_rows_younger_than_the_lag(session, make_member, now, monkeypatch):
    monkeypatch.setitem(feed.LAG, "sqlite", timedelta(minutes=2))  # as on PostgreSQL
    member = make_member()
    pos(session, member, 2_500_000, now)
    assert run(session, now + timedelta(minutes=1)) == 0
    assert run(session, now + timedelta(minutes=3)) == 1


# -- acknowledge and resolve -----------------------------------------------------------------


def test_acknowledge_then_resolve_with_notes_audited(session, make_member, now, operator):
    member = make_member()
    pos(session, member, 2_500_000, now)
    run(session, now + timedelta(minutes=5))
    (alert,) = found(session)
    for step in (alert_service.acknowledge, alert_service.resolve):
        with pytest.raises(alert_service.AlertError, match="note"):
            step(session, operator, alert.id, "   ", now=now)
    assert alert.status == "open"
    alert_service.acknowledge(session, operator, alert.id, "Calling the store", now=now)
    with pytest.raises(alert_service.AlertError, match="status"):
        alert_service.acknowledge(session, operator, alert.id, "again", now=now)
    alert_service.resolve(session, operator, alert.id, "Real purchase", now=now)
    with pytest.raises(alert_service.AlertError, match="status"):
        alert_service.resolve(session, operator, alert.id, "again", now=now)
    assert (alert.acknowledge_note, alert.resolve_note) == ("Calling the store", "Real purchase")
    steps = session.execute(
        select(AuditEntry.action, AuditEntry.reason, AuditEntry.member_id).order_by(AuditEntry.id)
    ).all()
    assert steps == [
        ("alert.acknowledged", "Calling the store", member.id),
        ("alert.resolved", "Real purchase", member.id),
    ]
    with pytest.raises(alert_service.AlertError, match="not_found"):
        alert_service.resolve(session, operator, 9_999, "x", now=now)


def test_the_daily_pass_prunes_what_no_window_reads(session, make_member, now):
    member = make_member()
    old_day = local_date(now) - settings.KEEP_DAYS * DAY - DAY
    session.add(AlertTally(metric="member_points", subject=str(member.id), day=old_day, value=5))
    session.add(AlertObservation(kind="signup_ip", subject="x", at=now - 101 * DAY))
    session.add(AlertObservation(kind="signup_ip", subject="y", at=now - DAY))
    run(session, now)
    assert session.scalar(select(func.count()).select_from(AlertTally)) == 0
    assert list(session.scalars(select(AlertObservation.subject))) == ["y"]
