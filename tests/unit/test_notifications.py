"""Reminders: each made once, on the right brand-local day, on the channels the member chose."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.jobs import periods, scheduler
from app.jobs.registry import JOBS
from app.models import (
    GiftSubscription,
    Notification,
    OutboxMessage,
    SmsMessage,
    Tier,
    TierChange,
)
from app.services.console import orders as console_orders
from app.services.console import rules as console_rules
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.notify import centre, events, outbox, preferences, reminders, subscriptions
from app.services.points import ledger
from app.timeutil import local_date, local_midnight
from tests import factories

LAST_DAY = date(2026, 12, 31)  # purchase points earned in 2025 are usable through this day


def local(day: date, hour: int = 0, minute: int = 5) -> datetime:
    """A brand-local wall-clock time on `day`, as the UTC instant."""
    return local_midnight(day) + timedelta(hours=hour, minutes=minute)


def notes(session, member_id: int | None = None, kind: str | None = None) -> list[Notification]:
    """The notifications made so far (of a member, of a kind), oldest first."""
    stmt = select(Notification).order_by(Notification.id)
    if member_id is not None:
        stmt = stmt.where(Notification.member_id == member_id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.scalars(stmt))


def run_reminders(session, now: datetime) -> int:
    """The `reminders` job's work at `now` (what the scheduler runs), committed."""
    made = sum(reminders.run(session, periods.start_of("daily", now), now))
    session.commit()
    return made


def run_events(session, now: datetime) -> int:
    """The `event-reminders` job's work at `now`, committed."""
    made = sum(events.run(session, now, now))
    session.commit()
    return made


@pytest.fixture
def holder(session, make_member):
    """A member with 1,200 purchase points usable through Dec 31, 2026 (brand-local)."""
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_200, "p1", now=local(date(2025, 6, 1), 10))
    session.commit()
    return member


def test_a_lot_is_reminded_30_7_and_1_days_before_its_last_day_each_once(session, holder):
    for offset in range(-40, 3):  # every brand-local day from Nov 21 to Jan 2, twice a day
        day = LAST_DAY + timedelta(days=offset)
        run_reminders(session, local(day, 0, 5))
        run_reminders(session, local(day, 13, 0))
    made = notes(session, holder.id)
    assert [(n.occasion, local_date(n.created_at)) for n in made] == [
        ("d30", date(2026, 12, 1)),
        ("d7", date(2026, 12, 24)),
        ("d1", date(2026, 12, 30)),
    ]
    assert {n.subject for n in made} == {"points:2026-12-31"}
    assert [n.params["points"] for n in made] == [1_200] * 3
    assert [n.params["days"] for n in made] == [30, 7, 1]


def test_the_day_turns_at_brand_midnight_not_utc_midnight(session, holder):
    just_before = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)  # Nov 30, 23:59 in Shanghai
    assert run_reminders(session, just_before) == 0
    assert run_reminders(session, just_before + timedelta(minutes=1)) == 1  # Dec 1, 00:00
    utc_midnight = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Dec 1, 08:00: the same local day
    assert run_reminders(session, utc_midnight) == 0
    assert [n.occasion for n in notes(session, holder.id)] == ["d30"]


def test_points_first_seen_inside_a_window_get_that_window_only(session, make_member):
    member = make_member()
    earned = local(date(2026, 9, 20), 10)  # sign-in points: usable 90 days, through Dec 19
    ledger.credit(session, member.id, "signin", 5, "s", now=earned)
    session.commit()
    run_reminders(session, local(date(2026, 12, 15)))  # 4 days left: the 7-day reminder
    run_reminders(session, local(date(2026, 12, 16)))
    assert [(n.occasion, n.params["days"]) for n in notes(session, member.id)] == [("d7", 4)]


def test_points_spent_or_expired_are_not_reminded(session, holder, make_member):
    gift = factories.gift(session, points_price=1_200, stock=5)
    factories.store(session)
    redemption.redeem(session, holder.id, gift.id, Checkout(store_id=1, request_key="k"),
                      now=local(date(2026, 11, 1)))  # fmt: skip
    session.commit()
    assert run_reminders(session, local(date(2026, 12, 1))) == 0
    assert notes(session, kind="points_expiring") == []


def test_rerunning_the_job_makes_nothing_new_and_sms_goes_once(session, holder):
    now = local(date(2026, 12, 1), 10)  # by day: the text may go at once
    assert run_reminders(session, now) == 1
    assert run_reminders(session, now) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    for _ in range(2):
        list(outbox.deliver(session, now))
        session.commit()
    sent = list(session.scalars(select(SmsMessage)))
    assert len(sent) == 1 and sent[0].to == holder.user.phone
    assert "1,200" in sent[0].text and sent[0].text.startswith("【云澜】")


def test_text_messages_wait_for_the_morning(session, holder):
    night = local(date(2026, 12, 1), 0, 5)
    run_reminders(session, night)
    message = session.scalar(select(OutboxMessage))
    assert message.not_before == local(date(2026, 12, 1), 9, 0)
    assert outbox.claim(session, night) == []
    list(outbox.deliver(session, local(date(2026, 12, 1), 9, 0)))
    session.commit()
    assert session.get(OutboxMessage, message.id).status == "sent"
    evening = local(date(2026, 12, 1), 21, 30)
    assert outbox.not_before(evening) == local(date(2026, 12, 2), 9, 0)


def test_in_app_only_members_get_no_text(session, holder):
    preferences.save(session, holder.id, "app", "app", local(date(2026, 11, 1)))
    session.commit()
    assert run_reminders(session, local(date(2026, 12, 1), 10)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_bad_preferences_are_refused_and_nothing_is_written(session, holder):
    for service, marketing in (("sms", "app"), ("app", "loud"), ("", "")):
        with pytest.raises(preferences.BadChoice):
            preferences.save(session, holder.id, service, marketing, local(date(2026, 11, 1)))
    assert preferences.of(session, holder.id) == preferences.Channels()


def _campaign(session, day: date, tiers=()):
    admin = factories.staff(session, "operator", "admin")
    console_rules.add_campaign(
        session, admin, name="Triple days", multiplier_pct=300, starts_on=day,
        ends_on=day + timedelta(days=1), tiers=list(tiers), now=local(day - timedelta(days=3)),
    )  # fmt: skip
    session.commit()


def test_campaign_starts_reaches_every_member_of_its_tiers_except_opted_out(session, make_member):
    gold = session.scalar(select(Tier).where(Tier.code == "gold"))
    keen, quiet, other = make_member(tier=gold), make_member(tier=gold), make_member()
    preferences.save(session, quiet.id, "app_sms", "off", local(date(2026, 12, 1)))
    _campaign(session, date(2026, 12, 24), tiers=["gold"])
    run_reminders(session, local(date(2026, 12, 23)))
    assert notes(session, kind="campaign") == []  # not before its first day
    run_reminders(session, local(date(2026, 12, 24), 10))
    run_reminders(session, local(date(2026, 12, 24), 11))
    made = notes(session, kind="campaign")
    assert [n.member_id for n in made] == [keen.id]
    assert made[0].params == {"name": "Triple days", "pct": 300, "day": "2026-12-25"}
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # offers: app
    assert other.id not in [n.member_id for n in notes(session)]


def test_appointment_tomorrow_is_reminded_once(session, make_member):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "p", now=local(date(2026, 6, 1)))
    slot_at = local(date(2026, 6, 20), 14, 0)
    slot = factories.slot(session, slot_at, hours=0)
    redemption.redeem(session, member.id, slot.gift_id, Checkout(request_key="b", slot_id=slot.id),
                      now=local(date(2026, 6, 10)))  # fmt: skip
    session.commit()
    for day in (18, 19, 19, 20):
        run_reminders(session, local(date(2026, 6, day), 8))
    made = notes(session, member.id, "appointment")
    when = [(n.occasion, local_date(n.created_at)) for n in made]
    assert when == [("2026-06-20", date(2026, 6, 19))]
    assert made[0].params["store"] == "Store SH001"


def _pickup(session, member, now, stock=5):
    gift = factories.gift(session, name="Lipstick", stock=stock)
    store = factories.store(session)
    ledger.credit(session, member.id, "purchase", 1_000, f"p{gift.id}", now=now)
    order = redemption.redeem(session, member.id, gift.id, Checkout(store_id=store.id,
                              request_key=f"k{gift.id}"), now=now)  # fmt: skip
    session.commit()
    return order


def test_pickup_ready_and_shipped_are_told_once_each(session, make_member, now):
    member = make_member()
    order = _pickup(session, member, now)
    assert run_events(session, now) == 1
    assert run_events(session, now + timedelta(minutes=1)) == 0
    (ready,) = notes(session, member.id, "pickup_ready")
    assert ready.params["code"] == order.pickup_code and ready.subject == f"order:{order.id}"
    gift = factories.gift(session, name="Cream")
    shipped_order = redemption.redeem(
        session, member.id, gift.id,
        Checkout(delivery="ship", address_id=_address(session, member).id, request_key="s"),
        now=now,
    )  # fmt: skip
    admin = factories.staff(session, "operator", "admin")
    console_orders.ship(session, admin, shipped_order.id, "sf", "SF1234567890", now=now)
    session.commit()
    assert run_events(session, now) == 1
    assert run_events(session, now) == 0
    (shipped,) = notes(session, member.id, "shipped")
    assert shipped.params["tracking"] == "SF1234567890"


def _address(session, member):
    from app.models import Address

    address = Address(member_id=member.id, recipient="李", phone="13700000000", region="上海",
                      detail="南京西路 1 号")  # fmt: skip
    session.add(address)
    session.flush()
    return address


def test_tier_up_and_down_are_told_once(session, make_member, now):
    member = make_member()
    ladder = {t.code: t for t in session.scalars(select(Tier))}
    for n, (old, new) in enumerate((("base", "silver"), ("silver", "base"))):
        session.add(TierChange(member_id=member.id, from_tier_id=ladder[old].id,
                               to_tier_id=ladder[new].id, reason="test",
                               at=now + timedelta(minutes=n)))  # fmt: skip
    session.add(TierChange(member_id=member.id, from_tier_id=None, to_tier_id=ladder["base"].id,
                           reason="join", at=now))  # fmt: skip
    session.commit()
    assert run_events(session, now + timedelta(minutes=5)) == 2
    assert run_events(session, now + timedelta(minutes=6)) == 0
    made = notes(session, member.id)
    told = [(n.kind, n.params["tier"]) for n in made]
    assert told == [("tier_up", "silver"), ("tier_down", "base")]


def test_notify_me_tells_once_when_back_and_again_after_asking_again(session, make_member, now):
    member, quiet = make_member(), make_member()
    gift = factories.gift(session, name="Mask", stock=0)
    for who in (member, quiet):
        assert subscriptions.subscribe(session, who.id, gift, "sold_out", now) is True
    assert subscriptions.subscribe(session, member.id, gift, "sold_out", now) is False
    with pytest.raises(subscriptions.NotSubscribable):
        subscriptions.subscribe(session, member.id, gift, "ok", now)
    preferences.save(session, quiet.id, "app", "off", now)
    session.commit()
    assert run_events(session, now) == 0  # still sold out
    gift.stock = 3
    session.commit()
    assert run_events(session, now) == 1
    assert run_events(session, now) == 0
    assert [n.member_id for n in notes(session, kind="back_in_stock")] == [member.id]
    assert session.scalar(select(func.count()).where(GiftSubscription.notified_at.is_(None))) == 0
    assert subscriptions.subscribe(session, member.id, gift, "sold_out", now) is True  # round 2
    session.commit()
    assert run_events(session, now) == 1
    assert [n.occasion for n in notes(session, member.id)] == ["r1", "r2"]


def test_on_sale_when_the_listing_time_comes(session, make_member, now):
    member = make_member()
    gift = factories.gift(session, name="Palette", listed_at=now + timedelta(hours=2))
    subscriptions.subscribe(session, member.id, gift, "upcoming", now)
    session.commit()
    assert run_events(session, now + timedelta(hours=1)) == 0
    assert run_events(session, now + timedelta(hours=2)) == 1
    assert [n.kind for n in notes(session, member.id)] == ["on_sale"]


def test_the_centre_lists_newest_first_and_opening_marks_read(session, holder, app):
    run_reminders(session, local(date(2026, 12, 1)))
    run_reminders(session, local(date(2026, 12, 24)))
    with app.test_request_context():
        items = centre.latest(session, holder.id)
        assert [i.link for i in items] == ["/me/points", "/me/points"]
        assert items[0].title.startswith("1,200") and all(i.unread for i in items)
    assert centre.mark_read(session, holder.id, local(date(2026, 12, 24), 9)) == 2
    assert centre.mark_read(session, holder.id, local(date(2026, 12, 24), 9)) == 0
    session.commit()
    session.expire_all()
    assert holder.unread_notifications == 0


def test_the_jobs_are_registered_and_a_period_runs_once(session, holder):
    assert {"reminders", "event-reminders", "send-outbox"} <= set(JOBS)
    now = local(date(2026, 12, 1), 10)
    start = periods.start_of("daily", now)
    first = scheduler.run_period(session, JOBS["reminders"], start, lambda: now)
    assert first.error is None and first.rows == 1
    assert scheduler.run_period(session, JOBS["reminders"], start, lambda: now) is None
    sender = JOBS["send-outbox"]
    scheduler.run_period(session, sender, periods.start_of("minute", now), lambda: now)
    assert session.scalar(select(func.count()).select_from(SmsMessage)) == 1


def test_an_appointment_booked_after_the_daily_run_is_reminded_by_the_event_job(
    session, make_member
):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "p", now=local(date(2026, 6, 1)))
    run_reminders(session, local(date(2026, 6, 19), 0, 5))  # nothing booked yet
    slot = factories.slot(session, local(date(2026, 6, 20), 11, 0), hours=0)
    redemption.redeem(session, member.id, slot.gift_id, Checkout(request_key="b", slot_id=slot.id),
                      now=local(date(2026, 6, 19), 15))  # fmt: skip
    session.commit()
    assert run_events(session, local(date(2026, 6, 19), 15, 1)) == 1
    assert run_events(session, local(date(2026, 6, 19), 15, 2)) == 0
    assert run_reminders(session, local(date(2026, 6, 19), 16)) == 0
    assert [n.kind for n in notes(session, member.id)] == ["appointment"]
