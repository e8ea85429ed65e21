"""SMS codes: ask for one (POST /sms/code), the sandbox outbox, and "forgot password" (/forgot).

`POST /sms/code` answers a plain form post with a redirect back to the page it came from (the
phone kept, a flashed "sent" notice), or the page again with a form-error; a request that asks
for JSON (fetch) gets `{"sent": …}` or `{"error": {"code", "message"}}`. Refusals that pass with
time are 429 with Retry-After. No answer depends on whether the number is registered.
"""

import math
import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, current_app, flash, get_flashed_messages, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.blueprints.auth import bp
from app.blueprints.auth.forms import ForgotForm, RegisterForm, SmsCodeForm
from app.blueprints.forms import MESSAGES, first_error
from app.brand import BRAND
from app.extensions import db
from app.htmx import redirect_to, render
from app.security import safe_next
from app.services.accounts import accounts, sms, verification
from app.services.alerts import monitor
from app.services.counter.counter import mask
from app.timeutil import utcnow
from app.transaction import committing

PAGES = {"register": ("auth.register", "auth/register.html", RegisterForm)}
PAGES["reset"] = ("auth.forgot", "auth/forgot.html", ForgotForm)
DEVICE_COOKIE, DEVICE_MAX_AGE = "device", 3 * 365 * 86_400  # one browser, as the alerts see it
DEVICE_RE = re.compile(r"[A-Za-z0-9_-]{24}")
STATUS = {"sms_limited": 429, "sms_too_soon": 429, "register_limited": 429, "sms_unavailable": 503}


def _wait(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 7200:
        return ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    return ngettext("%(num)d hour", "%(num)d hours", math.ceil(seconds / 3600))


def _wrong(left: int) -> str:
    if left <= 0:
        return _("Wrong code, and that was the last try. Ask for a new code.")
    return ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", left)


WORDS = {
    "sms_limited": lambda d: _("Too many codes asked for. Try again in %(wait)s.", wait=_wait(d)),
    "sms_too_soon": lambda d: _(
        "A code was sent less than a minute ago. You can ask for a new one in %(wait)s.",
        wait=_wait(d),
    ),
    "register_limited": lambda d: _(
        "Too many new accounts from this network. Try again in %(wait)s.", wait=_wait(d)
    ),
    "sms_unavailable": lambda d: _(
        "We could not send the text message just now. Please try again in a minute."
    ),
    "code_expired": lambda d: _("This code has expired. Ask for a new one."),
    "code_dead": lambda d: _("Too many wrong tries for this code. Ask for a new one."),
    "code_missing": lambda d: _("No valid code for this number. Ask for a code, then enter it."),
    "purpose_invalid": lambda d: _("Choose what the code is for."),
}


def policy() -> verification.Policy:
    """The code and limit settings of this app."""
    return verification.Policy.from_config(current_app.config)


def _minutes() -> int:
    return int(policy().ttl.total_seconds()) // 60


def _seconds() -> int:
    return int(policy().resend.total_seconds())


def client_ip() -> str:
    """The client's address (ProxyFix has applied TRUSTED_PROXIES)."""
    return request.remote_addr or ""


def refusal(exc: Exception) -> tuple[str, int, dict]:
    """(message, status, headers) for a refused code request, registration or reset."""
    code = "sms_unavailable" if isinstance(exc, sms.SmsError) else str(exc)
    retry = getattr(exc, "retry_after", None)
    if code == "code_wrong":
        message = _wrong(exc.detail["left"])
    elif code in WORDS:
        message = WORDS[code](retry or 0)
    else:
        message = str(MESSAGES.get(code) or _("Something went wrong. Please try again."))
    return message, STATUS.get(code, 422), {"Retry-After": str(retry)} if retry else {}


def page_context() -> dict:
    """What the register and forgot pages show about codes: the flashed "sent" notice, the rules."""
    hint = _(
        "Valid for %(minutes)d minutes. A new code can be sent after %(seconds)d seconds.",
        minutes=_minutes(),
        seconds=_seconds(),
    )
    sent = next(iter(get_flashed_messages(category_filter=["sms"])), None)
    return {"notice": sent, "code_hint": hint}


def _spend(phone: str, purpose: str, now, rules) -> verification.Ticket:
    """Count one try on the phone's code, committed before the code is compared."""
    with committing():
        return verification.spend_attempt(db.session, phone, purpose, now=now, policy=rules)


def join(form: RegisterForm, enter):
    """Register with the SMS code and log in (`enter(user)` starts the session); or raise."""
    signup = verification.Signup(
        form.phone.data,
        form.sms_code.data,
        form.password.data,
        (form.referral_code.data or "").strip(),
    )
    now, rules, secret = utcnow(), policy(), current_app.config["SECRET_KEY"]
    ticket = _spend(signup.phone, "register", now, rules)
    device = _device()
    with committing():
        member = verification.register(
            db.session, ticket, signup, client_ip(), now=now, policy=rules, secret=secret
        )
        db.session.flush()
        monitor.signed_up(db.session, member, client_ip(), device, now=now)  # alerts at once
        response = enter(member.user)
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(
        DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax", secure=secure
    )
    return response


def _device() -> str:
    """This browser's device id (a random cookie, set at registration), for the alerts."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    return token if DEVICE_RE.fullmatch(token) else secrets.token_urlsafe(18)


def _text(issued: verification.Issued) -> str:
    """The message in the asker's language: the code, or a notice when the purpose does not fit."""
    words = {"brand": BRAND["name"], "code": issued.code, "minutes": _minutes()}
    if issued.code is None and issued.purpose == "register":
        return _(
            "【%(brand)s】This number already has a membership. Log in, or use "
            '"Forgot password?" to set a new password.',
            **words,
        )
    if issued.code is None:
        return _(
            "【%(brand)s】Someone asked to reset a password for this number, but it has no "
            "membership. You are welcome to join with it.",
            **words,
        )
    if issued.purpose == "register":
        return _(
            "【%(brand)s】Your registration code is %(code)s, valid for %(minutes)d minutes. "
            "Never share it with anyone.",
            **words,
        )
    return _(
        "【%(brand)s】Your password reset code is %(code)s, valid for %(minutes)d minutes. "
        "Never share it with anyone.",
        **words,
    )


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _back(form: SmsCodeForm) -> str:
    """Where the code was asked from (a path on this site), with the phone (and referral) kept."""
    page = PAGES.get(form.purpose.data, PAGES["register"])[0]
    parts = urlsplit(safe_next(form.next.data, url_for(page)))
    query = dict(parse_qsl(parts.query))
    query["phone"] = form.phone.data
    if form.purpose.data == "register" and form.referral_code.data:
        query["ref"] = form.referral_code.data.strip()
    return urlunsplit(parts._replace(query=urlencode(query)))


def _answer(form: SmsCodeForm, message: str, status: int = 200, headers=None, code: str = ""):
    """The JSON answer, the redirect back with a notice, or the page again with a form-error."""
    headers = headers or {}
    if _wants_json():
        body = {"error": {"code": code, "message": message}} if status >= 400 else {}
        if status < 400:
            body = {"sent": True, "message": message, "retry_after": _seconds()}
        return jsonify(body), status, headers
    if status < 400:
        flash(message, "sms")
        return redirect_to(_back(form))
    _, template, page_form = PAGES.get(form.purpose.data, PAGES["register"])
    page = render(template, "form", form=page_form(), error=message, **page_context())
    return page, status, headers


@bp.post("/sms/code")
def sms_code():
    """Send a one-time code by text message, for registering or resetting the password."""
    form = SmsCodeForm()
    if not form.validate_on_submit():
        return _answer(form, first_error(form), 422, code="invalid")
    cfg = current_app.config
    try:
        provider = sms.provider(cfg["SMS_PROVIDER"], db.session)
        with committing():
            issued = verification.issue(
                db.session,
                form.phone.data,
                form.purpose.data,
                client_ip(),
                now=utcnow(),
                policy=policy(),
                secret=cfg["SECRET_KEY"],
            )
        with committing():
            provider.send(issued.phone, _text(issued))
    except (accounts.AccountError, sms.SmsError) as exc:
        message, status, headers = refusal(exc)
        return _answer(form, message, status, headers, code=str(exc))
    sent = _(
        "We sent a text message to %(phone)s. Enter the 6-digit code from it within %(n)d minutes.",
        phone=mask(issued.phone),
        n=_minutes(),
    )
    return _answer(form, sent)


@bp.get("/dev/outbox")
def outbox():
    """The sandbox provider's messages as JSON, newest first; 404 with a real provider."""
    if not sms.is_sandbox(current_app.config["SMS_PROVIDER"]):
        abort(404)
    phone = request.args.get("phone")
    if phone is not None and not accounts.PHONE_RE.fullmatch(phone := phone.strip()):
        return jsonify([])
    return jsonify(sms.outbox(db.session, phone))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Set a new password with a code sent to the account's phone; ends every session."""
    form, error, status, headers = ForgotForm(), None, 200, {}
    if request.method == "GET":
        form.phone.data = request.args.get("phone", "")[:11]
    if form.validate_on_submit():
        try:
            _reset(form)
            flash(_("Your password is changed. Log in with the new one."), "reset")
            return redirect_to(url_for("auth.forgot"))
        except accounts.AccountError as exc:
            error, status, headers = refusal(exc)
    if error is None and (error := first_error(form)):
        status = 422
    done = next(iter(get_flashed_messages(category_filter=["reset"])), None)
    context = page_context() | {"form": form, "error": error, "done": done}
    page = render("auth/forgot.html", "form", **context)
    return page, status, headers


def _reset(form: ForgotForm) -> None:
    """Spend an attempt on the reset code, then set the password (hashed before the write)."""
    now, rules, secret = utcnow(), policy(), current_app.config["SECRET_KEY"]
    password_hash = accounts.hash_password(form.password.data)
    ticket = _spend(form.phone.data, "reset", now, rules)
    with committing():
        verification.reset_password(
            db.session,
            ticket,
            form.phone.data,
            form.sms_code.data,
            password_hash,
            now=now,
            policy=rules,
            secret=secret,
        )
