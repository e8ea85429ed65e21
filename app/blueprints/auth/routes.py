"""Log in, register, log out, choose a language."""

import math
from datetime import timedelta

from flask import current_app, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.blueprints.auth import bp, sms_routes
from app.blueprints.auth.forms import LanguageForm, LoginForm, RegisterForm
from app.blueprints.forms import MESSAGES, first_error
from app.blueprints.member.task_links import shared_referral
from app.engine import read_only
from app.extensions import db
from app.htmx import redirect_after_post, render
from app.security import end_session, safe_next, start_session
from app.services.accounts import accounts
from app.timeutil import utcnow
from app.transaction import committing

HOMES = {
    "member": "member.me",
    "advisor": "counter.home",
    "operator": "admin.home",
    "finance": "admin.home",
}


def _home(user) -> str:
    return url_for(HOMES[user.role])


def _enter(user):
    """Start the user's session (the caller commits) and go where they were heading."""
    start_session(user)
    return redirect_after_post(safe_next(request.args.get("next"), _home(user)), None)


def _limits() -> accounts.LoginLimits:
    cfg = current_app.config
    return accounts.LoginLimits(
        per_pair=cfg["LOGIN_MAX_FAILURES"],
        per_ip=cfg["LOGIN_MAX_FAILURES_PER_IP"],
        per_identifier=cfg["LOGIN_MAX_FAILURES_PER_IDENTIFIER"],
        window=timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]),
    )


def _check_credentials(form: LoginForm):
    """Log in and redirect, or raise AccountError / Throttled.

    The attempt is counted in a short commit of its own *before* the slow password check, so
    parallel guesses cannot outrun the limits; a login that succeeds takes its attempt back.
    """
    identifier, ip, now, limits = (
        form.identifier.data.strip(),
        request.remote_addr or "",
        utcnow(),
        _limits(),
    )
    with committing():
        accounts.count_attempt(db.session, identifier, ip, now=now, limits=limits)
    with read_only(), committing():  # the password check holds no write lock
        user = accounts.authenticate(db.session, identifier, form.password.data)
    with committing():
        accounts.forgive_attempt(db.session, identifier, ip, now=now, limits=limits)
        return _enter(user)


def _throttled(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)d minute.",
        "Too many failed attempts. Try again in %(num)d minutes.",
        minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with phone number (members) or staff ID (staff) and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home(current_user))
    form, error, headers = LoginForm(), None, {}
    if form.validate_on_submit():
        try:
            return _check_credentials(form)
        except accounts.Throttled as exc:
            error, headers = _throttled(exc.retry_after), {"Retry-After": str(exc.retry_after)}
        except accounts.AccountError as exc:
            error = MESSAGES[str(exc)]
    error = error or first_error(form)
    status = 429 if headers else 422 if error else 200
    page = render(
        "auth/login.html", "form", form=form, error=error, expired=request.args.get("expired")
    )
    return page, status, headers


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Become a member with a mainland mobile number, proved by a code sent to it by SMS."""
    form, error, status, headers = RegisterForm(), None, 200, {}
    if request.method == "GET":
        form.referral_code.data = (request.args.get("ref") or shared_referral())[:12]
        form.phone.data = request.args.get("phone", "")[:11]
    if form.validate_on_submit():
        try:
            return sms_routes.join(form, _enter)  # nothing is written unless the code checks out
        except accounts.AccountError as exc:
            error, status, headers = sms_routes.refusal(exc)
        except IntegrityError:
            error, status = MESSAGES["phone_taken"], 422
    if error is None and (error := first_error(form)):
        status = 422
    context = sms_routes.page_context()
    page = render("auth/register.html", "form", form=form, error=error, **context)
    return page, status, headers


@bp.post("/logout")
def logout():
    """Log out: this browser's session ends on the server and the cookie is emptied."""
    with committing():
        end_session()
    return redirect(url_for("auth.login"), 303)


@bp.post("/lang")
def language():
    """Remember the chosen language in a cookie and go back."""
    form = LanguageForm()
    response = redirect(safe_next(request.form.get("next"), "/"), 303)
    if form.validate_on_submit():
        response.set_cookie(
            "lang",
            form.lang.data,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response
