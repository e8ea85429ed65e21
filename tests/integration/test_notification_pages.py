"""The notification centre, its settings form, the header's unread badge and "notify me"."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import GiftSubscription, Notification, NotificationPreference
from app.services.accounts import accounts
from app.services.notify.outbox import Draft, enqueue
from app.timeutil import utcnow
from tests import factories
from tests.integration.test_query_budgets import statements

HX = {"HX-Request": "true"}
UNREAD = re.compile(r'data-testid="unread-count">(\d+)<')


def unread(html: str) -> int | None:
    """The header's unread count (None when the badge is absent)."""
    found = UNREAD.findall(html)
    assert len(found) <= 1
    return int(found[0]) if found else None


def tell(session, member, *drafts: tuple) -> None:
    """Make notifications for the member: (kind, subject, params) each."""
    enqueue(session, [Draft(member.id, k, s, "x", p) for k, s, p in drafts], utcnow())
    session.commit()


EXPIRING = ("points_expiring", "points:2026-12-31", {"points": 40, "day": "2026-12-31", "days": 7})
TIER = ("tier_up", "tier:1", {"tier": "silver"})


@pytest.fixture
def member_client(client, login_as, member_user, session):
    """A client logged in as member_user with a gift in the mall; (client, csrf, member, gift)."""
    gift = factories.gift(session, name="Serum")
    session.commit()
    return client, login_as("13700009999"), member_user, gift


def test_the_badge_counts_unread_on_every_member_page_and_only_for_its_member(
    member_client, session, app
):
    client, _, member, gift = member_client
    tell(session, member, EXPIRING, TIER)
    pages = ("/", "/?kind=physical", f"/gifts/{gift.id}", "/flash", "/me", "/me/points", "/orders")
    for path in pages:
        assert unread(client.get(path).get_data(as_text=True)) == 2, path
    accounts.create_member(session, "13700001111", "secret123", now=utcnow())
    session.commit()
    other = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', other.get("/login").text).group(1)
    other.post("/login", data={"identifier": "13700001111", "password": "secret123",
                               "csrf_token": token})  # fmt: skip
    for path in pages:  # the same kept pages, filled for this member: no badge
        html = other.get(path).get_data(as_text=True)
        assert 'class="bell"' in html and unread(html) is None, path
    assert 'class="bell"' not in app.test_client().get("/").text  # visitors have no bell


def test_the_badge_costs_no_statement(member_client, session):
    client, _, member, gift = member_client
    paths = ("/", f"/gifts/{gift.id}", "/me", "/flash")
    for path in paths:
        client.get(path)
    before = {p: len(statements(client, p)) for p in paths}
    tell(session, member, EXPIRING)
    for path in paths:
        client.get(path)
    assert {p: len(statements(client, p)) for p in paths} == before


def test_the_centre_lists_links_and_opening_it_clears_the_badge(member_client, session):
    client, _, member, _ = member_client
    client.set_cookie("lang", "en")
    tell(session, member, EXPIRING, TIER)
    html = client.get("/me/notifications").get_data(as_text=True)
    assert html.count('data-testid="notification"') == 2
    assert "40 points expire after" in html and 'href="/me/points"' in html
    assert "Welcome to" in html and 'href="/me"' in html
    assert unread(html) is None  # opening it read them
    assert session.scalar(select(func.count()).where(Notification.read_at.is_(None))) == 0
    assert unread(client.get("/").get_data(as_text=True)) is None
    fragment = client.get("/me/notifications", headers=HX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.count('data-testid="notification"') == 2
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_centre_is_linked_from_me_and_has_an_empty_state(member_client):
    client, _, _, _ = member_client
    assert 'href="/me/notifications"' in client.get("/me").get_data(as_text=True)
    html = client.get("/me/notifications").get_data(as_text=True)
    assert 'data-testid="notification"' not in html and 'class="empty"' in html


def test_the_centre_needs_a_member(client):
    response = client.get("/me/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_settings_form_saves_without_javascript(member_client, session):
    client, csrf, member, _ = member_client
    html = client.get("/me/notifications/settings").get_data(as_text=True)
    assert re.search(r'name="service" value="app_sms" checked', html)
    assert re.search(r'name="marketing" value="app" checked', html)
    data = {"csrf_token": csrf, "service": "app", "marketing": "off"}
    response = client.post("/me/notifications/settings", data=data)
    assert response.status_code == 303
    row = session.get(NotificationPreference, member.id)
    assert (row.service, row.marketing) == ("app", "off")
    html = client.get("/me/notifications/settings").get_data(as_text=True)
    assert re.search(r'name="marketing" value="off" checked', html)


def test_settings_by_htmx_answer_the_form_fragment(member_client, session):
    client, csrf, member, _ = member_client
    response = client.post(
        "/me/notifications/settings",
        data={"service": "app_sms", "marketing": "app_sms"},
        headers={**HX, "X-CSRFToken": csrf},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="prefs"' in body
    assert 'role="status"' in body and "HX-Request" in response.headers["Vary"]
    assert session.get(NotificationPreference, member.id).marketing == "app_sms"


@pytest.mark.parametrize(
    "data",
    [
        {"service": "off", "marketing": "app"},  # service messages cannot be turned off
        {"service": "app", "marketing": "loud"},
        {"service": "app"},
        {},
    ],
)
def test_bad_settings_are_refused_with_a_message_and_write_nothing(member_client, session, data):
    client, csrf, member, _ = member_client
    response = client.post("/me/notifications/settings", data={**data, "csrf_token": csrf})
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.get(NotificationPreference, member.id) is None


def test_settings_without_csrf_are_refused(member_client, session):
    client, _, member, _ = member_client
    data = {"service": "app", "marketing": "off"}
    response = client.post("/me/notifications/settings", data=data)
    assert response.status_code == 400
    assert session.get(NotificationPreference, member.id) is None


def _sold_out(session):
    gift = factories.gift(session, name="Mask", stock=0)
    session.commit()
    return gift


def test_notify_me_on_a_sold_out_gift_without_javascript(member_client, session):
    client, csrf, member, _ = member_client
    gift = _sold_out(session)
    html = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert 'data-testid="notify-me"' in html
    response = client.post(f"/gifts/{gift.id}/notify-me", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == f"/gifts/{gift.id}"
    sub = session.scalar(select(GiftSubscription))
    assert (sub.member_id, sub.gift_id, sub.reason) == (member.id, gift.id, "back_in_stock")
    html = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert 'data-testid="notify-me"' not in html and 'id="notify-me"' in html


def test_notify_me_by_htmx_on_an_upcoming_gift(member_client, session):
    client, csrf, _, _ = member_client
    gift = factories.gift(session, name="Palette", listed_at=utcnow() + timedelta(days=2))
    session.commit()
    assert 'data-testid="notify-me"' in client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    response = client.post(f"/gifts/{gift.id}/notify-me", headers={**HX, "X-CSRFToken": csrf})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'role="status"' in body
    assert session.scalar(select(GiftSubscription.reason)) == "on_sale"


def test_notify_me_is_refused_on_a_gift_on_sale_and_without_csrf(member_client, session):
    client, csrf, _, gift = member_client
    assert 'data-testid="notify-me"' not in client.get(f"/gifts/{gift.id}").text
    response = client.post(f"/gifts/{gift.id}/notify-me", headers={**HX, "X-CSRFToken": csrf})
    assert response.status_code == 422 and 'data-testid="form-error"' in response.text
    sold_out = _sold_out(session)
    assert client.post(f"/gifts/{sold_out.id}/notify-me").status_code == 400
    assert client.post("/gifts/999999/notify-me", data={"csrf_token": csrf}).status_code == 404
    assert session.scalar(select(func.count()).select_from(GiftSubscription)) == 0


def test_visitors_see_no_notify_me_button(client, session):
    gift = _sold_out(session)
    assert 'data-testid="notify-me"' not in client.get(f"/gifts/{gift.id}").text
