"""Sessions live on the server: logout, a disabled account and "sign out elsewhere" end them at
once (a copied cookie stops working), logout forgets everything, and private pages are never cached.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import UserSession
from app.services.accounts import accounts, sessions
from app.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English pages (zh_Hans is the default)."""
    client.set_cookie("lang", "en")


PRIVATE = "private, no-store"


@pytest.fixture
def advisor_user(session):
    """Advisor A0001 at SH001 who can log in with secret123."""
    user = factories.advisor(session)
    user.password_hash = accounts.hash_password("secret123")
    session.commit()
    return user


def log_in(client, identifier: str, password: str = "secret123") -> str:
    """Log in through the form; returns a CSRF token for the next post."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"identifier": identifier, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    home = "/me" if identifier[0].isdigit() else "/counter/"
    return csrf_from(client.get(home).get_data(as_text=True))


def cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, value: str):
    """A second browser holding a copy of `value` as its session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


@pytest.mark.parametrize(("identifier", "home"), [("13700009999", "/me"), ("A0001", "/counter/")])
def test_a_cookie_copied_before_logout_is_refused_after_it(
    app, client, member_user, advisor_user, identifier, home
):
    token = log_in(client, identifier)
    copied = cookie(client)
    assert replay(app, copied).get(home).status_code == 200  # the copy works while signed in
    client.post("/logout", data={"csrf_token": token})
    response = replay(app, copied).get(home)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    htmx = replay(app, copied).get(home, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/login")


def test_logout_closes_only_this_browsers_session(app, client, session, member_user):
    token = log_in(client, "13700009999")
    phone = app.test_client()
    log_in(phone, "13700009999")
    client.post("/logout", data={"csrf_token": token})
    assert phone.get("/me").status_code == 200
    assert session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_logout_forgets_the_counter_card_and_everything_else(client, member_user, advisor_user):
    token = log_in(client, "A0001")
    client.post("/counter/lookup", data={"query": "13700009999", "csrf_token": token})
    assert "137****9999" in client.get("/counter/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    with client.session_transaction() as kept:
        assert "counter_member" not in kept and "_user_id" not in kept
    log_in(client, "A0001")
    assert "137****9999" not in client.get("/counter/").get_data(as_text=True)


def test_disabling_an_account_logs_it_out_at_once_and_keeps_it_out(client, session, member_user):
    log_in(client, "13700009999")
    member_user.user.active = False
    session.commit()
    response = client.get("/me")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with client.session_transaction() as kept:  # the stale session is forgotten, not just ignored
        assert "_user_id" not in kept and "sid" not in kept
    token = csrf_from(client.get("/login").get_data(as_text=True))
    refused = client.post(
        "/login", data={"identifier": "13700009999", "password": "secret123", "csrf_token": token}
    )
    assert refused.status_code == 422


def test_ending_every_session_logs_out_every_browser(app, client, session, advisor_user):
    """What a password reset and the console's "disable" call."""
    log_in(client, "A0001")
    tablet = app.test_client()
    log_in(tablet, "A0001")
    assert accounts.end_sessions(session, advisor_user) == 2
    session.commit()
    assert client.get("/counter/").status_code == 302
    assert tablet.get("/counter/").status_code == 302


def test_sign_out_on_all_other_devices(app, client, member_user):
    token = log_in(client, "13700009999")
    stolen = app.test_client()
    log_in(stolen, "13700009999")
    response = client.post("/me/sessions/end-others", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Signed out on every other device" in client.get(response.headers["Location"]).text
    assert stolen.get("/me").status_code == 302
    assert client.get("/me").status_code == 200
    fragment = client.post(
        "/me/sessions/end-others", data={"csrf_token": token}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'id="sessions"' in fragment and "<html" not in fragment


def test_sign_out_elsewhere_needs_the_csrf_token(app, client, member_user):
    log_in(client, "13700009999")
    other = app.test_client()
    log_in(other, "13700009999")
    assert client.post("/me/sessions/end-others").status_code == 400
    assert other.get("/me").status_code == 200


def test_a_new_login_keeps_at_most_ten_sessions_per_account(session, member_user):
    now = utcnow()
    ids = [
        sessions.open_session(session, member_user.user, now=now + timedelta(seconds=n))
        for n in range(12)
    ]
    kept = set(session.scalars(select(UserSession.id)))
    assert len(kept) == sessions.MAX_PER_USER and ids[-1] in kept


def test_end_sessions_can_keep_the_callers_own(session, member_user):
    now = utcnow()
    mine, *others = [sessions.open_session(session, member_user.user, now=now) for _ in range(3)]
    assert accounts.end_sessions(session, member_user.user, keep=mine) == 2
    assert list(session.scalars(select(UserSession.id))) == [mine]


@pytest.mark.parametrize("path", ["/me", "/me/points", "/me/code", "/", "/orders"])
def test_pages_for_a_signed_in_member_are_never_cached(client, member_user, path):
    log_in(client, "13700009999")
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == PRIVATE


def test_staff_pages_and_the_login_form_are_never_cached(client, advisor_user):
    assert client.get("/login").headers["Cache-Control"] == PRIVATE
    log_in(client, "A0001")
    assert client.get("/counter/").headers["Cache-Control"] == PRIVATE


def test_visitors_catalogue_and_static_files_keep_their_caching(client, member_user):
    assert "Cache-Control" not in client.get("/").headers
    log_in(client, "13700009999")
    html = client.get("/").get_data(as_text=True)
    css = next(part.split('"')[0] for part in html.split('href="')[1:] if ".css?v=" in part)
    with client.get(css) as response:
        assert "max-age=" in response.headers["Cache-Control"]


def test_the_prune_job_deletes_sessions_past_their_lifetime(app, session, member_user):
    from datetime import timedelta

    from sqlalchemy import select

    from app.jobs import periods, scheduler
    from app.jobs.registry import JOBS
    from app.models import UserSession
    from app.services.accounts import sessions
    from app.timeutil import utcnow

    now, lifetime = utcnow(), app.permanent_session_lifetime
    old = sessions.open_session(session, member_user.user, now=now - lifetime - timedelta(hours=1))
    fresh = sessions.open_session(
        session, member_user.user, now=now - lifetime + timedelta(hours=1)
    )
    session.commit()
    run = scheduler.run_period(session, JOBS["prune"], periods.start_of("daily", now), lambda: now)
    assert run.error is None and run.rows >= 1
    left = set(
        session.scalars(select(UserSession.id).where(UserSession.user_id == member_user.user.id))
    )
    assert old not in left and fresh in left


def test_the_session_cookie_lasts_as_long_as_a_member_may_stay_idle(app, client, member_user):
    """30 days (MEMBER_IDLE_DAYS), not Flask's 31: the cookie and the idle limit agree."""
    before = utcnow()
    log_in(client, "13700009999")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert app.permanent_session_lifetime == timedelta(days=app.config["MEMBER_IDLE_DAYS"])
    assert app.permanent_session_lifetime == timedelta(days=30)
    lasts = cookie.expires - before
    assert timedelta(days=30) - timedelta(seconds=5) <= lasts <= timedelta(days=30, minutes=1)
