"""Logins, roles, session time-outs and security headers."""

from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, session, url_for
from flask_login import current_user, logout_user

from app.extensions import db, login_manager
from app.htmx import redirect_to
from app.models import Member, User
from app.timeutil import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user, from the id Flask-Login keeps in the session cookie."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def safe_next(target: str | None, fallback: str) -> str:
    """`target` only if it is a path on this site, else `fallback`."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
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


def current_member() -> Member:
    """The signed-in member (use behind role_required('member'))."""
    return current_user.member


def start_session(user: User) -> None:
    """Stamp the login time for the absolute and idle time-outs."""
    session.permanent = True
    session["login_at"] = session["seen_at"] = utcnow().timestamp()


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
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow()
    if _expired(now):
        logout_user()
        session.clear()
        return to_login(next=request.path, expired=1)
    session["seen_at"] = now.timestamp()
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


def init_app(app) -> None:
    """Install the hooks."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(days=30))
    app.before_request(enforce_timeouts)
    app.after_request(security_headers)
