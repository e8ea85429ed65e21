"""Registration, login, throttling, roles, CSRF and security headers."""

import pytest
from sqlalchemy import func, select

from app.models import Member, PointTransaction, Store, User
from app.services.accounts import accounts
from app.services.points import balances
from app.timeutil import utcnow
from tests import sms
from tests.conftest import csrf_from


def token(client, url="/"):
    return csrf_from(client.get(url).get_data(as_text=True))


def register(client, phone="13912345678", password="goodpass1", confirm=None, ref="", code=None):
    """Ask for the SMS code (read back from the sandbox outbox), then post the registration."""
    code = code or sms.code_for(client, phone) or "000000"  # no code for an invalid number
    return client.post(
        "/register",
        data={
            "phone": phone,
            "sms_code": code,
            "password": password,
            "confirm": confirm or password,
            "referral_code": ref,
            "csrf_token": token(client),
        },
    )


def test_register_creates_a_member_with_the_welcome_points(client, session):
    response = register(client)
    assert response.status_code == 303 and response.headers["Location"] == "/me"
    member = session.scalar(select(Member).join(User).where(User.phone == "13912345678"))
    assert member.tier.code == "base" and len(member.member_no) == 8
    assert balances.balance(session, member.id, utcnow()) == 100
    assert "argon2id" in member.user.password_hash


@pytest.mark.parametrize(
    ("phone", "password", "confirm", "ref", "message"),
    [
        ("12345", "goodpass1", None, "", "11-digit"),
        ("12912345678", "goodpass1", None, "", "11-digit"),
        ("13912345678", "short", None, "", "8 to 128"),
        ("13912345678", "goodpass1", "different1", "", "differ"),
        ("13912345678", "goodpass1", None, "NOPE99", "referral code"),
    ],
)
def test_bad_registrations_say_why_and_write_nothing(
    client, session, phone, password, confirm, ref, message
):
    client.set_cookie("lang", "en")
    response = register(client, phone, password, confirm, ref)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="form-error"' in html and message in html
    assert session.scalar(select(func.count(User.id))) == 0


def test_duplicate_phone_is_refused(app, client, session):
    app.config["SMS_RESEND_SECONDS"] = 0  # a second code at once (the pause has its own tests)
    register(client)
    client.post("/logout", data={"csrf_token": token(client)})
    client.set_cookie("lang", "en")
    # The code step answers as for any number; the owner's phone is told it is already a member.
    assert sms.ask_code(client, "13912345678").status_code == 303
    assert sms.last_code(client, "13912345678") is None
    assert "already has a membership" in sms.outbox(client, "13912345678")[0]["text"]
    response = register(client, code="123456")  # a guess: no code was sent to be known
    assert response.status_code == 422 and "Wrong code" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(User.id))) == 1


def test_a_valid_code_for_a_number_registered_meanwhile_is_refused(client, session, make_member):
    client.set_cookie("lang", "en")
    code = sms.code_for(client, "13912345678")
    make_member("13912345678")  # e.g. joined at a counter while the code was on its way
    session.commit()
    response = register(client, code=code)
    assert response.status_code == 422 and "already registered" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(User.id))) == 1
    assert session.scalar(select(func.count(PointTransaction.id))) == 0


def test_referral_code_links_the_referrer(client, session, make_member):
    referrer = make_member()
    session.commit()
    register(client, ref=referrer.referral_code.lower())
    member = session.scalar(select(Member).join(User).where(User.phone == "13912345678"))
    assert member.referred_by_id == referrer.id


def test_login_by_phone_and_by_staff_id(client, session, member_user, now):
    store = Store(code="SH001", name="Shanghai")
    session.add(
        User(
            role="advisor",
            staff_id="A0001",
            store=store,
            password_hash=accounts.hash_password("secret123"),
        )
    )
    session.commit()
    for identifier, home in (("13700009999", "/me"), ("A0001", "/counter/")):
        response = client.post(
            "/login",
            data={"identifier": identifier, "password": "secret123", "csrf_token": token(client)},
        )
        assert response.status_code == 303 and response.headers["Location"] == home
        client.post("/logout", data={"csrf_token": token(client)})


def test_wrong_password_then_throttle(client, session, member_user):
    client.set_cookie("lang", "en")
    for _ in range(10):
        response = client.post(
            "/login",
            data={"identifier": "13700009999", "password": "wrong", "csrf_token": token(client)},
        )
        assert "Wrong phone number" in response.get_data(as_text=True)
    response = client.post(
        "/login",
        data={"identifier": "13700009999", "password": "secret123", "csrf_token": token(client)},
    )
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(
        as_text=True
    )
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/me/points", "/me/points"),
        ("https://evil.example/x", "/me"),
        ("//evil.example", "/me"),
        ("/\\evil.example", "/me"),
    ],
)
def test_next_redirects_only_to_this_site(client, member_user, target, expected):
    response = client.post(
        "/login?next=" + target,
        data={"identifier": "13700009999", "password": "secret123", "csrf_token": token(client)},
    )
    assert response.headers["Location"] == expected


def test_posts_without_csrf_are_rejected_and_write_nothing(client, session):
    response = client.post(
        "/register", data={"phone": "13912345678", "password": "goodpass1", "confirm": "goodpass1"}
    )
    assert response.status_code == 400
    assert session.scalar(select(func.count(User.id))) == 0


def test_roles_guard_the_homes(client, login_as, member_user):
    assert client.get("/me").status_code == 302
    login_as("13700009999")
    assert client.get("/counter/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "<script>" not in response.get_data(as_text=True)


def test_staff_session_times_out_after_30_idle_minutes(client, session, app):
    store = Store(code="SH001", name="Shanghai")
    session.add(
        User(
            role="advisor",
            staff_id="A0001",
            store=store,
            password_hash=accounts.hash_password("secret123"),
        )
    )
    session.commit()
    client.post(
        "/login", data={"identifier": "A0001", "password": "secret123", "csrf_token": token(client)}
    )
    assert client.get("/counter/").status_code == 200
    with client.session_transaction() as s:
        s["seen_at"] -= 31 * 60
    response = client.get("/counter/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_no_points_written_on_a_failed_registration(client, session):
    register(client, phone="bad")
    assert session.scalar(select(func.count(PointTransaction.id))) == 0


def test_staff_session_ends_after_12_hours_even_when_active(client, session):
    store = Store(code="SH001", name="Shanghai")
    session.add(
        User(role="operator", staff_id="admin", password_hash=accounts.hash_password("secret123"))
    )
    session.add(store)
    session.commit()
    client.post(
        "/login", data={"identifier": "admin", "password": "secret123", "csrf_token": token(client)}
    )
    with client.session_transaction() as s:
        s["login_at"] -= 12 * 3600 + 1
    assert client.get("/admin/").status_code == 302


def test_member_sessions_are_not_cut_after_30_minutes(client, login_as, member_user):
    login_as("13700009999")
    with client.session_transaction() as s:
        s["seen_at"] -= 2 * 3600
        s["login_at"] -= 13 * 3600
    assert client.get("/me").status_code == 200


def test_failed_htmx_login_returns_the_form_fragment(client, member_user):
    client.set_cookie("lang", "en")
    response = client.post(
        "/login",
        data={"identifier": "13700009999", "password": "nope", "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert 'id="login-form"' in html and 'data-testid="form-error"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_language_cookie_switches_the_interface(client):
    response = client.post(
        "/lang", data={"lang": "en", "next": "/login", "csrf_token": token(client)}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.post(
        "/lang", data={"lang": "xx", "next": "https://evil.example", "csrf_token": token(client)}
    )
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
