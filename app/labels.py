"""Display words for the domain's codes (statuses, kinds, badges …) in the reader's language.

Templates call `label(group, code)`; the words live here, not in the templates.
"""

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.points import tiers

LABELS = {
    "points_filter": {
        "all": _l("All"),
        "earned": _l("Earned"),
        "spent": _l("Spent"),
        "expired": _l("Expired"),
    },
    "badge": {
        "new": _l("New"),
        "hot": _l("Popular"),
        "limited": _l("Limited"),
        "exclusive": _l("Exclusive"),
        "points_cash": _l("Points + cash"),
    },
    "kind": {
        "physical": _l("Gifts"),
        "coupon": _l("Coupons"),
        "virtual": _l("Memberships"),
        "service": _l("Treatments"),
    },
    "delivery_hint": {
        "physical": _l("Pick up at a counter or have it shipped"),
        "coupon": _l("The coupon code arrives in your orders at once"),
        "virtual": _l("The activation code arrives in your orders at once"),
        "service": _l("Book a time at a counter after redeeming"),
    },
    "flash_phase": {"live": _l("Live now"), "upcoming": _l("Coming soon")},
    "order_status": {
        "pending_payment": _l("Awaiting payment"),
        "to_pickup": _l("Ready for pickup"),
        "to_ship": _l("To be shipped"),
        "to_book": _l("To be booked"),
        "completed": _l("Completed"),
        "cancelled": _l("Cancelled"),
        "refunded": _l("Refunded"),
    },
    "booking_status": {
        "checked_in": _l("Checked in"),
        "no_show": _l("No-show"),
        "cancelled": _l("Cancelled"),
    },
    "staff_action": {
        "lookup": _l("Look-up"),
        "purchase": _l("Purchase"),
        "pickup": _l("Pickup"),
        "redeem": _l("Redeemed"),
        "benefit": _l("Benefit"),
        "check_in": _l("Check in"),
        "no_show": _l("No-show"),
    },
    "rate": {
        "default": _l("standard rate"),
        "range": _l("campaign rate"),
        "weekly": _l("member day rate"),
    },
    "source": {
        "purchase": _l("Purchase"),
        "signin": _l("Daily sign-in"),
        "registration": _l("Welcome gift"),
        "profile": _l("Profile completed"),
        "referral": _l("Friend referral"),
        "task": _l("Activity reward"),
        "campaign": _l("Campaign bonus"),
        "adjustment": _l("Adjustment"),
    },
}

LIMITS = {
    "total": _l("Limit %(n)s per member"),
    "day": _l("Limit %(n)s per day"),
    "week": _l("Limit %(n)s per week"),
    "month": _l("Limit %(n)s per month"),
}


def label(group: str, code: str | None, default: str | None = None) -> str:
    """The word for `code` in `group`; the code itself (or `default`) when there is none."""
    word = LABELS[group].get(code or "")
    if word is None:
        return default if default is not None else (code or "")
    return str(word)


def limit_label(count: int, period: str | None) -> str:
    """'Limit 2 per month'."""
    return str(LIMITS[period or "total"]) % {"n": count}


def tier_name(code: str) -> str:
    """A tier's name in the current locale (the code itself if unknown); one query a request."""
    names = g.get("tier_names")
    if names is None:
        locale = str(get_locale())
        names = g.tier_names = {t.code: t.display_name(locale) for t in tiers.ladder(db.session)}
    return names.get(code, code)
