"""The rules as members read them: multipliers in words, the campaigns and member days ahead,
the points-as-cash calendar, expiry examples on brand-local days."""

from datetime import UTC, date, datetime

import pytest

from app.models import Campaign, CashRate
from app.services.points import guide
from app.services.points.rules import rules_at


@pytest.mark.parametrize(
    ("pct", "words"), [(100, "×1"), (120, "×1.2"), (150, "×1.5"), (125, "×1.25"), (300, "×3")]
)
def test_multipliers_read_as_members_say_them(pct, words):
    assert guide.times(pct) == words


def test_occasions_are_those_running_or_ahead_for_the_tier_soonest_first(session):
    session.add_all(
        [
            Campaign(name="over", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 10),
                     multiplier_pct=300),
            Campaign(name="now", starts_on=date(2026, 6, 14), ends_on=date(2026, 6, 16),
                     multiplier_pct=200),
            Campaign(name="later", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2),
                     multiplier_pct=300),
            CashRate(kind="weekly", name="Member day", points_per_yuan=10, weekday=2),
            CashRate(kind="weekly", name="Member day again", points_per_yuan=10, weekday=2),
        ]
    )  # fmt: skip
    session.commit()
    rules, today = rules_at(session, datetime(2026, 6, 15, 2, tzinfo=UTC)), date(2026, 6, 15)
    found = guide.occasions(rules, today, days=60)
    assert [(o.kind, o.name) for o in found] == [("campaign", "now"), ("member_day", "Member day")]
    assert found[1].starts_on == date(2026, 6, 17)  # the next Wednesday, once
    assert [o.name for o in guide.occasions(rules, today)][-1] == "later"
    assert len(guide.calendar(rules)) == 2  # every day, and the member day once


def test_expiry_examples_follow_the_brand_local_day(session):
    late = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on Jan 1, 2027 in Shanghai
    by_kind = {e.kind: e for e in guide.expiries(rules_at(session, late), late)}
    assert by_kind["year_end"].example == date(2028, 12, 31)
    assert by_kind["days"].example == date(2027, 4, 1)
    assert by_kind["year_end"].sources[:2] == ("purchase", "referral")
