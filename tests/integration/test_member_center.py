"""The member center: /me, sign-in by htmx, profile, history paging, the counter code."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import SignIn
from app.services.counter import member_code
from app.services.points import balances, ledger
from app.timeutil import utcnow

HX = {"HX-Request": "true"}


@pytest.fixture
def member_client(client, login_as, member_user):
    """A client logged in as member_user; yields (client, csrf token, member)."""
    return client, login_as("13700009999"), member_user


def test_me_shows_balance_tier_progress_and_expiring(member_client, session):
    client, _, member = member_client
    ledger.credit(session, member.id, "signin", 40, "soon", now=utcnow() - timedelta(days=80))
    ledger.credit(session, member.id, "purchase", 1_200, "p", now=utcnow())
    session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert 'data-testid="points-balance"' in html and "1,240" in html
    assert 'data-testid="tier-name"' in html and 'data-testid="tier-progress"' in html
    assert 'data-testid="expiring-points">40<' in html
    assert html.count('data-testid="points-balance"') == 1


def test_sign_in_by_htmx_returns_the_fragment_and_fires_points_changed(member_client, session):
    client, csrf, member = member_client
    response = client.post("/me/signin", headers={**HX, "X-CSRFToken": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="signin"' in html
    assert response.headers["HX-Trigger"] == "points-changed"
    assert "HX-Request" in response.headers["Vary"]
    again = client.post("/me/signin", headers={**HX, "X-CSRFToken": csrf})
    assert again.status_code == 200
    assert session.scalar(select(func.count(SignIn.id))) == 1
    assert balances.balance(session, member.id, utcnow()) == 5


def test_sign_in_without_javascript_redirects(member_client):
    client, csrf, _ = member_client
    response = client.post("/me/signin", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/me"


def test_sign_in_without_csrf_writes_nothing(member_client, session):
    client, _, _ = member_client
    assert client.post("/me/signin", headers=HX).status_code == 400
    assert session.scalar(select(func.count(SignIn.id))) == 0


def test_balance_fragment_is_just_the_digits(member_client, session):
    client, _, member = member_client
    ledger.credit(session, member.id, "purchase", 12_345, "p", now=utcnow())
    session.commit()
    response = client.get("/me/balance", headers=HX)
    assert response.get_data(as_text=True).strip() == "12,345"
    assert "HX-Request" in response.headers["Vary"]


def test_profile_errors_are_shown_in_place(member_client, session):
    client, csrf, member = member_client
    client.set_cookie("lang", "en")
    response = client.post(
        "/me/profile", data={"name": "", "birthday": ""}, headers={**HX, "X-CSRFToken": csrf}
    )
    assert response.status_code == 422 and 'data-testid="form-error"' in response.get_data(
        as_text=True
    )
    ok = client.post(
        "/me/profile",
        data={"name": "Lin", "birthday": "1995-06-20"},
        headers={**HX, "X-CSRFToken": csrf},
    )
    assert ok.headers["HX-Trigger"] == "points-changed"
    assert "+50" in ok.get_data(as_text=True)
    assert balances.balance(session, member.id, utcnow()) == 50


def test_history_filters_and_pages(member_client, session):
    client, _, member = member_client
    now = utcnow()
    for i in range(25):
        ledger.credit(session, member.id, "purchase", 10, f"p{i}", now=now - timedelta(minutes=i))
    ledger.debit(session, member.id, 7, "spend", now=now)
    session.commit()
    client.set_cookie("lang", "en")
    first = client.get("/me/points").get_data(as_text=True)
    assert first.count('class="history-row"') == 20 and "Load more" in first
    second = client.get("/me/points?page=2", headers=HX)
    assert "<html" not in second.get_data(as_text=True)
    assert second.get_data(as_text=True).count('class="history-row"') == 6
    spent = client.get("/me/points?filter=spent").get_data(as_text=True)
    assert spent.count('class="history-row"') == 1 and "-7" in spent
    assert "usable until" in client.get("/me/points?filter=earned").get_data(as_text=True)


def test_member_code_page_and_its_window(member_client, session, app):
    client, _, member = member_client
    html = client.get("/me/code").get_data(as_text=True)
    now = utcnow()
    assert 'data-testid="member-code"' in html and "<svg" in html
    code = member_code.code_for(member, now)
    assert member_code.resolve(session, code, now).id == member.id
    one_minute_ago = member_code.code_for(member, now - timedelta(seconds=60))
    assert member_code.resolve(session, one_minute_ago, now).id == member.id
    three_minutes_ago = member_code.code_for(member, now - timedelta(seconds=180))
    assert member_code.resolve(session, three_minutes_ago, now) is None
    assert member_code.resolve(session, code[:-1] + str((int(code[-1]) + 1) % 10), now) is None
    assert member_code.resolve(session, "12", now) is None


def test_another_members_pages_are_not_reachable(
    client, login_as, member_user, make_member, session
):
    other = make_member()
    ledger.credit(session, other.id, "purchase", 999, "other", now=utcnow())
    session.commit()
    login_as("13700009999")
    assert "999" not in client.get("/me/points").get_data(as_text=True)
