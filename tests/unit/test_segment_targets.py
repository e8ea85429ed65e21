"""Segment targeting of campaigns: only the segment's members earn a targeted campaign's bonus."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Campaign, MemberSegment
from app.services.analytics import channels
from app.services.console.rule_checks import RulesError, check
from app.services.points import earning
from tests.factories import buy

PAID_AT = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def in_segment(session, member, segment):
    """The member as the last RFM recompute left them."""
    session.add(MemberSegment(member_id=member.id, segment=segment, computed_at=PAID_AT))
    session.flush()
    return member


def campaign(session, segment=None, pct=300, name="June", day=date(2026, 6, 15)):
    session.add(
        Campaign(name=name, starts_on=day, ends_on=day, multiplier_pct=pct, segment=segment)
    )
    session.flush()


def test_a_loyal_member_earns_the_loyal_campaign_and_an_opportunity_member_does_not(
    session, make_member
):
    campaign(session, "loyal")
    loyal = in_segment(session, make_member(), "loyal")
    other = in_segment(session, make_member(), "opportunity")
    assert buy(session, loyal, 10_000, PAID_AT, "o-loyal").points_awarded == 300
    assert buy(session, other, 10_000, PAID_AT, "o-opp").points_awarded == 100


def test_a_member_not_scored_yet_earns_only_untargeted_campaigns(session, make_member):
    campaign(session, "loyal", pct=300, name="Loyal")
    campaign(session, None, pct=200, name="Everyone")
    member = make_member()
    assert buy(session, member, 10_000, PAID_AT).points_awarded == 200


def test_untargeted_campaigns_are_unchanged(session, make_member):
    campaign(session, None, pct=200)
    member = in_segment(session, make_member(), "random")
    assert buy(session, member, 10_000, PAID_AT).points_awarded == 200


def test_the_highest_campaign_that_reaches_the_member_applies(session, make_member):
    campaign(session, "loyal", pct=300, name="Loyal")
    campaign(session, None, pct=200, name="Everyone")
    member = in_segment(session, make_member(), "loyal")
    assert buy(session, member, 10_000, PAID_AT).points_awarded == 300


def _statements(session, fn):
    seen = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return [s for s in seen if "member_segments" in s]


def test_the_segment_is_read_once_and_only_when_a_targeted_campaign_is_live(session, make_member):
    member = in_segment(session, make_member(), "loyal")
    session.commit()  # the rule book is cached from committed rules
    at = PAID_AT
    points = lambda: earning.purchase_points(session, member, 10_000, [], at)  # noqa: E731
    assert _statements(session, points) == []
    campaign(session, "loyal", name="Later", day=date(2026, 7, 1))
    session.commit()
    assert _statements(session, points) == []  # targeted, but not live that day
    campaign(session, "loyal", name="Now")
    session.commit()
    assert len(_statements(session, points)) == 1
    assert points() == 300


def test_the_campaign_bonus_is_counted_in_issued_by_channel(session, make_member):
    campaign(session, "loyal")
    loyal = in_segment(session, make_member(), "loyal")
    buy(session, loyal, 10_000, PAID_AT)
    issued = channels.by_channel(
        session, PAID_AT - timedelta(days=1), PAID_AT + timedelta(days=1), direct=True
    )
    assert issued["purchase_pos"] == 300  # the ×3 bonus is issued with the purchase


@pytest.mark.parametrize("segment", ["vip", "", 3])
def test_a_campaign_for_an_unknown_segment_is_refused(session, segment):
    item = {
        "id": 1, "name": "X", "starts_on": "2026-06-15", "ends_on": "2026-06-15",
        "multiplier_pct": 200, "tiers": [], "segment": segment,
    }  # fmt: skip
    with pytest.raises(RulesError) as caught:
        check(session, "campaigns", {"campaigns": [item]})
    assert caught.value.code == "segment_unknown"


def test_campaign_starts_is_sent_only_to_its_segment(session, make_member):
    from app.services.console import rules as console_rules
    from tests import factories
    from tests.unit.test_notifications import local, notes, run_reminders

    loyal = in_segment(session, make_member(), "loyal")
    in_segment(session, make_member(), "opportunity")
    make_member()  # not scored yet
    day = date(2026, 12, 24)
    console_rules.add_campaign(
        session, factories.staff(session), name="Loyal days", multiplier_pct=300, starts_on=day,
        ends_on=day, tiers=[], segment="loyal", now=local(day - timedelta(days=3)),
    )  # fmt: skip
    session.commit()
    run_reminders(session, local(day, 10))
    assert [n.member_id for n in notes(session, kind="campaign")] == [loyal.id]


def test_me_lists_a_targeted_campaign_only_to_its_segment_and_rules_to_all(session):
    from app.services.points import guide
    from app.services.points.rules import rules_at

    campaign(session, "loyal", name="Loyal")
    campaign(session, None, pct=200, name="Everyone")
    rules, day = rules_at(session, PAID_AT), date(2026, 6, 15)
    names = lambda segment: [o.name for o in guide.occasions(rules, day, 60, "base", segment)]  # noqa: E731
    assert names("loyal") == ["Loyal", "Everyone"]
    assert names("opportunity") == names(None) == ["Everyone"]
    shown = [(o.name, o.segment) for o in guide.occasions(rules, day, 60, "base")]
    assert shown == [("Loyal", "loyal"), ("Everyone", None)]  # /rules: every one, tagged


def test_the_counter_hands_a_targeted_benefit_only_to_its_segment(session, make_member, now):
    from app.models import Benefit
    from app.services.counter import benefits
    from tests import factories

    factories.store(session)
    staff = factories.advisor(session)
    session.add(
        Benefit(code="loyal_care", name="忠诚护理", tier_codes=[], verification="offline",
                period="month", segment="loyal")
    )  # fmt: skip
    session.flush()
    other = in_segment(session, make_member(), "random")
    loyal = in_segment(session, make_member(), "loyal")
    benefit_id = session.query(Benefit).filter_by(code="loyal_care").one().id
    assert [s.benefit.code for s in benefits.for_member(session, other, now)] == []
    with pytest.raises(benefits.BenefitError) as refused:
        benefits.hand_out(session, staff, other, benefit_id, now=now)
    assert refused.value.code == "segment"
    assert [s.benefit.code for s in benefits.for_member(session, loyal, now)] == ["loyal_care"]
    assert benefits.hand_out(session, staff, loyal, benefit_id, now=now).member_id == loyal.id


def test_the_history_names_a_targeted_campaign_only_for_its_segment(session, make_member):
    from app.services.points import history

    campaign(session, "loyal", name="Loyal days")
    loyal = in_segment(session, make_member(), "loyal")
    other = in_segment(session, make_member(), "random")
    buy(session, loyal, 10_000, PAID_AT, "o-loyal")
    buy(session, other, 10_000, PAID_AT, "o-other")

    def named(member):
        lines, _, _ = history.page(session, member, "all", 1, PAID_AT)
        return [line.purchase.campaign for line in lines if line.purchase]

    assert named(loyal) == ["Loyal days"]
    assert named(other) == [""]
