"""What a notification says and where it leads, in the reader's language (SMS: the brand's)."""

from datetime import date, datetime

from flask import url_for
from flask_babel import force_locale, format_date, format_datetime, get_locale
from flask_babel import gettext as _

from app.labels import label
from app.tier_labels import tier_name

SMS_LOCALE = "zh_Hans"
SMS_PREFIX = "【云澜】"  # a Chinese SMS gateway requires the brand's signature


def named(names: dict | str, locale: str) -> str:
    """A name kept in several languages (a gift's), in `locale` or the default one."""
    if isinstance(names, str):
        return names
    return names.get(locale) or names.get("zh_Hans") or ""


def times(pct: int) -> str:
    """A multiplier in percent as 'N×' (300 → '3', 150 → '1.5'), without floats."""
    whole, rest = divmod(pct, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".")


def _day(params: dict) -> str:
    return format_date(date.fromisoformat(params["day"]), "medium")


def _when(params: dict) -> str:
    return format_datetime(datetime.fromisoformat(params["at"]), "short")


def _expiring(p: dict, locale: str) -> tuple[str, str]:
    days = p["days"]
    if days == 0:
        body = _("They can be used until the end of today.")
    elif days == 1:
        body = _("They can be used until the end of tomorrow.")
    else:
        body = _("That is in %(n)s days. Spend them before then.", n=days)
    title = _("%(points)s points expire after %(day)s", points=f"{p['points']:,}", day=_day(p))
    return title, body


def _campaign(p: dict, locale: str) -> tuple[str, str]:
    title = _("%(name)s starts today", name=p["name"])
    body = _("Purchases earn %(times)s× points until %(day)s.", times=times(p["pct"]), day=_day(p))
    return title, body


WORDS = {
    "points_expiring": _expiring,
    "pickup_ready": lambda p, loc: (
        _("Ready for pickup: %(gift)s", gift=named(p["gift"], loc)),
        _("Show pickup code %(code)s at %(store)s.", code=p["code"], store=p["store"]),
    ),
    "shipped": lambda p, loc: (
        _("On its way: %(gift)s", gift=named(p["gift"], loc)),
        _(
            "%(carrier)s, tracking number %(tracking)s.",
            carrier=label("carrier", p["carrier"]),
            tracking=p["tracking"],
        ),
    ),
    "appointment": lambda p, loc: (
        _("Appointment tomorrow: %(gift)s", gift=named(p["gift"], loc)),
        _("%(when)s at %(store)s.", when=_when(p), store=p["store"]),
    ),
    "back_in_stock": lambda p, loc: (
        _("Back in stock: %(gift)s", gift=named(p["gift"], loc)),
        _("The gift you asked about can be redeemed again."),
    ),
    "on_sale": lambda p, loc: (
        _("Now on sale: %(gift)s", gift=named(p["gift"], loc)),
        _("The gift you asked about can now be redeemed."),
    ),
    "tier_up": lambda p, loc: (
        _("Welcome to %(tier)s", tier=tier_name(p["tier"])),
        _("Your new tier's benefits are yours from today."),
    ),
    "tier_down": lambda p, loc: (
        _("Your tier is now %(tier)s", tier=tier_name(p["tier"])),
        _("Purchases of the last 12 months decide your tier: earn growth to move up again."),
    ),
    "campaign": _campaign,
    "birthday": lambda p, loc: (
        _("Happy birthday!"),
        _("A birthday gift is in your wallet: %(gift)s.", gift=named(p["gift"], loc))
        if p.get("gift")
        else _("%(points)s birthday points are yours.", points=f"{p['points']:,}"),
    ),
}


def words(kind: str, params: dict) -> tuple[str, str]:
    """(title, body) of a notification in the current locale."""
    return WORDS[kind](params, str(get_locale() or "zh_Hans"))


def link(kind: str, params: dict) -> str:
    """Where a notification leads: the order, the gift, the points page …"""
    if kind in ("pickup_ready", "shipped", "appointment"):
        return url_for("checkout.order", order_id=params["order_id"])
    if kind in ("back_in_stock", "on_sale"):
        return url_for("mall.gift", gift_id=params["gift_id"])
    if kind == "birthday" and params.get("order_id"):
        return url_for("checkout.order", order_id=params["order_id"])
    if kind in ("points_expiring", "birthday"):
        return url_for("member.points")
    if kind == "campaign":
        return url_for("mall.home")
    return url_for("member.me")


def sms(kind: str, params: dict) -> str:
    """The text message for a notification, in the brand's language."""
    with force_locale(SMS_LOCALE):
        title, body = words(kind, params)
    return f"{SMS_PREFIX}{title}。{body}"[:500]
