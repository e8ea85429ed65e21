"""The Flask class the app runs on: Flask, minus work it repeats on every request for nothing.

- `ensure_sync` (Flask's documented hook for running async views) is asked about every hook
  and view on every request, and inspects the function each time; the answer never changes,
  so it is kept per function.
- The session cookie's serializer is built once per set of keys instead of on every request
  (Flask's `get_signing_serializer` makes a new one each time it is asked), and a cookie once
  verified is not verified again until its signature's age runs out: the same bytes under the
  same keys decode to the same session. Only sessions of plain values (str, numbers, None) are
  kept — every one of ours; one holding a list (flashed messages) could be changed in place.
- Whether a request runs in an app context of its own (always, in a server: then the database
  session ends with it) is noted in the WSGI environ as `OWN_APP_CONTEXT`.
- The CSRF token: Flask-WTF signs the session's raw token afresh on every page. Tokens carry no
  time limit here (`WTF_CSRF_TIME_LIMIT = None`), so one signed token per raw token and key is
  as good as another; it is kept (bounded) and handed to Flask-WTF through `g`, where it looks.
"""

import time

from flask import Flask, current_app, g, has_app_context, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from app import cache

MAX_KEPT_TOKENS = 10_000  # signed CSRF tokens kept per process (about 2 MB at most)
MAX_KEPT_SESSIONS = 10_000  # verified session cookies kept per process (about 10 MB at most)
OWN_APP_CONTEXT = "pointsmall.own_app_context"  # environ key: the request pushed its app context
_PLAIN = (str, int, float, type(None))


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the serializer made once per set of keys."""

    def __init__(self) -> None:
        self._serializers: dict = {}
        self._verified: dict = {}  # (serializer, cookie) -> (good until, session values)

    def get_signing_serializer(self, app: Flask):
        """Flask's serializer for the app's current keys (made on first use)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request):
        """Flask's session of the request's cookie, verified once per cookie while it is valid."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        serializer = self.get_signing_serializer(app)
        if not cookie or serializer is None:
            return super().open_session(app, request)
        kept = self._verified.get((serializer, cookie))
        if kept is not None and time.time() < kept[0]:
            return self.session_class(kept[1])
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            values, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(v, _PLAIN) for v in values.values()):
            if len(self._verified) >= MAX_KEPT_SESSIONS:
                self._verified.clear()
            self._verified[(serializer, cookie)] = (signed.timestamp() + max_age, values)
        return self.session_class(values)


class PointsMall(Flask):
    """The app's Flask: each function's async check made once, the cookie serializer kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = KeptSerializerSessions()
        self._sync: dict = {}

    def wsgi_app(self, environ, start_response):
        """Flask's, noting in the environ whether the request will push its own app context,
        with the request's memo current while it runs (`cache.serve`)."""
        if not has_app_context() or current_app._get_current_object() is not self:
            environ[OWN_APP_CONTEXT] = True
        token = cache.serve(environ)
        try:
            return super().wsgi_app(environ, start_response)
        finally:
            cache.served(token)

    def ensure_sync(self, func):
        """Flask's answer for `func`, kept (a function does not become async later)."""
        try:
            return self._sync[func]
        except KeyError:
            answer = self._sync[func] = super().ensure_sync(func)
            return answer
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)


_signed_tokens: dict = {}


def csrf_token() -> str:
    """Flask-WTF's `generate_csrf()`, the signing skipped when this raw token was signed before."""
    if "csrf_token" not in g and (raw := session.get("csrf_token")) is not None:
        key = (current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
        if (signed := _signed_tokens.get(key)) is not None:
            g.csrf_token = signed
            return signed
        if len(_signed_tokens) >= MAX_KEPT_TOKENS:
            _signed_tokens.clear()
        _signed_tokens[key] = signed = generate_csrf()
        return signed
    return generate_csrf()
