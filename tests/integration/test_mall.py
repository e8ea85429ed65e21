"""The mall over HTTP: shelves, gift pages, checkout, flash, orders — pages and fragments."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Order
from app.services.mall import orders
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}


@pytest.fixture
def shop(client, login_as, member_user, session):
    """A member with 1,000 points, a store and a few gifts; yields (client, csrf, gifts)."""
    factories.store(session)
    now = utcnow()
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=now)
    gifts = {
        "plain": factories.gift(session, name="Serum", points_price=300, stock=4),
        "gated": factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"]),
        "dear": factories.gift(session, name="Dear", points_price=1_320),
        "gone": factories.gift(session, name="Gone", stock=0),
        "cash": factories.gift(session, name="Cream", points_price=100, cash_fen=10_000),
    }
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), gifts


def test_home_shows_shelves_with_locked_and_sold_out_gifts_and_their_reason(shop):
    client, _, gifts = shop
    html = client.get("/").get_data(as_text=True)
    shown = set(re.findall(r'data-testid="gift-card" data-gift-id="(\d+)"', html))
    assert shown == {str(g.id) for g in gifts.values()}  # sold out stays on its shelf
    gated = html.split(f'data-gift-id="{gifts["gated"].id}"')[1].split("</li>")[0]
    assert 'data-testid="gift-locked"' in gated and "Gold and above" in gated
    gone = html.split(f'data-gift-id="{gifts["gone"].id}"')[1].split("</li>")[0]
    assert 'data-testid="gift-sold-out"' in gone and "Sold out" in gone
    assert f'href="/gifts/{gifts["gone"].id}?via=shelf"' in gone  # to its page, where notify-me is


def test_affordable_filter(shop):
    client, _, gifts = shop
    html = client.get("/?affordable=1").get_data(as_text=True)
    assert f'data-gift-id="{gifts["plain"].id}"' in html
    assert f'data-gift-id="{gifts["dear"].id}"' not in html


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("gated", "Only Gold and above can redeem this."),
        ("dear", "You need 320 more points."),
        ("gone", "Sold out"),
    ],
)
def test_gift_page_explains_why_not(shop, key, text):
    client, _, gifts = shop
    html = client.get(f"/gifts/{gifts[key].id}").get_data(as_text=True)
    assert text in html and 'disabled data-testid="redeem-button"' in html


def test_redeem_by_htmx_redirects_and_fires_points_changed(shop, session, member_user):
    client, csrf, gifts = shop
    gift = gifts["plain"]
    response = client.post(
        f"/gifts/{gift.id}/redeem",
        headers={**HX, "X-CSRFToken": csrf},
        data={"qty": 2, "delivery": "pickup", "request_key": "k1"},
    )
    order = session.scalar(select(Order))
    assert response.headers["HX-Redirect"] == f"/orders/{order.id}"
    assert response.headers["HX-Trigger"] == "points-changed"
    assert balances.balance(session, member_user.id, utcnow()) == 400
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="order-status"' in page and "Ready for pickup" in page
    assert re.search(r'data-testid="pickup-code">\d{8}<', page)


def test_failed_redeem_rerenders_the_checkout_fragment_and_writes_nothing(shop, session):
    client, csrf, gifts = shop
    response = client.post(
        f"/gifts/{gifts['plain'].id}/redeem",
        headers={**HX, "X-CSRFToken": csrf},
        data={"qty": 9, "delivery": "pickup", "request_key": "k2"},
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422 and "<html" not in html and 'data-testid="form-error"' in html
    )
    assert session.scalar(select(func.count(Order.id))) == 0


def test_redeem_without_csrf_is_rejected(shop, session):
    client, _, gifts = shop
    response = client.post(
        f"/gifts/{gifts['plain'].id}/redeem",
        data={"qty": 1, "delivery": "pickup", "request_key": "k3"},
    )
    assert response.status_code == 400 and session.scalar(select(func.count(Order.id))) == 0


def test_live_breakdown_fragment(shop):
    client, _, gifts = shop
    response = client.get(
        f"/gifts/{gifts['cash'].id}/breakdown?qty=1&yuan_by_points=30", headers=HX
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="breakdown"' in html
    assert "¥70.00" in html and "700" in html  # 30 yuan × 20 points + 100 points; ¥100 − ¥30
    assert "HX-Request" in response.headers["Vary"]


def test_points_and_cash_shipping_then_sandbox_payment(shop, session):
    client, csrf, gifts = shop
    client.post(
        "/me/addresses",
        data={
            "csrf_token": csrf,
            "recipient": "Lin",
            "phone": "13800000000",
            "region": "Shanghai",
            "detail": "1 Nanjing Rd",
            "next": f"/gifts/{gifts['cash'].id}",
        },
    )
    address_id = re.search(
        r'<option value="(\d+)"',
        client.get(f"/gifts/{gifts['cash'].id}").get_data(as_text=True).split('id="address_id"')[1],
    ).group(1)
    response = client.post(
        f"/gifts/{gifts['cash'].id}/redeem",
        data={
            "csrf_token": csrf,
            "qty": 1,
            "delivery": "ship",
            "address_id": address_id,
            "yuan_by_points": 10,
            "expected_rate": 20,
            "request_key": "k4",
        },
    )
    order = session.scalar(select(Order))
    assert response.headers["Location"] == f"/orders/{order.id}/pay"
    assert (order.status, order.cash_due_fen, order.points_for_cash) == (
        "pending_payment",
        9_000,
        200,
    )
    client.post(f"/orders/{order.id}/pay", data={"csrf_token": csrf})
    session.refresh(order)
    assert order.status == "to_ship"


def test_cancel_returns_points(shop, session, member_user):
    client, csrf, gifts = shop
    client.post(
        f"/gifts/{gifts['plain'].id}/redeem",
        data={"csrf_token": csrf, "qty": 1, "delivery": "pickup", "request_key": "k5"},
    )
    order = session.scalar(select(Order))
    client.post(f"/orders/{order.id}/cancel", data={"csrf_token": csrf})
    assert balances.balance(session, member_user.id, utcnow()) == 1_000
    assert "Cancelled" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_another_members_order_is_404(shop, session, make_member):
    client, _, gifts = shop
    other = make_member()
    ledger.credit(session, other.id, "purchase", 1_000, "o", now=utcnow())
    from app.services.mall.redemption import Checkout, redeem

    order = redeem(session, other.id, gifts["plain"].id, Checkout(request_key="x"), now=utcnow())
    session.commit()
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_flash_board_and_one_tap(shop, session, member_user):
    client, csrf, _ = shop
    now = utcnow()
    live = factories.flash(session, now, stock=1, price=200)
    upcoming = factories.flash(session, now, starts=2)
    session.commit()
    html = client.get("/flash").get_data(as_text=True)
    assert html.count('data-testid="flash-card"') == 2
    assert f'data-event-id="{live.id}"' in html and 'data-testid="flash-countdown"' in html
    assert re.search(r'data-starts-at="[^"]+\+08:00"', html)
    response = client.post(f"/flash/{live.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert response.headers["HX-Retarget"] == f"#flash-{live.id}"  # the card says "You got it!"
    assert 'data-testid="flash-order-link"' in response.get_data(as_text=True)
    again = client.post(f"/flash/{live.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert again.status_code == 409 and 'data-testid="form-error"' in again.get_data(as_text=True)
    early = client.post(f"/flash/{upcoming.id}/redeem", data={"csrf_token": csrf})
    assert early.status_code == 409 and "not on sale" in early.get_data(as_text=True)
    stock = client.get(f"/flash/{live.id}/stock", headers=HX)
    assert stock.status_code == 286 and 'data-testid="flash-stock">0<' in stock.get_data(
        as_text=True
    )
    assert balances.balance(session, member_user.id, now) == 800


def test_unpaid_orders_expire_lazily_on_the_orders_page(shop, session, member_user):
    client, csrf, gifts = shop
    client.post(
        "/me/addresses",
        data={
            "csrf_token": csrf,
            "recipient": "Lin",
            "phone": "13800000000",
            "region": "Shanghai",
            "detail": "1 Rd",
            "next": f"/gifts/{gifts['cash'].id}",
        },
    )
    from app.models import Address

    address = session.scalar(select(Address))
    client.post(
        f"/gifts/{gifts['cash'].id}/redeem",
        data={
            "csrf_token": csrf,
            "qty": 1,
            "delivery": "ship",
            "address_id": address.id,
            "request_key": "k6",
        },
    )
    order = session.scalar(select(Order))
    orders_for = orders.expire_unpaid(session, utcnow() + timedelta(minutes=16))
    session.commit()
    assert orders_for == 1 and order.status == "cancelled"
    assert balances.balance(session, member_user.id, utcnow()) == 1_000


def test_service_redeemed_and_booked_in_one_step(shop, session):
    client, csrf, _ = shop
    slot = factories.slot(session, utcnow(), hours=30, capacity=1)
    session.commit()
    page = client.get(f"/gifts/{slot.gift_id}").get_data(as_text=True)
    assert f'name="slot_id" value="{slot.id}"' in page
    client.post(
        f"/gifts/{slot.gift_id}/redeem",
        data={"csrf_token": csrf, "qty": 1, "slot_id": slot.id, "request_key": "svc"},
    )
    order = session.scalar(select(Order))
    assert order.status == "to_book" and session.get(type(slot), slot.id).booked == 1
    assert "Change the time" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_gift_not_yet_on_sale_counts_down(shop, session):
    client, _, _ = shop
    soon = factories.gift(session, name="Soon", listed_at=utcnow() + timedelta(days=2))
    session.commit()
    html = client.get(f"/gifts/{soon.id}").get_data(as_text=True)
    assert "data-countdown" in html and "countdown.js" in html and "Not yet on sale" in html
