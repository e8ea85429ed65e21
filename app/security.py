"""Logins, roles, session time-outs and security headers."""

from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.extensions import db, login_manager
from app.htmx import redirect_to
from app.inputs import control_char
from app.models import Member, User
from app.services.accounts import sessions
from app.services.accounts.signed_in import SignedInMember, SignedInUser
from app.timeutil import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SESSION_ID = "sid"  # the key of the server-side session in the cookie
PRIVATE = "private, no-store"
# public answers that never read the user: static files and the flash stock poll (a viewer's
# session is neither loaded nor refreshed by it)
ANONYMOUS_ENDPOINTS = ("static", "mall.flash_stock")
SEEN_RESOLUTION = 60  # seconds: idle time-outs are counted to the minute, not every request


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | User | None:
    """The logged-in user, while the server still holds the session the cookie names."""
    if not user_id.isdigit():
        return None
    return sessions.user_for(db.session, int(user_id), session.get(SESSION_ID))


def safe_next(target: str | None, fallback: str) -> str:
    """`target` only if it is a path on this site, else `fallback`."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or control_char(target) is not None:  # CR/LF would split the Location header
        return fallback
    return target


def to_login(**args):
    """Send the browser to the login page (HX-Redirect for htmx requests)."""
    return redirect_to(url_for("auth.login", **args), status=302)


def role_required(role: str):
    """Guard a view: anonymous users go to /login, users of another role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return to_login(next=request.full_path.rstrip("?"))
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_member() -> SignedInMember | Member:
    """The signed-in member (use behind role_required('member')): read-only as every request
    loads it (`signed_in`); `.record(db.session)` is the ORM row to write."""
    return current_user.member


def start_session(user: User) -> None:
    """Log `user` in on a fresh server-side session (the caller commits), stamped for time-outs."""
    token = session.get("csrf_token")  # forms already open in other tabs keep working
    session.clear()  # nothing else from before survives the login (e.g. a counter's member card)
    if token:
        session["csrf_token"] = token
    login_user(user)
    now = utcnow()
    session[SESSION_ID] = sessions.open_session(db.session, user, now=now)
    session.permanent = True
    session["login_at"] = session["seen_at"] = now.timestamp()


def current_session_id() -> str | None:
    """The id of this browser's server-side session, if signed in."""
    return session.get(SESSION_ID)


def end_session() -> None:
    """Log out here: close this browser's server-side session and forget the whole cookie."""
    if sid := session.get(SESSION_ID):
        sessions.close_session(db.session, sid)
    session.clear()
    logout_user()


def _expired(now: datetime) -> bool:
    cfg = current_app.config
    seen = datetime.fromtimestamp(session.get("seen_at", 0), now.tzinfo)
    login_at = datetime.fromtimestamp(session.get("login_at", 0), now.tzinfo)
    if current_user.is_staff:
        idle, absolute = (
            timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]),
            timedelta(hours=cfg["STAFF_ABSOLUTE_HOURS"]),
        )
        return now - seen > idle or now - login_at > absolute
    return now - seen > timedelta(days=cfg["MEMBER_IDLE_DAYS"])


def enforce_timeouts():
    """Log out sessions idle too long (30 min for staff) or older than 12 h (staff)."""
    if request.endpoint in ANONYMOUS_ENDPOINTS or request.blueprint == "api":
        return None  # the POS API authenticates by key: no session to load or time out
    if not current_user.is_authenticated:
        if "_user_id" in session:  # ended on the server (logged out, disabled): forget it all
            session.clear()
        return None
    now = utcnow()
    if _expired(now):
        logout_user()
        session.clear()
        return to_login(next=request.path, expired=1)
    if now.timestamp() - session.get("seen_at", 0) >= SEEN_RESOLUTION:
        session["seen_at"] = now.timestamp()  # a changed session is re-signed and sent again
    return None


def security_headers(response):
    """CSP without inline script or eval, no framing, no sniffing, a strict referrer."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def private_cache(response):
    """Nothing for a signed-in user (or a login form, or the POS API) is kept by any cache."""
    if request.endpoint in ("static", "media.gift_image"):  # public, content-addressed files
        return response
    if request.blueprint in ("auth", "api") or "_user_id" in session:
        response.headers["Cache-Control"] = PRIVATE
    return response


def init_app(app) -> None:
    """Install the hooks."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.before_request(enforce_timeouts)
    app.after_request(security_headers)
    app.after_request(private_cache)
