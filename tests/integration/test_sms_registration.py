"""SMS codes: register and reset a password only with a code sent to the phone, within limits."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.auth import sms_routes
from app.extensions import db
from app.models import Member, PointTransaction, SmsMessage, User, VerificationCode
from app.services.accounts import accounts, verification
from app.services.accounts import sms as sms_service
from app.services.points import balances
from app.timeutil import utcnow
from tests import sms
from tests.concurrency import race
from tests.conftest import csrf_from

PHONE = "13912345678"
PASSWORD = "goodpass1"


class Clock:
    """The time the SMS views see: the start of today (UTC), so no window ends mid-test."""

    def __init__(self):
        self.now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)

    def advance(self, **delta) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves; the SMS views and services read it."""
    moving = Clock()
    monkeypatch.setattr(sms_routes, "utcnow", lambda: moving.now)
    return moving


@pytest.fixture
def english(client):
    """The interface in English, so messages can be asserted."""
    client.set_cookie("lang", "en")


def _token(client, url="/register") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def _register(client, code, phone=PHONE, ref=""):
    data = {"phone": phone, "sms_code": code, "password": PASSWORD, "confirm": PASSWORD}
    data |= {"referral_code": ref, "csrf_token": _token(client)}
    return client.post("/register", data=data)


def _forgot(client, code, phone, password="newpass99"):
    data = {"phone": phone, "sms_code": code, "password": password, "confirm": password}
    return client.post("/forgot", data=data | {"csrf_token": _token(client, "/forgot")})


def _login(client, phone, password):
    data = {"identifier": phone, "password": password, "csrf_token": _token(client, "/login")}
    return client.post("/login", data=data)


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _nothing_written(session) -> bool:
    return _count(session, User) == 0 and _count(session, PointTransaction) == 0


def _row(session, phone=PHONE, purpose="register") -> VerificationCode:
    session.expire_all()
    return session.scalar(
        select(VerificationCode).where(
            VerificationCode.phone == phone, VerificationCode.purpose == purpose
        )
    )


def test_register_with_the_code_from_the_outbox(client, session, clock, english):
    response = sms.ask_code(client, PHONE)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/register?phone={PHONE}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We sent a text message to 139****5678" in page and f'value="{PHONE}"' in page
    [message] = sms.outbox(client, PHONE)
    assert set(message) == {"to", "text", "code", "sent_at"} and message["to"] == PHONE
    assert re.fullmatch(r"[0-9]{6}", message["code"]) and message["code"] in message["text"]
    assert _nothing_written(session)  # a code alone creates nothing
    response = _register(client, message["code"])
    assert response.status_code == 303 and response.headers["Location"] == "/me"
    member = session.scalar(select(Member).join(User).where(User.phone == PHONE))
    assert balances.balance(session, member.id, clock.now) == 100
    assert _row(session).used_at is not None
    client.post("/logout", data={"csrf_token": _token(client, "/")})
    assert "No valid code" in _register(client, message["code"]).get_data(as_text=True)


def test_the_code_is_stored_only_as_a_keyed_hash(client, session, clock):
    code = sms.code_for(client, PHONE)
    row = _row(session)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5) and row.attempts == 0
    secret = client.application.config["SECRET_KEY"]
    ticket = verification.Ticket(row.id, row.code_hash, 1)
    rules = verification.Policy()
    verification.verify(ticket, PHONE, "register", code, policy=rules, secret=secret)
    with pytest.raises(verification.VerificationError):  # another key: another hash
        verification.verify(ticket, PHONE, "register", code, policy=rules, secret="other")


def test_a_wrong_code_writes_nothing_but_counts_the_attempt(client, session, clock, english):
    code = sms.code_for(client, PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = _register(client, wrong)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in html
    assert "Wrong code. 4 tries left." in html
    assert _nothing_written(session) and _row(session).attempts == 1
    assert _register(client, code).status_code == 303  # the right code still works


def test_five_wrong_tries_kill_the_code(client, session, clock, english):
    code = sms.code_for(client, PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in ("4 tries", "3 tries", "2 tries", "1 try"):
        assert f"Wrong code. {left} left." in _register(client, wrong).get_data(as_text=True)
    assert "last try" in _register(client, wrong).get_data(as_text=True)
    response = _register(client, code)  # even the right code: it is dead
    assert response.status_code == 422
    assert "Too many wrong tries" in response.get_data(as_text=True)
    assert _nothing_written(session) and _row(session).attempts == 5


@pytest.mark.parametrize(("seconds", "works"), [(299, True), (300, False)])
def test_a_code_expires_after_5_minutes(client, session, clock, english, seconds, works):
    code = sms.code_for(client, PHONE)
    clock.advance(seconds=seconds)
    response = _register(client, code)
    if works:
        assert response.status_code == 303
    else:
        assert response.status_code == 422 and "expired" in response.get_data(as_text=True)
        assert _nothing_written(session)


def test_a_code_for_the_other_purpose_is_refused(client, session, clock, english, make_member):
    make_member("13800000000").user.password_hash = accounts.hash_password("secret123")
    session.commit()
    reset_code = sms.code_for(client, "13800000000", "reset")
    assert reset_code is not None
    response = _register(client, reset_code, phone="13800000000")
    assert response.status_code == 422 and "No valid code" in response.get_data(as_text=True)
    register_code = sms.code_for(client, PHONE, "register")
    response = _forgot(client, register_code, PHONE)
    assert response.status_code == 422 and "No valid code" in response.get_data(as_text=True)
    assert _count(session, User) == 1 and _count(session, PointTransaction) == 0
    assert _login(client, "13800000000", "secret123").status_code == 303


def test_a_new_code_waits_60_seconds_and_replaces_the_last(client, session, clock, english):
    first = sms.code_for(client, PHONE)
    clock.advance(seconds=30)
    response = sms.ask_code(client, PHONE)
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert "ask for a new one in 30 seconds" in response.get_data(as_text=True)
    assert len(sms.outbox(client, PHONE)) == 1  # nothing sent
    clock.advance(seconds=30)
    second = sms.code_for(client, PHONE)
    assert len(sms.outbox(client, PHONE)) == 2 and _row(session).attempts == 0
    if first != second:
        assert _register(client, first).status_code == 422
    assert _register(client, second).status_code == 303


def test_code_requests_per_phone_are_limited_per_hour_and_per_day(client, session, clock, english):
    for _hour in range(2):
        for _ in range(5):
            assert sms.ask_code(client, PHONE).status_code == 303
            clock.advance(seconds=61)
        response = sms.ask_code(client, PHONE)
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and "Too many codes asked for" in html
        assert 'data-testid="form-error"' in html and f'value="{PHONE}"' in html
        assert int(response.headers["Retry-After"]) == 3600 - 5 * 61
        clock.advance(hours=1, seconds=-5 * 61)
    response = sms.ask_code(client, PHONE)  # a fresh hour, but 10 codes today already
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 22 * 3600
    assert "Try again in 22 hours" in response.get_data(as_text=True)
    assert len(sms.outbox(client, PHONE)) == 10


def test_code_requests_per_address_are_limited(client, app, session, clock):
    for n in range(20):
        assert sms.ask_code(client, f"1391234{n:04d}").status_code == 303
    response = sms.ask_code(client, "13912349999")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) == 3600
    assert sms.outbox(client, "13912349999") == []
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert sms.ask_code(other, "13912349999").status_code == 303


def test_registrations_per_address_are_limited(client, app, session, clock, english):
    app.config["REGISTER_PER_IP_HOUR"] = 2
    for n in range(2):
        assert (
            _register(client, sms.code_for(client, f"1391234000{n}"), f"1391234000{n}").status_code
            == 303
        )
        client.post("/logout", data={"csrf_token": _token(client, "/")})
    code = sms.code_for(client, "13912340009")
    response = _register(client, code, "13912340009")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) == 3600
    assert "Too many new accounts" in response.get_data(as_text=True)
    assert _count(session, User) == 2 and _row(session, "13912340009").used_at is None


def test_the_code_request_does_not_tell_whether_a_number_is_registered(
    client, session, clock, english, make_member
):
    make_member("13800000000")
    session.commit()
    answers = {}
    for purpose in ("register", "reset"):
        for phone in ("13800000000", "13800000009"):
            response = sms.ask_code(client, phone, purpose)
            page = client.get(response.headers["Location"]).get_data(as_text=True)
            notice = re.search(r'class="notice" role="status">([^<]*)<', page).group(1)
            answers[purpose, phone] = (response.status_code, notice.replace(phone[-4:], "…"))
            assert len(sms.outbox(client, phone)) == (1 if purpose == "register" else 2)
        assert answers[purpose, "13800000000"] == answers[purpose, "13800000009"]
        clock.advance(seconds=61)
    # the owner's phone learns the truth: codes only where they can be used
    assert sms.last_code(client, "13800000000") is not None  # reset, registered
    assert sms.last_code(client, "13800000009") is None  # reset, unknown: a notice
    assert sms.outbox(client, "13800000000")[1]["code"] is None  # register, registered
    assert _count(session, User) == 1


def test_forgot_resets_the_password_and_ends_every_session(app, client, session, clock, english):
    member = accounts.create_member(session, "13700009999", "secret123", now=clock.now)
    session.commit()
    assert _login(client, "13700009999", "secret123").status_code == 303
    assert client.get("/me").status_code == 200
    other = app.test_client()  # another browser, where the password is forgotten
    other.set_cookie("lang", "en")
    assert "Forgot password?" in other.get("/login").get_data(as_text=True)
    code = sms.code_for(other, "13700009999", "reset")
    response = _forgot(other, code, "13700009999")
    assert response.status_code == 303 and response.headers["Location"] == "/forgot"
    assert "Your password is changed" in other.get("/forgot").get_data(as_text=True)
    assert client.get("/me").status_code == 302  # the session opened before is over
    assert _login(other, "13700009999", "secret123").status_code == 422
    assert _login(other, "13700009999", "newpass99").status_code == 303
    session.refresh(member.user)
    assert accounts.check_password(member.user, "newpass99")
    assert _forgot(app.test_client(), code, "13700009999", "again1234").status_code == 422


def test_forgot_with_a_wrong_code_changes_nothing(client, session, clock, english):
    accounts.create_member(session, "13700009999", "secret123", now=clock.now)
    session.commit()
    code = sms.code_for(client, "13700009999", "reset")
    response = _forgot(client, f"{(int(code) + 1) % 10**6:06d}", "13700009999")
    assert response.status_code == 422 and "Wrong code" in response.get_data(as_text=True)
    assert _login(client, "13700009999", "secret123").status_code == 303


def test_forgot_for_an_unknown_number_answers_like_a_wrong_code(client, session, clock, english):
    assert sms.code_for(client, "13700000001", "reset") is None
    response = _forgot(client, "123456", "13700000001")
    assert response.status_code == 422 and "Wrong code. 4 tries left." in response.get_data(
        as_text=True
    )
    assert _count(session, User) == 0


@pytest.mark.parametrize("phone", ["13800000000\n", " 13800000000", "１３８００００００００"])
def test_another_spelling_of_a_registered_number_gets_no_second_account(
    client, session, clock, make_member, phone
):
    make_member("13800000000")
    session.commit()
    sms.ask_code(client, phone)
    assert all(m["code"] is None for m in sms.outbox(client, "13800000000"))
    response = _register(client, "123456", phone=phone)
    assert response.status_code == 422
    assert _count(session, User) == 1 and _count(session, PointTransaction) == 0


def test_json_answers_for_fetch(client, session, clock, english):
    token = _token(client)
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    response = client.post(
        "/sms/code", json={"phone": PHONE, "purpose": "register"}, headers=headers
    )
    assert response.status_code == 200 and response.json["sent"] is True
    assert response.json["retry_after"] == 60
    again = client.post("/sms/code", data={"phone": PHONE, "purpose": "register"}, headers=headers)
    assert again.status_code == 429 and again.headers["Retry-After"] == "60"
    assert (
        again.json["error"]["code"] == "sms_too_soon"
        and "60 seconds" in again.json["error"]["message"]
    )
    bad = client.post("/sms/code", data={"phone": "123", "purpose": "register"}, headers=headers)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid"
    bad = client.post("/sms/code", data={"phone": PHONE, "purpose": "login"}, headers=headers)
    assert bad.status_code == 422 and _count(session, SmsMessage) == 1


def test_code_requests_need_the_csrf_token(client, session, clock):
    response = client.post("/sms/code", data={"phone": PHONE, "purpose": "register"})
    assert response.status_code == 400
    assert _count(session, VerificationCode) == 0 and _count(session, SmsMessage) == 0


def test_without_the_sandbox_there_is_no_outbox(app, client, session, clock, english):
    app.config["SMS_PROVIDER"] = "gateway"
    assert client.get("/dev/outbox", query_string={"phone": PHONE}).status_code == 404
    assert client.get("/dev/outbox").status_code == 404
    response = sms.ask_code(client, PHONE)  # no gateway of that name is registered
    assert response.status_code == 503 and "could not send" in response.get_data(as_text=True)
    assert _count(session, VerificationCode) == 0
    sent = []

    class Gateway:
        def __init__(self, _session):
            pass

        def send(self, to, text):
            sent.append((to, text))

    sms_service.register_provider("gateway", Gateway)
    try:
        assert sms.ask_code(client, PHONE).status_code == 303
    finally:
        sms_service._PROVIDERS.pop("gateway")
    assert sent and sent[0][0] == PHONE and re.search(r"[0-9]{6}", sent[0][1])
    assert _count(session, SmsMessage) == 0  # a real provider keeps no copy
    assert client.get("/dev/outbox").status_code == 404


def test_the_register_page_offers_the_code_without_javascript(client):
    html = client.get("/register?phone=13912345678&ref=ABC123").get_data(as_text=True)
    form = html[html.index('id="register-form"') :]
    assert 'formaction="/sms/code"' in form and 'name="purpose" value="register"' in form
    assert 'name="sms_code"' in form and 'value="13912345678"' in form and 'value="ABC123"' in form
    assert form.index('name="phone"') < form.index("/sms/code") < form.index('name="sms_code"')


def test_the_referral_code_survives_the_code_request(client, session, clock, make_member):
    referrer = make_member()
    session.commit()
    token = _token(client)
    data = {"phone": PHONE, "purpose": "register", "next": "/register", "csrf_token": token}
    response = client.post("/sms/code", data=data | {"referral_code": referrer.referral_code})
    assert response.headers["Location"] == f"/register?phone={PHONE}&ref={referrer.referral_code}"
    assert (
        _register(client, sms.last_code(client, PHONE), ref=referrer.referral_code).status_code
        == 303
    )
    member = session.scalar(select(Member).join(User).where(User.phone == PHONE))
    assert member.referred_by_id == referrer.id


@pytest.mark.postgres
def test_parallel_guesses_get_five_tries_in_all(app, clock):
    with app.app_context():
        client = app.test_client()
        code = sms.code_for(client, PHONE)
    rules = verification.Policy()
    tickets = []

    def guess():
        tickets.append(
            verification.spend_attempt(db.session, PHONE, "register", now=clock.now, policy=rules)
        )

    race(app, [guess] * 24, workers=24)
    live = [t for t in tickets if t.id is not None]
    assert len(live) == 5 and sorted(t.attempts for t in live) == [1, 2, 3, 4, 5]
    assert code is not None


@pytest.mark.postgres
def test_parallel_code_requests_send_one_code(app, clock):
    rules, secret = verification.Policy(), app.config["SECRET_KEY"]
    issued = []

    def ask():
        try:
            issued.append(
                verification.issue(
                    db.session,
                    PHONE,
                    "register",
                    "198.51.100.7",
                    now=clock.now,
                    policy=rules,
                    secret=secret,
                )
            )
        except verification.VerificationError as exc:
            db.session.rollback()
            issued.append(exc.code)

    race(app, [ask] * 12, workers=12)
    assert sum(1 for i in issued if isinstance(i, verification.Issued)) == 1
    assert issued.count("sms_too_soon") == 11
