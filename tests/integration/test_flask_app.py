"""The app's Flask (`app.flask_app`): what it keeps between requests changes no answer."""

import threading
import time

from flask import request
from itsdangerous import TimestampSigner
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import flask_app
from app.extensions import db
from app.flask_app import PointsMall
from tests.conftest import csrf_from


def test_a_sessions_csrf_token_is_signed_once_and_accepted(
    client, login_as, member_user, monkeypatch
):
    monkeypatch.setattr(flask_app, "_signed_tokens", {})  # not full (a full one starts afresh)
    login_as("13700009999")
    db.session.commit()
    first = csrf_from(client.get("/").get_data(as_text=True))
    later = TimestampSigner.get_timestamp(None) + 100  # a new signature would carry this time
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: later)
    again = csrf_from(client.get("/me").get_data(as_text=True))
    assert first == again  # the kept signature, not a new one
    assert client.post("/me/signin", data={"csrf_token": again}).status_code in (200, 303)


def test_two_browsers_never_share_a_token(app, client, login_as, member_user):
    login_as("13700009999")
    db.session.commit()
    other = app.test_client()
    mine = csrf_from(client.get("/").get_data(as_text=True))
    theirs = csrf_from(other.get("/login").get_data(as_text=True))
    assert mine != theirs
    refused = other.post("/me/signin", data={"csrf_token": mine})  # not their session's token
    assert refused.status_code == 400


def test_the_async_check_is_kept_and_async_functions_still_wrapped(app, monkeypatch):
    def plain():
        return "plain"

    async def later():
        return "later"

    made = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: made.append(func) or (lambda: "ran"))
    assert isinstance(app, PointsMall)
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    wrapped = app.ensure_sync(later)
    assert wrapped is not later and wrapped() == "ran"
    assert app.ensure_sync(later) is wrapped and made == [later]  # wrapped once, then kept


def test_the_cookie_serializer_is_made_once_per_key(app):
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is serializer
    signed = serializer.dumps({"a": 1})
    app.secret_key, old = "a new key", app.secret_key
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    rotated = interface.get_signing_serializer(app)
    assert rotated is not serializer
    assert rotated.loads(signed) == {"a": 1}  # the old key still reads what it signed


def _signed_in_page(client) -> bool:
    return 'data-testid="points-balance"' in client.get("/").get_data(as_text=True)


def test_a_session_cookie_is_verified_once_while_its_signature_is_valid(
    app, client, login_as, member_user, monkeypatch
):
    login_as("13700009999")
    db.session.commit()
    assert _signed_in_page(client)
    serializer = app.session_interface.get_signing_serializer(app)
    verified = []
    loads = serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda *a, **k: verified.append(1) or loads(*a, **k))
    assert _signed_in_page(client) and _signed_in_page(client)
    assert verified == []  # the same cookie: its values kept
    lifetime = app.permanent_session_lifetime.total_seconds()
    past_it = time.time() + lifetime + 60
    monkeypatch.setattr(time, "time", lambda: past_it)  # the signature is now too old
    assert not _signed_in_page(client) and verified  # verified again, and refused


def test_a_tampered_cookie_is_refused_even_after_the_real_one_was_kept(
    client, login_as, member_user
):
    login_as("13700009999")
    db.session.commit()
    assert _signed_in_page(client)
    cookie = client.get_cookie("session").value
    client.set_cookie("session", cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert not _signed_in_page(client)


def test_a_session_holding_a_list_is_never_kept(app):
    interface = app.session_interface
    cookie = interface.get_signing_serializer(app).dumps({"_flashes": [["info", "saved"]]})
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        first = interface.open_session(app, request)
        first["_flashes"].append(["info", "again"])  # what flask.flash does to the list
        second = interface.open_session(app, request)
    assert second["_flashes"] == [["info", "saved"]]


def test_a_servers_read_only_request_leaves_its_session_to_the_app_context(app, member_user):
    """Served with an app context of its own (as by gunicorn: here from a thread, which has
    none), a page view commits nothing: its session is closed with the context and the
    connection is back in the pool. Under an outer app context (the tests') it is handed back
    at the end of the request, as before."""
    commits = []
    listener = lambda _session: commits.append(1)  # noqa: E731
    event.listen(Session, "after_commit", listener)
    try:
        answer = []
        served = threading.Thread(target=lambda: answer.append(app.test_client().get("/healthz")))
        served.start()
        served.join()
        assert answer[0].status_code == 200 and commits == []
        assert db.engine.pool.checkedout() == 0 or db.session.in_transaction()
        assert app.test_client().get("/healthz").status_code == 200 and commits == [1]
    finally:
        event.remove(Session, "after_commit", listener)


def test_each_request_has_its_own_memo_current_only_while_it_runs(app):
    """The memo a request's code gets (`cache.request_memo`) is that request's environ's, from
    its first hook to its teardown, and no other request's; outside a request there is none."""
    from app import cache

    seen = []

    @app.route("/_memo_probe")
    def memo_probe():
        memo = cache.request_memo()
        memo["mark"] = len(seen)
        seen.append((memo, request.environ[cache.MEMO_KEY]))
        return "ok"

    @app.teardown_request
    def _memo_at_teardown(_exc=None):
        if request.endpoint == "memo_probe":
            seen[-1] += (cache.request_memo(),)

    client = app.test_client()
    for _ in range(2):
        assert client.get("/_memo_probe").status_code == 200
    (first, first_environ, first_late), (second, second_environ, second_late) = seen
    assert first is first_environ is first_late and second is second_environ is second_late
    assert first is not second and (first["mark"], second["mark"]) == (0, 1)
    assert cache.request_memo() is None  # after the requests: nothing current
    with app.test_request_context("/"):  # a request context outside the WSGI app: its environ's
        assert cache.request_memo() is request.environ[cache.MEMO_KEY]
