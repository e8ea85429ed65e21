"""The app's Flask (`app.flask_app`): what it keeps between requests changes no answer."""

from itsdangerous import TimestampSigner

from app.extensions import db
from app.flask_app import PointsMall
from tests.conftest import csrf_from


def test_a_sessions_csrf_token_is_signed_once_and_accepted(
    client, login_as, member_user, monkeypatch
):
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
