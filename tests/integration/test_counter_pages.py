"""The counter over HTTP: role guard, look-up logging, actions with confirmations, bookings."""

import re

import pytest
from sqlalchemy import select

from app.models import Order, StaffAction, StoreStock, User
from app.services.accounts import accounts
from app.services.counter import member_code
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture
def advisor_client(client, session, member_user):
    """A client logged in as advisor A0001 at SH001; yields (client, csrf, member)."""
    user = factories.advisor(session)
    user.password_hash = accounts.hash_password("secret123")
    ledger.credit(session, member_user.id, "purchase", 2_000, "seed", now=utcnow())
    session.commit()
    client.set_cookie("lang", "en")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post(
        "/login", data={"identifier": "A0001", "password": "secret123", "csrf_token": token}
    )
    return client, csrf_from(client.get("/counter/").get_data(as_text=True)), member_user


def post(client, csrf, url, **data):
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=True)


def test_members_cannot_open_the_counter(client, login_as, member_user):
    login_as("13700009999")
    assert client.get("/counter/").status_code == 403


def test_lookup_by_phone_shows_the_card_and_is_logged(advisor_client, session):
    client, csrf, member = advisor_client
    html = post(client, csrf, "/counter/lookup", query="13700009999").get_data(as_text=True)
    assert 'data-testid="points-balance">2,000<' in html and 'data-testid="tier-name"' in html
    assert "137****9999" in html and "13700009999" not in html
    miss = post(client, csrf, "/counter/lookup", query="1370000").get_data(as_text=True)
    assert 'data-testid="form-error"' in miss and "No member found" in miss
    results = session.scalars(
        select(StaffAction.result).where(StaffAction.action == "lookup")
    ).all()
    assert results == ["ok", "not_found"]


def test_lookup_by_member_code(advisor_client):
    client, csrf, member = advisor_client
    code = member_code.code_for(member, utcnow())
    html = post(client, csrf, "/counter/lookup", query=code).get_data(as_text=True)
    assert "137****9999" in html


def test_purchase_is_awarded_once_and_confirmed(advisor_client, session):
    client, csrf, member = advisor_client
    post(client, csrf, "/counter/lookup", query="13700009999")
    first = post(
        client, csrf, "/counter/purchase", receipt_no="R-1", amount="1280.50", categories="skincare"
    ).get_data(as_text=True)
    assert "Purchase recorded: +1,280 points." in first
    again = post(
        client, csrf, "/counter/purchase", receipt_no="R-1", amount="1280.50", categories="skincare"
    ).get_data(as_text=True)
    assert "Receipt already recorded" in again
    assert balances.balance(session, member.id, utcnow()) == 3_280
    bad = post(client, csrf, "/counter/purchase", receipt_no="R-2", amount="12,80")
    assert 'data-testid="form-error"' in bad.get_data(as_text=True)
    assert balances.balance(session, member.id, utcnow()) == 3_280


def test_pickup_hand_over_and_double_tap(advisor_client, session):
    client, csrf, member = advisor_client
    gift = factories.gift(session)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="k"), now=utcnow())
    session.commit()
    ok = post(client, csrf, "/counter/pickup", pickup_code=order.pickup_code)
    assert "Handed over" in ok.get_data(as_text=True)
    twice = post(client, csrf, "/counter/pickup", pickup_code=order.pickup_code)
    assert "Already handed over" in twice.get_data(as_text=True)
    session.refresh(order)
    assert order.status == "completed"
    actions = session.scalars(
        select(StaffAction.result).where(StaffAction.action == "pickup")
    ).all()
    assert actions == ["ok", "pickup_done"]


def test_redeem_at_the_counter_needs_the_code(advisor_client, session):
    client, csrf, member = advisor_client
    gift = factories.gift(session, points_price=500, stock=0)
    session.add(
        StoreStock(
            store_id=session.scalar(select(User.store_id).where(User.staff_id == "A0001")),
            gift_id=gift.id,
            stock=2,
        )
    )
    session.commit()
    post(client, csrf, "/counter/lookup", query="13700009999")
    html = client.get("/counter/").get_data(as_text=True)
    key = re.search(r'name="request_key" value="([^"]+)"', html).group(1)
    wrong = post(
        client,
        csrf,
        "/counter/redeem",
        member_code="123456789012345",
        gift_id=gift.id,
        qty=1,
        request_key=key,
    )
    assert "not valid now" in wrong.get_data(as_text=True)
    code = member_code.code_for(member, utcnow())
    ok = post(
        client, csrf, "/counter/redeem", member_code=code, gift_id=gift.id, qty=1, request_key=key
    )
    assert "Redeemed" in ok.get_data(as_text=True)
    assert balances.balance(session, member.id, utcnow()) == 1_500


def test_member_books_and_advisor_checks_in(advisor_client, session, app):
    client, csrf, member = advisor_client
    slot = factories.slot(session, utcnow(), hours=2)
    order = redemption.redeem(
        session, member.id, slot.gift_id, Checkout(request_key="svc"), now=utcnow()
    )
    session.commit()
    member_client = app.test_client()
    member_client.set_cookie("lang", "en")
    token = csrf_from(member_client.get("/").get_data(as_text=True))
    member_client.post(
        "/login", data={"identifier": "13700009999", "password": "secret123", "csrf_token": token}
    )
    page = member_client.get(f"/orders/{order.id}/book").get_data(as_text=True)
    assert f'value="{slot.id}"' in page
    member_client.post(f"/orders/{order.id}/book", data={"csrf_token": token, "slot_id": slot.id})
    assert "Reminders" in member_client.get("/me").get_data(as_text=True)
    counter_page = client.get("/counter/").get_data(as_text=True)
    booking_id = re.search(r"/counter/bookings/(\d+)/check_in", counter_page).group(1)
    done = post(client, csrf, f"/counter/bookings/{booking_id}/check_in")
    assert "Checked in" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(Order, order.id).status == "completed"
