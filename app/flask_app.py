"""The Flask class the app runs on: Flask, minus work it repeats on every request for nothing.

- `ensure_sync` (Flask's documented hook for running async views) is asked about every hook
  and view on every request, and inspects the function each time; the answer never changes,
  so it is kept per function.
- The session cookie's serializer is built once per set of keys instead of on every request
  (Flask's `get_signing_serializer` makes a new one each time it is asked).
- The CSRF token: Flask-WTF signs the session's raw token afresh on every page. Tokens carry no
  time limit here (`WTF_CSRF_TIME_LIMIT = None`), so one signed token per raw token and key is
  as good as another; it is kept (bounded) and handed to Flask-WTF through `g`, where it looks.
"""

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf

MAX_KEPT_TOKENS = 10_000  # signed CSRF tokens kept per process (about 2 MB at most)


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the serializer made once per set of keys."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        """Flask's serializer for the app's current keys (made on first use)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


class PointsMall(Flask):
    """The app's Flask: each function's async check made once, the cookie serializer kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = KeptSerializerSessions()
        self._sync: dict = {}

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
