"""Flash one-tap names the pickup counter on the card, remembers a change, and ends in
"You got it!" with the order one tap away (issue 12 §1)."""

import re

import pytest
from sqlalchemy import select

from app.models import Member, Order
from app.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


@pytest.fixture
def board(client, login_as, member_user, session):
    """Two open stores and a closed one, a live pickup flash and a live coupon flash; a member
    (in English) with 1,000 points. Yields (client, csrf, stores, pickup_event, coupon_event)."""
    from app.services.points import ledger

    stores = [factories.store(session, code) for code in ("SH001", "BJ001", "GZ001")]
    stores[2].closed_at = utcnow()
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    event = factories.flash(session, utcnow(), stock=5, price=100, name="Lipstick")
    coupon = factories.flash(session, utcnow(), stock=5, price=100, kind="coupon", name="Voucher")
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), stores, event, coupon


def _card(html: str, event_id: int) -> str:
    return html.split(f'data-event-id="{event_id}"')[1].split("</li>")[0]


def _remembered(session, member_user) -> int | None:
    session.expire_all()
    return session.get(Member, member_user.id).pickup_store_id


def test_a_pickup_card_names_the_first_counter_and_a_coupon_card_none(board):
    client, _, stores, event, coupon = board
    for _ in range(2):  # the board is kept: the second answer fills the kept page's holes
        html = client.get("/flash").get_data(as_text=True)
        card = _card(html, event.id)
        assert f"Pick up at {stores[0].name}" in card and 'name="store_id"' in card
        assert f'value="{stores[1].id}"' in card and f'value="{stores[2].id}"' not in card
        assert 'data-testid="pickup-store"' not in _card(html, coupon.id)


def test_each_viewer_gets_their_own_counter_and_token_in_the_kept_line(board, app, session):
    """The pickup line is kept per card, counter and locale with a hole for the token: a
    second member who remembers another counter sees theirs and posts with their own token."""
    from app.services.accounts import accounts

    client, _, stores, event, _ = board
    other = accounts.create_member(session, "13700008888", "secret123", now=utcnow())
    other.pickup_store_id = stores[1].id
    session.commit()
    second = app.test_client()
    second.set_cookie("lang", "en")
    token = csrf_from(second.get("/login").get_data(as_text=True))
    form = {"identifier": "13700008888", "password": "secret123", "csrf_token": token}
    assert second.post("/login", data=form).status_code == 303
    tokens = []
    for viewer, store in ((client, stores[0]), (second, stores[1]), (client, stores[0])):
        html = viewer.get("/flash").get_data(as_text=True)
        card = _card(html, event.id)
        assert f"Pick up at {store.name}" in card and f'data-store-id="{store.id}"' in card
        tokens.append(csrf_from(html))  # the page's own token (a kept signature may be renewed)
        assert set(re.findall(r'name="csrf_token" value="([^"]+)"', card)) == {tokens[-1]}
    assert tokens[1] not in (tokens[0], tokens[2])


def test_changing_the_counter_is_remembered_and_used(board, session, member_user):
    client, csrf, stores, event, _ = board
    data = {"csrf_token": csrf, "event_id": event.id, "store_id": stores[1].id}
    response = client.post("/flash/pickup-store", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/flash#flash-{event.id}"
    )
    assert _remembered(session, member_user) == stores[1].id
    card = _card(client.get("/flash").get_data(as_text=True), event.id)
    assert f"Pick up at {stores[1].name}" in card
    done = client.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf})
    assert done.status_code == 303
    order = session.scalar(select(Order))
    assert order.store_id == stores[1].id


def test_the_change_answers_in_place_for_htmx(board, session, member_user):
    client, csrf, stores, event, _ = board
    data = {"event_id": event.id, "store_id": stores[1].id}
    response = client.post("/flash/pickup-store", data=data, headers={**HX, "X-CSRFToken": csrf})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="pickup-{event.id}"' in body and f"Pick up at {stores[1].name}" in body
    assert 'role="status"' in body and "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("store", ["closed", "999999", "x", ""])
def test_a_closed_or_unknown_counter_is_refused(board, session, member_user, store):
    client, csrf, stores, event, _ = board
    store_id = str(stores[2].id) if store == "closed" else store
    data = {"csrf_token": csrf, "event_id": event.id, "store_id": store_id}
    page = client.post("/flash/pickup-store", data=data)
    assert page.status_code == 422 and 'data-testid="form-error"' in page.get_data(as_text=True)
    fragment = client.post("/flash/pickup-store", data=data, headers=HX)
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert 'data-testid="form-error"' in fragment.get_data(as_text=True)
    assert _remembered(session, member_user) is None


def test_choosing_a_counter_at_checkout_remembers_it(board, session, member_user):
    client, csrf, stores, _, _ = board
    gift = factories.gift(session, name="Cream", points_price=100)
    session.commit()
    form = {"csrf_token": csrf, "qty": "1", "request_key": "k", "delivery": "pickup"}
    client.post(f"/gifts/{gift.id}/redeem", data={**form, "store_id": stores[1].id})
    assert _remembered(session, member_user) == stores[1].id


def test_one_tap_ends_in_you_got_it_in_place_and_as_a_page(board, session):
    client, csrf, stores, event, _ = board
    response = client.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    body = response.get_data(as_text=True)
    order = session.scalar(select(Order))
    assert response.status_code == 200 and "<html" not in body
    assert response.headers["HX-Retarget"] == f"#flash-{event.id}"
    assert response.headers["HX-Trigger"] == "points-changed"
    assert "You got it!" in body and f'href="/orders/{order.id}"' in body
    assert f"Pick up at {stores[0].name}" in body
    page = client.get(f"/flash/done/{order.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "You got it!" in html
    assert f'href="/orders/{order.id}"' in html and re.search(r'data-testid="back-link"', html)


def test_the_you_got_it_card_reads_nothing_after_the_winning_commit(board, session):
    """The order keeps its gift and store and the commit does not expire them: the card names
    both without a statement after the stock decrement (the winning transaction's last)."""
    from app.extensions import db
    from tests.integration.test_query_budgets import counting

    client, csrf, stores, event, _ = board
    db.session.commit()
    with counting() as sent:
        response = client.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert "You got it!" in response.get_data(as_text=True)
    last = max(i for i, s in enumerate(sent) if s.startswith("UPDATE flash_events"))
    assert [s for s in sent[last + 1 :] if "gifts" in s or "stores" in s] == []


def test_no_js_one_tap_lands_on_the_confirmation_page(board, session):
    client, csrf, _, event, _ = board
    response = client.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf})
    order = session.scalar(select(Order))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/flash/done/{order.id}")


def test_the_confirmation_page_is_for_the_members_own_flash_orders(board, session, app):
    client, csrf, _, event, _ = board
    plain = factories.gift(session, name="Plain")
    session.commit()
    client.post(
        f"/gifts/{plain.id}/redeem", data={"csrf_token": csrf, "qty": "1", "request_key": "p"}
    )
    shelf_order = session.scalar(select(Order))
    assert shelf_order.flash_event_id is None
    client.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf})
    flash_order = session.scalar(select(Order).where(Order.flash_event_id == event.id))
    assert client.get(f"/flash/done/{shelf_order.id}").status_code == 404
    assert client.get("/flash/done/999999").status_code == 404
    stranger = app.test_client()
    assert client.get(f"/flash/done/{flash_order.id}").status_code == 200
    assert stranger.get(f"/flash/done/{flash_order.id}").status_code in (302, 303)


def test_a_remembered_counter_that_closed_sends_the_order_to_the_first_open_one(
    board, session, member_user
):
    client, csrf, stores, event, _ = board
    session.get(Member, member_user.id).pickup_store_id = stores[1].id
    stores[1].closed_at = utcnow()
    session.commit()
    assert client.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf}).status_code == 303
    assert session.scalar(select(Order)).store_id == stores[0].id


def test_a_win_loads_the_event_gift_and_counter_in_one_statement_held_to_the_answer(board):
    """With nothing of the catalogue held by the session (as in a server's fresh request), the
    attempt reads the event, its gift and the counter in the one statement under the lock, and
    the session keeps them to the end: no entity is loaded again, before or after the win."""
    from app.extensions import db
    from tests.integration.test_query_budgets import counting

    client, csrf, stores, event, _ = board
    names, url = (stores[0].name, event.gift.name), f"/flash/{event.id}/redeem"
    db.session.commit()
    db.session.expunge_all()
    with counting() as sent:
        response = client.post(url, headers={**HX, "X-CSRFToken": csrf})
    body = response.get_data(as_text=True)
    assert "You got it!" in body and all(name in body for name in names)
    loads = [s for s in sent if s.startswith(("SELECT gifts.", "SELECT stores.", "SELECT flash_"))]
    assert len(loads) == 2, loads  # the gate's decision, then the read under the lock
