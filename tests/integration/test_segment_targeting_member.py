"""Targeting as members meet it: benefits on /me and /rules, the flash board, the home's flash
strip, the one-tap redemption and the stock poll."""

import re

import pytest
from sqlalchemy import func, select

from app.models import MemberSegment, Order, RuleVersion
from app.services.console import rules as console_rules
from app.services.mall import redemption
from app.services.mall.errors import NotForYou
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories
from tests.integration.test_query_budgets import statements

HX = {"HX-Request": "true"}


@pytest.fixture
def shop(client, login_as, member_user, session):
    """A signed-in member with 1,000 points and a store; yields (client, csrf)."""
    factories.store(session)
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999")


def put_in(session, member, segment):
    session.add(MemberSegment(member_id=member.id, segment=segment, computed_at=utcnow()))
    session.commit()


def loyal_event(session, **fields):
    event = factories.flash(session, utcnow(), stock=5, price=200, name="Loyal lipstick")
    event.title, event.segment = "For the loyal", "loyal"
    for key, value in fields.items():
        setattr(event, key, value)
    session.commit()
    return event


def cards(html: str) -> set[str]:
    return set(re.findall(r'data-testid="flash-card"[^>]*data-event-id="(\d+)"', html)) or set(
        re.findall(r'data-event-id="(\d+)"', html)
    )


def test_a_targeted_flash_event_shows_only_to_its_segment(shop, session, member_user, client):
    web, _ = shop
    everyone = factories.flash(session, utcnow(), price=100, name="For all")
    event = loyal_event(session)
    put_in(session, member_user, "opportunity")
    html = web.get("/flash").get_data(as_text=True)
    assert str(everyone.id) in cards(html) and str(event.id) not in cards(html)
    assert "For the loyal" not in html
    session.query(MemberSegment).filter_by(member_id=member_user.id).update({"segment": "loyal"})
    session.commit()
    html = web.get("/flash").get_data(as_text=True)
    assert {str(everyone.id), str(event.id)} <= cards(html)


def test_visitors_never_see_a_targeted_event(client, session):
    from app.models import HomeSection

    session.add(HomeSection(kind="flash", sort=1))
    everyone = factories.flash(session, utcnow(), price=100, name="For all")
    event = loyal_event(session)
    client.set_cookie("lang", "en")
    home = client.get("/").get_data(as_text=True)
    assert f"#flash-{everyone.id}" in home and f"#flash-{event.id}" not in home
    html = client.get("/flash").get_data(as_text=True)
    assert str(event.id) not in cards(html) and "For the loyal" not in html
    assert client.get(f"/flash/{event.id}/stock", headers=HX).status_code == 404


def test_the_home_flash_strip_shows_a_targeted_event_only_to_its_segment(
    shop, session, member_user
):
    from app.models import HomeSection

    web, _ = shop
    session.add(HomeSection(kind="flash", sort=1))
    event = loyal_event(session)
    put_in(session, member_user, "random")
    strip = f"#flash-{event.id}"
    assert strip not in web.get("/").get_data(as_text=True)
    session.query(MemberSegment).filter_by(member_id=member_user.id).update({"segment": "loyal"})
    session.commit()
    assert strip in web.get("/").get_data(as_text=True)


def test_redeeming_a_targeted_event_as_anyone_else_is_refused_and_writes_nothing(
    shop, session, member_user
):
    web, csrf = shop
    event = loyal_event(session)
    put_in(session, member_user, "lapsed")
    tap = web.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert tap.status_code == 409
    assert "reserved for other members" in tap.get_data(as_text=True)
    full = web.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf, "request_key": "k1"})
    assert full.status_code == 409 and 'data-testid="form-error"' in full.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count(Order.id))) == 0
    assert balances.balance(session, member_user.id, utcnow()) == 1_000
    assert web.get(f"/flash/{event.id}/stock", headers=HX).status_code == 404
    with pytest.raises(NotForYou):  # under the lock too, whoever calls it
        redemption.redeem_flash(session, member_user.id, event.id, now=utcnow())
    session.rollback()


def test_a_member_of_the_segment_redeems_it(shop, session, member_user):
    web, csrf = shop
    event = loyal_event(session)
    put_in(session, member_user, "loyal")
    assert web.get(f"/flash/{event.id}/stock", headers=HX).status_code == 200
    tap = web.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert tap.headers["HX-Retarget"] == f"#flash-{event.id}"  # the card says "You got it!"
    assert 'href="/orders/' in tap.get_data(as_text=True)
    assert balances.balance(session, member_user.id, utcnow()) == 800


def test_the_flash_board_keeps_its_statement_budget_with_a_targeted_event(
    shop, session, member_user
):
    factories.flash(session, utcnow(), price=100, name="For all")
    loyal_event(session)
    put_in(session, member_user, "loyal")
    web, _ = shop
    web.get("/flash")  # the kept page is built once; the budget is for every later view
    assert len(statements(web, "/flash")) <= 5


def _benefit(session, staff, segment):
    item = {
        "code": "loyal_tea", "names": {"zh_Hans": "忠诚下午茶", "en": "Loyal tea"},
        "descriptions": {}, "icon": "coin", "tier_codes": [], "verification": "offline",
        "period": "month", "segment": segment,
    }  # fmt: skip
    console_rules.put_benefit(session, staff, item, new=True, now=utcnow())
    session.commit()


def test_me_shows_a_targeted_benefit_only_to_its_segment(shop, session, member_user):
    web, _ = shop
    _benefit(session, factories.staff(session), "loyal")
    assert session.scalar(select(func.count(RuleVersion.id))) >= 1
    put_in(session, member_user, "opportunity")
    assert "Loyal tea" not in web.get("/me").get_data(as_text=True)
    session.query(MemberSegment).filter_by(member_id=member_user.id).update({"segment": "loyal"})
    session.commit()
    assert "Loyal tea" in web.get("/me").get_data(as_text=True)
    assert len(statements(web, "/me")) <= 6


def test_rules_lists_a_targeted_benefit_with_its_segment(client, session):
    _benefit(session, factories.staff(session), "loyal")
    client.set_cookie("lang", "en")
    html = client.get("/rules").get_data(as_text=True)
    assert "Loyal tea" in html and 'data-testid="benefit-target">for loyal customers<' in html


def test_the_home_keeps_its_statement_budget_with_a_targeted_event(shop, session, member_user):
    from app.models import HomeSection

    session.add(HomeSection(kind="flash", sort=1))
    loyal_event(session)
    put_in(session, member_user, "loyal")
    web, _ = shop
    web.get("/")  # the kept page is built once; the budget is for every later view
    assert len(statements(web, "/")) <= 6
