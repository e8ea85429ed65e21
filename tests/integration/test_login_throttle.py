"""The login throttle: counted before the password check, per (identifier, address), per address
and per identifier, so a guesser elsewhere cannot lock a real member or advisor out."""

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from app import trust_proxies
from app.blueprints.auth import routes
from app.services.accounts import accounts
from tests.conftest import csrf_from

PHONE = "13700009999"
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(autouse=True)
def clock(monkeypatch, now):
    """One instant per test: its attempts share one window, and its Redis keys are its own
    (whole suites run at once against one Redis server, so nothing is flushed)."""
    instant = now + timedelta(days=secrets.randbelow(1_000_000))
    monkeypatch.setattr(routes, "utcnow", lambda: instant)
    return instant


@pytest.fixture(autouse=True)
def _member(member_user):
    """Every test here signs in as (or fails to sign in as) 13700009999 / secret123."""


@pytest.fixture(params=["database", "redis"])
def backend(request, app):
    """The counters in the database, or in Redis when REDIS_URL is set."""
    if request.param == "redis":
        app.config["REDIS_URL"] = REDIS_TEST_URL
    yield request.param
    app.config["REDIS_URL"] = ""


@pytest.fixture
def checks(monkeypatch):
    """Counts the password checks of real accounts."""
    calls = []
    real = accounts.check_password

    def counting(user, password):
        calls.append(user.id)
        return real(user, password)

    monkeypatch.setattr(accounts, "check_password", counting)
    return calls


def attempt(client, identifier=PHONE, password="wrong-password", ip="198.51.100.7", **headers):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"identifier": identifier, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
        headers=headers,
    )


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").text)})


def test_ten_failures_refuse_the_pair_with_429_and_when_to_retry(
    client, member_user, backend, checks, clock
):
    client.set_cookie("lang", "en")
    for _ in range(10):
        assert attempt(client).status_code == 422
    refused = attempt(client, password="secret123")  # even the right password now
    assert refused.status_code == 429 and len(checks) == 10
    retry = int(refused.headers["Retry-After"])
    assert retry == 15 * 60 - (clock.minute % 15) * 60 - clock.second  # to the window's end
    assert "Try again in 15 minutes" in refused.get_data(as_text=True)
    assert 'data-testid="form-error"' in refused.get_data(as_text=True)


def test_an_attacker_elsewhere_does_not_lock_the_member_out(client, member_user, backend):
    for _ in range(30):
        attempt(client, ip="203.0.113.66")
    assert attempt(client, ip="203.0.113.66", password="secret123").status_code == 429
    assert attempt(client, ip="198.51.100.7", password="secret123").status_code == 303


def test_refused_guesses_do_not_fill_the_per_identifier_limit(app, client, member_user, backend):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_MAX_FAILURES_PER_IDENTIFIER=6)
    for _ in range(50):  # 3 real failures, then 47 refusals that must count nowhere
        attempt(client, ip="203.0.113.66")
    assert attempt(client, ip="198.51.100.7", password="secret123").status_code == 303


def test_an_attempt_refused_by_a_wider_limit_counts_nowhere(app, client, member_user, backend):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_MAX_FAILURES_PER_IP=2)
    for n in range(2):
        attempt(client, identifier=f"1390000000{n}")
    for _ in range(5):  # refused by the address's limit: the member's own count stays at 0
        assert attempt(client).status_code == 429
    app.config.update(LOGIN_MAX_FAILURES_PER_IP=100)
    assert [attempt(client).status_code for _ in range(4)] == [422, 422, 422, 429]


def test_per_address_limit_across_identifiers(app, client, member_user, backend):
    app.config.update(LOGIN_MAX_FAILURES_PER_IP=5)
    for n in range(5):
        assert attempt(client, identifier=f"1390000000{n}").status_code == 422
    assert attempt(client, identifier=PHONE, password="secret123").status_code == 429
    assert attempt(client, ip="192.0.2.1", password="secret123").status_code == 303


def test_ipv6_addresses_count_by_their_64_prefix(app, client, member_user, backend):
    app.config.update(LOGIN_MAX_FAILURES=3)
    for n in range(3):
        attempt(client, ip=f"2001:db8:1:2::{n + 1}")
    assert attempt(client, ip="2001:db8:1:2::ff", password="secret123").status_code == 429
    assert attempt(client, ip="2001:db8:1:3::1", password="secret123").status_code == 303


def test_a_distributed_attack_is_refused_and_logged(app, client, member_user, backend, caplog):
    app.config.update(LOGIN_MAX_FAILURES_PER_IDENTIFIER=6)
    with caplog.at_level(logging.WARNING, logger="app.services.accounts.accounts"):
        for n in range(6):
            assert attempt(client, ip=f"203.0.113.{n + 1}").status_code == 422
    assert "distributed attack" in caplog.text and repr(PHONE) in caplog.text
    assert attempt(client, ip="198.51.100.200", password="secret123").status_code == 429
    alerts = _alerts(app)
    assert [(a.rule, a.subject_type, a.subject, a.severity) for a in alerts] == [
        ("login_attack", "account", PHONE, "high")
    ]


def test_credential_stuffing_from_one_network_opens_one_alert(app, client, member_user, backend):
    app.config.update(LOGIN_MAX_FAILURES_PER_IP=5)
    for n in range(8):
        attempt(client, identifier=f"1390000000{n}", ip="2001:db8:9:9::1")
    alerts = _alerts(app)
    assert [(a.subject_type, a.subject, a.severity) for a in alerts] == [
        ("ip", "2001:db8:9:9::/64", "medium")
    ]


def test_ordinary_failed_logins_open_no_alert(app, client, member_user, backend):
    for n in range(3):
        attempt(client, ip=f"203.0.113.{n + 1}")
    assert _alerts(app) == []


def _alerts(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Alert

    db.session.rollback()
    return db.session.scalars(select(Alert).where(Alert.rule == "login_attack")).all()


def test_successful_logins_are_not_failures(client, member_user, backend):
    for _ in range(12):
        assert attempt(client, password="secret123").status_code == 303
        log_out(client)
    for _ in range(10):
        assert attempt(client).status_code == 422
    assert attempt(client).status_code == 429


def test_htmx_refusal_is_the_form_fragment(client, member_user):
    for _ in range(10):
        attempt(client)
    response = attempt(client, **{"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "<html" not in html
    assert 'id="login-form"' in html and 'data-testid="form-error"' in html


@pytest.mark.parametrize(("hops", "separate"), [(0, False), (1, True)])
def test_x_forwarded_for_counts_only_behind_trusted_proxies(
    app, client, member_user, hops, separate
):
    app.config.update(TRUSTED_PROXIES=hops, LOGIN_MAX_FAILURES=3)
    trust_proxies(app)
    for n in range(3):
        attempt(client, **{"X-Forwarded-For": f"203.0.113.{n + 1}"})
    last = attempt(client, password="secret123", **{"X-Forwarded-For": "198.51.100.9"})
    assert last.status_code == (303 if separate else 429)


def test_unknown_identifiers_cost_one_password_check_too(client, member_user, monkeypatch):
    verified = []
    real = accounts._hasher()

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash)
            return real.verify(hash, password)

    counting = Counting()
    monkeypatch.setattr(accounts, "_hasher", lambda: counting)
    assert attempt(client, identifier="13999999999").status_code == 422
    assert attempt(client, identifier="nobody").status_code == 422
    assert len(verified) == 2 and verified[0] == verified[1]  # the same dummy hash
    assert attempt(client).status_code == 422
    assert len(verified) == 3 and verified[2] == member_user.user.password_hash


def test_a_disabled_account_costs_the_same_check(client, session, member_user, checks):
    member_user.user.active = False
    session.commit()
    assert attempt(client, password="secret123").status_code == 422
    assert len(checks) == 1


@pytest.mark.postgres
def test_parallel_wrong_passwords_get_at_most_ten_checks(app, member_user, backend, checks):
    barrier = threading.Barrier(24)

    def guess(_):
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        barrier.wait(timeout=30)
        return client.post(
            "/login",
            data={"identifier": PHONE, "password": "wrong-password", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        ).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(guess, range(24)))
    assert len(checks) <= 10
    assert statuses.count(422) == len(checks) and statuses.count(429) == 24 - len(checks)
