"""Request plumbing shared by every page: read-only transactions, template context, errors."""

from babel.numbers import get_group_symbol
from flask import current_app, jsonify, render_template, request
from flask_babel import format_decimal, get_locale
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from app.brand import BRAND
from app.engine import end_autocommit_reads, reset_intent, set_read_only
from app.extensions import db
from app.flask_app import OWN_APP_CONTEXT
from app.holes import Hole
from app.htmx import wants_fragment
from app.i18n import LOCALE_NAMES, LOCALE_TAGS, keep_units, local_name
from app.labels import label, limit_label, staff_result
from app.services.counter.counter import mask
from app.services.points import balances
from app.tier_labels import gate_label, gate_notice, tier_name
from app.timeutil import brand_tz, utcnow

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _begin_request():
    view = current_app.view_functions.get(request.endpoint)
    reads = request.method in READ_METHODS and not getattr(view, "writes", False)
    if reads or getattr(view, "reads_first", False):
        request.environ["pointsmall.intent"] = set_read_only()


def _end_request(_exc=None):
    token = request.environ.pop("pointsmall.intent", None)
    if token is not None:
        # a failed request's session is rolled back when it is removed, and so is one whose
        # app context ends with it (a server's): only a session outliving the request (the
        # tests') needs its read-only connection handed back here
        if _exc is None and not request.environ.get(OWN_APP_CONTEXT):
            end_autocommit_reads(db.session())
        reset_intent(token)


def _template_context() -> dict:
    locale = str(get_locale() or "zh_Hans")
    context = {
        "brand": BRAND,
        "brand_text": BRAND["text"].get(locale, BRAND["text"]["zh_Hans"]),
        "brand_tz": brand_tz(),
        "locale": locale,
        "locales": LOCALE_NAMES,
        "lang_tag": LOCALE_TAGS.get(locale, "zh-Hans"),
        "header_balance": None,
        "header_unread": None,
    }
    if not wants_fragment() and current_user.is_authenticated and current_user.role == "member":
        # the badge of a full page; the page itself read the same figure (once per request)
        member_id = current_user.member.id
        context["header_balance"] = balances.current(db.session, member_id, utcnow()).balance
        # loaded with the signed-in member (signed_in.ROW): no statement of its own
        context["header_unread"] = current_user.member.unread_notifications
    return context


_GROUP_SYMBOLS: dict[str, str] = {}


def points(value: int) -> str:
    """Points with the locale's thousands separator (a hole stays a hole: see app.holes).

    Babel's `format_decimal(value, format="#,##0")`, without parsing the pattern each time."""
    if isinstance(value, Hole):
        return value
    if not isinstance(value, int):
        return format_decimal(value, format="#,##0")
    locale = str(get_locale() or "zh_Hans")
    if locale not in _GROUP_SYMBOLS:
        _GROUP_SYMBOLS[locale] = get_group_symbol(locale)
    return f"{value:,}".replace(",", _GROUP_SYMBOLS[locale])


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, without floats."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _error(exc: HTTPException):
    if request.path.startswith("/api/"):
        body = {"error": {"code": exc.name.lower().replace(" ", "_"), "message": exc.description}}
        # keep what the exception adds (Allow on 405, Retry-After, ...) but answer JSON
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return jsonify(body), exc.code, headers
    return render_template("errors/error.html", error=exc), exc.code


def healthz():
    """200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def init_app(app) -> None:
    """Install the hooks, filters and routes."""
    # first of all hooks: loading the signed-in user is already a query, and on SQLite the
    # transaction's kind (none for reads, IMMEDIATE for writes) is fixed when it takes a connection
    app.before_request_funcs.setdefault(None, []).insert(0, _begin_request)
    app.teardown_request(_end_request)
    app.context_processor(_template_context)
    app.add_template_filter(points, "points")
    app.add_template_filter(yuan, "yuan")
    app.add_template_filter(mask, "masked")
    app.add_template_filter(local_name, "local_name")
    app.add_template_filter(keep_units, "units")
    app.add_template_global(label, "label")
    app.add_template_global(limit_label, "limit_label")
    app.add_template_global(tier_name, "tier_name")
    app.add_template_global(gate_label, "gate_label")
    app.add_template_global(gate_notice, "gate_notice")
    app.add_template_global(staff_result, "staff_result")
    app.register_error_handler(HTTPException, _error)
    app.add_url_rule("/healthz", "healthz", healthz)
