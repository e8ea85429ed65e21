"""Member days on the shelves: on the brand-local member day a card shows the member's tier price
and is judged affordable by it; other tiers and other days see the list price (issue 12 §4)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import MemberDay, MemberDayPrice, Tier
from app.services.mall import catalog
from app.services.points import ledger
from app.timeutil import local_date, utcnow
from tests import factories


@pytest.fixture(autouse=True)
def english(client):
    """English pages."""
    client.set_cookie("lang", "en")


def member_day(session, day) -> object:
    """`day` (brand-local) is a member day; a 100-point gift costs Gold members 60."""
    row = session.get(MemberDay, 1)
    row.kind, row.day, row.enabled = "weekly", day.weekday(), True
    gift = factories.gift(session, name="Member day serum", points_price=100, stock=5)
    session.add(MemberDayPrice(gift_id=gift.id, tier_code="gold", points_price=60))
    session.flush()
    return gift


def with_tier(session, member, code: str, points: int):
    member.tier = session.scalar(select(Tier).where(Tier.code == code))
    ledger.credit(session, member.id, "purchase", points, f"seed-{member.id}", now=utcnow())
    return member


def card_of(html: str, gift_id: int) -> str:
    """The gift's card on its shelf (the last on the page: "for you" may show it first)."""
    return html.split(f'data-gift-id="{gift_id}"')[-1].split("</li>")[0]


def test_on_the_member_day_a_gold_card_shows_its_price_and_is_affordable(
    client, session, member_user, login_as
):
    gift = member_day(session, local_date(utcnow()))
    with_tier(session, member_user, "gold", 80)
    session.commit()
    login_as("13700009999")
    card = card_of(client.get("/").get_data(as_text=True), gift.id)
    assert 'data-testid="member-day-card"' in card and "Member day: 60 points" in card
    assert "more points needed" not in card
    assert client.get("/?affordable=1").get_data(as_text=True).count(f'data-gift-id="{gift.id}"')


def test_other_tiers_see_the_list_price_and_what_they_lack(client, session, member_user, login_as):
    gift = member_day(session, local_date(utcnow()))
    with_tier(session, member_user, "silver", 80)
    session.commit()
    login_as("13700009999")
    card = card_of(client.get("/").get_data(as_text=True), gift.id)
    assert "member-day-card" not in card and "20 more points needed" in card


def test_on_another_day_the_card_is_at_its_list_price(session, make_member):
    gift = member_day(session, local_date(utcnow()) + timedelta(days=1))
    member = with_tier(session, make_member(), "gold", 80)
    (view,) = catalog.shelves(session, member, utcnow())
    (card,) = [c for c in view.cards if c.gift.id == gift.id]
    assert card.state.status == "short" and card.state.member_day_points is None


def test_a_gold_member_short_even_at_the_member_day_price(session, make_member):
    gift = member_day(session, local_date(utcnow()))
    member = with_tier(session, make_member(), "gold", 50)
    (view,) = catalog.shelves(session, member, utcnow())
    (card,) = [c for c in view.cards if c.gift.id == gift.id]
    state = card.state
    assert (state.status, state.shortfall, state.member_day_points) == ("short", 10, 60)
