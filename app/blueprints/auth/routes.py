"""Log in, register, log out, choose a language."""

from datetime import timedelta

from flask import current_app, redirect, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.blueprints.auth import bp
from app.blueprints.auth.forms import LanguageForm, LoginForm, RegisterForm
from app.blueprints.forms import MESSAGES, first_error
from app.engine import read_only
from app.extensions import db
from app.htmx import redirect_after_post, render
from app.security import safe_next, start_session
from app.services.accounts import accounts
from app.timeutil import utcnow
from app.transaction import committing

HOMES = {"member": "member.me", "advisor": "counter.home", "operator": "admin.home"}


def _home(user) -> str:
    return url_for(HOMES[user.role])


def _enter(user):
    """Start the user's session (the caller commits) and go where they were heading."""
    login_user(user)
    start_session(user)
    return redirect_after_post(safe_next(request.args.get("next"), _home(user)), None)


def _check_credentials(form: LoginForm):
    """(user, None) or (None, message). The slow password check runs outside the write lock;
    the attempt is then recorded in a short write of its own (a failure counts to the throttle)."""
    identifier, ip, now, cfg = (
        form.identifier.data.strip(),
        request.remote_addr or "",
        utcnow(),
        current_app.config,
    )
    user, code = None, None
    try:
        with read_only(), committing():  # end the read transaction before writing
            user = accounts.authenticate(
                db.session,
                identifier,
                form.password.data,
                ip,
                now=now,
                max_failures=cfg["LOGIN_MAX_FAILURES"],
                window=timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]),
            )
    except accounts.AccountError as exc:
        code = str(exc)
    if code != "throttled":
        with committing():
            accounts.record_attempt(db.session, identifier, ip, ok=user is not None, now=now)
    return user, MESSAGES[code] if code else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with phone number (members) or staff ID (staff) and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home(current_user))
    form, error = LoginForm(), None
    if form.validate_on_submit():
        user, error = _check_credentials(form)
        if user is not None:
            with committing():
                return _enter(user)
    error = error or first_error(form)
    return render(
        "auth/login.html", "form", form=form, error=error, expired=request.args.get("expired")
    ), 422 if error else 200


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Become a member with a mainland mobile number."""
    form, error = RegisterForm(), None
    if request.method == "GET":
        form.referral_code.data = request.args.get("ref", "")[:12]
    if form.validate_on_submit():
        try:
            with committing():
                member = accounts.register(
                    db.session,
                    form.phone.data,
                    form.password.data,
                    (form.referral_code.data or "").strip(),
                    now=utcnow(),
                )
                db.session.flush()
                return _enter(member.user)
        except accounts.AccountError as exc:
            error = MESSAGES[str(exc)]
        except IntegrityError:
            error = MESSAGES["phone_taken"]
    error = error or first_error(form)
    return render("auth/register.html", "form", form=form, error=error), 422 if error else 200


@bp.post("/logout")
def logout():
    """Log out and go to the login page."""
    logout_user()
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
