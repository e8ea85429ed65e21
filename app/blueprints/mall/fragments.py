"""Rendered pieces every member sees the same, kept per catalogue stamp in each process."""

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from app import cache
from app.blueprints.mall import bp
from app.extensions import db
from app.holes import Hole

MAX_PIECES = 5000  # a process keeps at most this many pieces of one stamp


def _pieces() -> dict | None:
    """This stamp's pieces (None while the session holds uncommitted catalogue rows)."""
    if cache.dirty(db.session):
        return None
    store = current_app.extensions.setdefault("pointsmall.pieces", {})
    version = cache.stamp()
    if store.get("stamp") != version or len(store) > MAX_PIECES:
        store.clear()
        store["stamp"] = version
    return store


def _kept(key: tuple, render) -> Markup:
    store = _pieces()
    if store is None:
        return Markup(render())
    if key not in store:
        store[key] = Markup(render())
    return store[key]


def _macros():
    return current_app.jinja_env.get_template("macros/gift.html").module


@bp.app_template_global("card_head")
def card_head(gift, locale: str, href: str | None = None) -> Markup:
    """The head of a gift card (link, picture, badge, name, price) for this catalogue stamp."""
    key = ("head", gift.id, locale, href)
    return _kept(key, lambda: _macros().gift_card_head(gift, locale, href))


@bp.app_template_global("gift_flag")
def gift_flag(state, locale: str | None = None) -> Markup:
    """A card's flag for its state (the hole itself in a page kept for every member)."""
    if isinstance(state, Hole):
        return Markup(state)
    low = state.stock_left if state.low_stock else 0
    locale = locale or str(get_locale())
    key = ("flag", locale, state.status, state.shortfall, state.locked_reason, low,
           state.member_day_points)  # fmt: skip
    return _kept(key, lambda: _macros().gift_flag_html(state))
