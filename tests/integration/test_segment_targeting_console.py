"""Targeting in the console: the Who select of campaigns, benefits and flash events."""

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Benefit, FlashEvent, MemberSegment, RuleVersion
from tests import factories
from tests.integration import test_console_rules as rules_tests
from tests.integration.test_console_flash import form as flash_form
from tests.integration.test_console_rules import campaign, pos

# the rules console tests' fixtures: English pages, a stopped clock, a signed-in operator
english, clock, operator = rules_tests.english, rules_tests.clock, rules_tests.operator


def segmented(session, make_member, segment, now):
    member = make_member()
    session.add(MemberSegment(member_id=member.id, segment=segment, computed_at=now))
    return member


def test_a_campaign_for_loyal_customers_from_the_console(
    client, session, operator, make_member, clock
):
    loyal = segmented(session, make_member, "loyal", clock.now)
    other = segmented(session, make_member, "opportunity", clock.now)
    session.commit()
    data = campaign(operator, segment="loyal")
    assert client.post("/admin/rules/campaigns/new", data=data).status_code == 303
    version = session.scalar(select(RuleVersion).order_by(RuleVersion.id.desc()))
    assert version.payload["campaigns"][-1]["segment"] == "loyal"
    assert pos(client, loyal, "l", clock.now).get_json()["points_awarded"] == 300
    assert pos(client, other, "o", clock.now).get_json()["points_awarded"] == 100
    page = client.get("/admin/rules").get_data(as_text=True)
    assert 'data-testid="campaign-target">Loyal customers<' in page
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "rule.campaign"))
    assert "for loyal" in entry.summary


def test_a_campaign_for_everyone_is_stored_without_a_segment(client, session, operator):
    assert client.post("/admin/rules/campaigns/new", data=campaign(operator)).status_code == 303
    version = session.scalar(select(RuleVersion).order_by(RuleVersion.id.desc()))
    assert version.payload["campaigns"][-1]["segment"] is None
    page = client.get("/admin/rules").get_data(as_text=True)
    assert 'data-testid="campaign-target">Everyone<' in page


@pytest.mark.parametrize("segment", ["vip", "LOYAL", "all", "loyal;drop"])
def test_a_campaign_for_an_unknown_segment_is_a_form_error(client, session, operator, segment):
    response = client.post("/admin/rules/campaigns/new", data=campaign(operator, segment=segment))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in html
    assert "Choose who it is for from the list" in html
    assert session.scalar(select(func.count(RuleVersion.id))) == 0


def test_the_campaign_form_offers_everyone_and_every_segment(client, operator):
    html = client.get("/admin/rules/campaigns/new").get_data(as_text=True)
    assert '<select class="input" id="segment" name="segment">' in html
    for label in ("Everyone", "Loyal customers", "Opportunity customers", "At risk", "Lapsed"):
        assert label in html


BENEFIT = {
    "code": "loyal_tea",
    "name": "忠诚下午茶",
    "name_en": "Loyal tea",
    "icon": "coin",
    "verification": "offline",
    "period": "month",
}


def test_a_benefit_for_one_segment(client, session, operator):
    data = {**BENEFIT, "segment": "loyal", "csrf_token": operator}
    assert client.post("/admin/rules/benefits/new", data=data).status_code == 303
    version = session.scalar(select(RuleVersion).order_by(RuleVersion.id.desc()))
    item = next(b for b in version.payload["benefits"] if b["code"] == "loyal_tea")
    assert item["segment"] == "loyal"
    assert session.scalar(select(Benefit.segment).where(Benefit.code == "loyal_tea")) == "loyal"
    edit = client.get("/admin/rules/benefits/loyal_tea").get_data(as_text=True)
    assert '<option selected value="loyal">' in edit
    bad = client.post("/admin/rules/benefits/loyal_tea", data={**data, "segment": "vip"})
    assert bad.status_code == 422 and 'data-testid="form-error"' in bad.get_data(as_text=True)


def test_a_flash_event_for_one_segment(client, session, operator):
    gift = factories.gift(session, name="Lipstick", points_price=900, stock=30)
    session.commit()
    assert client.post("/admin/flash/new", data=flash_form(gift, operator, segment="lapsed"))
    event = session.scalar(select(FlashEvent))
    assert event.segment == "lapsed"
    listing = client.get("/admin/flash").get_data(as_text=True)
    assert "Lapsed" in listing
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "flash.create"))
    assert entry.after["segment"] == "lapsed"
    edit = flash_form(gift, operator, segment="", title="For all")
    assert client.post(f"/admin/flash/{event.id}", data=edit).status_code == 303
    session.expire_all()
    assert session.get(FlashEvent, event.id).segment is None


def test_a_flash_event_for_an_unknown_segment_is_refused(client, session, operator):
    gift = factories.gift(session, name="Lipstick", points_price=900, stock=30)
    session.commit()
    response = client.post("/admin/flash/new", data=flash_form(gift, operator, segment="vip"))
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(FlashEvent.id))) == 0
