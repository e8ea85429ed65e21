"""/rules: the rules in force for visitors and members, kept like the catalogue; its budget."""

from datetime import UTC, datetime, timedelta

import pytest

from app.blueprints.member import routes
from app.models import Benefit, BenefitUse, Campaign, Store, Tier
from app.services.counter.benefits import period_key
from app.services.points import ledger
from app.timeutil import local_date, utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.integration.test_query_budgets import statements

HX = {"HX-Request": "true"}


@pytest.fixture
def rules_data(session):
    """A running and an upcoming campaign, an offline and a system benefit."""
    today = local_date(utcnow())
    session.add_all(
        [
            Campaign(name="Double days", starts_on=today, ends_on=today + timedelta(days=1),
                     multiplier_pct=200),
            Campaign(name="Triple Xmas", starts_on=today + timedelta(days=20),
                     ends_on=today + timedelta(days=21), multiplier_pct=300),
            Campaign(name="Long gone", starts_on=today - timedelta(days=30),
                     ends_on=today - timedelta(days=29), multiplier_pct=300),
            Benefit(code="gold_care", name="金卡护理", names={"en": "Care each quarter"},
                    tier_codes=["gold", "diamond"], verification="offline", period="quarter"),
            Benefit(code="member_day", name="会员日", names={"en": "Member day prices"},
                    tier_codes=[], verification="system", period="month"),
        ]
    )  # fmt: skip
    session.commit()


def test_visitors_read_every_rule_in_english(client, rules_data):
    client.set_cookie("lang", "en")
    response = client.get("/rules")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "Every ¥1 you pay" in html and "×1.5" in html and "×2" in html  # tiers
    assert "Double days: purchase points ×2" in html and "Triple Xmas" in html
    assert "Long gone" not in html
    assert "Usable until December 31 of the following year." in html
    assert "Usable for 90 days after the day they are earned." in html
    assert "Today: 20 points = ¥1" in html
    assert "from 5,000 growth" in html and "Care each quarter" in html
    assert "show at the counter, once a quarter" in html and "applied automatically" in html
    assert "+5 points" in html and "capped at 300 a month" in html
    assert "Become a member" in html


def test_the_expiry_example_is_brand_local(client, app, session, monkeypatch):
    """At 23:30 UTC on Dec 31 it is already Jan 1 in Shanghai: points earned 'today' last two
    more years' ends, not one."""
    moment = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 2027-01-01 01:30 in Shanghai
    monkeypatch.setattr(routes, "utcnow", lambda: moment)
    client.set_cookie("lang", "en")
    html = client.get("/rules").get_data(as_text=True)
    assert "Earned today (Jan 1, 2027): usable until Dec 31, 2028." in html
    assert "Earned today (Jan 1, 2027): usable until Apr 1, 2027." in html


def test_members_see_their_tier_marked_and_the_fragment(client, login_as, member_user):
    login_as("13700009999")
    client.set_cookie("lang", "en")
    html = client.get("/rules").get_data(as_text=True)
    assert 'data-tier="base"' in html and "Your tier" in html
    assert 'data-testid="points-balance"' in html  # the header badge of a member page
    assert "Become a member" not in html
    fragment = client.get("/rules", headers=HX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Your tier" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_rules_page_costs_nothing_for_visitors_and_little_for_members(
    client, login_as, member_user, session, rules_data
):
    visitor = client.application.test_client()
    visitor.get("/rules")
    assert statements(visitor, "/rules") == []
    ledger.credit(session, member_user.id, "purchase", 100, "p", now=utcnow())
    session.commit()
    login_as("13700009999")
    client.get("/rules")
    sent = statements(client, "/rules")
    assert len(sent) <= 3, sent  # BEGIN, the user, the balance


def test_a_new_campaign_shows_at_once(client, session, rules_data):
    client.set_cookie("lang", "en")
    assert "Brand new" not in client.get("/rules").get_data(as_text=True)
    today = local_date(utcnow())
    session.add(Campaign(name="Brand new", starts_on=today, ends_on=today, multiplier_pct=150))
    session.commit()
    assert "Brand new: purchase points ×1.5" in client.get("/rules").get_data(as_text=True)


@pytest.fixture
def gold_client(client, login_as, member_user, session, rules_data):
    """member_user at Gold with 5,000 growth; logged in, in English."""
    factories.store(session, "SH001")
    member_user.tier = session.query(Tier).filter_by(code="gold").one()
    session.commit()
    csrf = login_as("13700009999")
    client.set_cookie("lang", "en")
    return client, csrf, member_user


def test_me_shows_benefits_usable_at_the_counter_and_used(gold_client, session):
    client, _, member = gold_client
    html = client.get("/me").get_data(as_text=True)
    assert html.count('data-testid="benefit"') == 2
    assert 'data-state="usable"' in html and 'data-state="counter"' in html
    assert "Show at the counter" in html and "Applied automatically" in html
    advisor = factories.advisor(session)
    care = session.query(Benefit).filter_by(code="gold_care").one()
    store = session.query(Store).filter_by(code="SH001").one()
    session.add(BenefitUse(benefit_id=care.id, member_id=member.id, period_key=_quarter(),
                           store_id=store.id, user_id=advisor.id, at=utcnow()))  # fmt: skip
    session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert 'data-state="used"' in html and 'data-state="counter"' not in html
    assert "Used on" in html


def _quarter() -> str:
    return period_key("quarter", utcnow())


def test_me_says_what_is_left_to_the_next_tier_in_yuan_and_what_is_coming(
    client, login_as, member_user, session, rules_data
):
    factories.buy(session, member_user, 76_600, utcnow() - timedelta(days=2))  # ¥766 growth
    session.commit()
    login_as("13700009999")
    client.set_cookie("lang", "en")
    html = client.get("/me").get_data(as_text=True)
    assert "¥234 more in purchases to reach Silver" in html
    assert 'data-testid="my-occasions"' in html and "Double days: purchase points ×2" in html
    assert "Running now" in html and "Triple Xmas" in html
    assert 'href="/rules' in html


def test_staff_read_the_rules_page_too(client, session):
    factories.staff(session)
    session.commit()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": "admin", "password": "secret123",
                                "csrf_token": token})  # fmt: skip
    response = client.get("/rules")
    assert response.status_code == 200 and 'data-testid="rules-tiers"' in response.get_data(
        as_text=True
    )


def test_me_reads_benefits_and_occasions_in_its_existing_statements(gold_client, session):
    client, _, member = gold_client
    advisor = factories.advisor(session)
    care = session.query(Benefit).filter_by(code="gold_care").one()
    store = session.query(Store).filter_by(code="SH001").one()
    session.add(BenefitUse(benefit_id=care.id, member_id=member.id, period_key=_quarter(),
                           store_id=store.id, user_id=advisor.id, at=utcnow()))  # fmt: skip
    session.commit()
    client.get("/me")
    sent = statements(client, "/me")
    assert len(sent) <= 5, sent  # as before: BEGIN, user, lots, figures, reminders + uses
    assert sum("benefit" in s for s in sent) == 1
