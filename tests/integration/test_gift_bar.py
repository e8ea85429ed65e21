"""The gift page's bottom bar: the price and, in every state, the member's next step."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import GiftSubscription
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger, tiers
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}


@pytest.fixture
def mall(client, login_as, member_user, session):
    """A member (in English) with 1,000 points, a store and a gift in every state."""
    factories.store(session)
    now = utcnow()
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=now)
    gifts = {
        "plain": factories.gift(session, name="Serum", points_price=300),
        "gated": factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"]),
        "dear": factories.gift(session, name="Dear", points_price=1_320),
        "gone": factories.gift(session, name="Gone", stock=0),
        "soon": factories.gift(session, name="Soon", listed_at=now + timedelta(days=2)),
        "once": factories.gift(session, name="Once", points_price=10, limit_count=1),
    }
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), gifts


def bar(html: str) -> str:
    """The bar's markup (one per page)."""
    assert html.count('data-testid="gift-bar"') == 1
    return html.split('data-testid="gift-bar"')[1].split("</section>")[0]


def page(client, gift) -> str:
    """The gift page's HTML."""
    response = client.get(f"/gifts/{gift.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_member_who_can_redeem_gets_the_redeem_button_in_the_bar(mall):
    client, _, gifts = mall
    html = page(client, gifts["plain"])
    form = html.split(f'action="/gifts/{gifts["plain"].id}/redeem"')[1].split("</form>")[0]
    assert 'type="submit" data-testid="redeem-button"' in bar(form)
    assert "Balance after" in form and "700" in form  # 1,000 − 300


def test_not_enough_points_names_the_gap_and_the_ways_to_earn(mall):
    client, _, gifts = mall
    shown = bar(page(client, gifts["dear"]))
    assert "320 more points — ways to earn" in shown and 'href="/rules#earn"' in shown
    assert 'disabled data-testid="redeem-button"' in shown
    assert 'id="earn"' in client.get("/rules").get_data(as_text=True)


def test_a_tier_locked_gift_names_the_spend_still_needed(mall, session, member_user):
    client, _, gifts = mall
    factories.buy(session, member_user, 20_000, utcnow() - timedelta(days=3))  # ¥200 of growth
    session.commit()
    gold = next(t for t in tiers.ladder(session) if t.code == "gold")
    html = page(client, gifts["gated"])
    shown = bar(html)
    assert f"Reach Gold: ¥{gold.threshold - 200:,} more this year" in shown
    assert html.count(f"¥{gold.threshold - 200:,}") == 1  # said once, in the bar
    assert 'href="/rules#tiers"' in shown and "/redeem" not in shown
    assert 'id="tiers"' in client.get("/rules").get_data(as_text=True)


@pytest.mark.parametrize(
    ("key", "offer", "promise"),
    [
        ("gone", "Notify me when it is back", "We will let you know when it is back."),
        ("soon", "Notify me when it goes on sale", "We will let you know when it goes on sale."),
    ],
)
def test_sold_out_and_upcoming_offer_one_tap_reminders(mall, session, key, offer, promise):
    client, csrf, gifts = mall
    gift = gifts[key]
    shown = bar(page(client, gift))
    assert offer in shown and f'action="/gifts/{gift.id}/notify-me"' in shown
    response = client.post(f"/gifts/{gift.id}/notify-me", headers={**HX, "X-CSRFToken": csrf})
    assert response.status_code == 200 and promise in response.get_data(as_text=True)
    assert session.scalar(select(func.count(GiftSubscription.id))) == 1
    again = bar(page(client, gift))
    assert promise in again and f'action="/gifts/{gift.id}/notify-me"' not in again


def test_limit_reached_leads_to_the_orders(mall, session, member_user):
    client, _, gifts = mall
    redemption.redeem(
        session, member_user.id, gifts["once"].id, Checkout(request_key="a"), now=utcnow()
    )
    session.commit()
    shown = bar(page(client, gifts["once"]))
    assert "You have redeemed this — see my orders" in shown and 'href="/orders"' in shown


def test_visitors_are_asked_to_sign_in(app, mall):
    _, _, gifts = mall
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    gift = gifts["plain"]
    shown = bar(page(visitor, gift))
    assert "Sign in to redeem" in shown and 'data-testid="redeem-button"' in shown
    assert f'href="/login?next=/gifts/{gift.id}"' in shown
    assert "Sign in to be notified" in bar(page(visitor, gifts["gone"]))


def test_staff_are_told_once_that_they_cannot_redeem(client, session, login_as):
    gift = factories.gift(session, name="Serum", points_price=300)
    factories.staff(session, "operator", "admin")
    session.commit()
    client.set_cookie("lang", "en")
    login_as("admin")
    html = page(client, gift)
    assert html.count("Staff accounts cannot redeem.") == 1
    assert "Staff accounts cannot redeem." in bar(html) and "/redeem" not in bar(html)


def test_the_page_has_a_back_link_and_room_for_the_bar(mall):
    client, _, gifts = mall
    html = page(client, gifts["plain"])
    assert 'class="back-link" href="/"' in html and 'class="gift-page"' in html


def test_a_sold_out_card_on_the_shelf_leads_to_its_page(mall):
    client, _, gifts = mall
    html = client.get("/").get_data(as_text=True)
    card = html.split(f'data-gift-id="{gifts["gone"].id}"')[1].split("</li>")[0]
    assert "Sold out" in card and f'href="/gifts/{gifts["gone"].id}?via=shelf"' in card
