"""/rules: the rules in force, kept like the catalogue pages (per stamp, locale, tier and day).

The page is the same for every visitor, and for every member of a tier (their tier is marked);
only the CSRF token, the clock and a member's badge are holes. It is kept until the next
brand-local midnight, since its examples ("points earned today are usable until …") and the
campaigns running are those of the day.
"""

from datetime import timedelta

from flask_babel import get_locale

from app import holes
from app.blueprints.mall.pages import common
from app.extensions import db
from app.holes import Hole
from app.htmx import render
from app.services.points import guide
from app.timeutil import local_date, local_midnight

TEMPLATE = "member/rules.html"


def page(member, now):
    """The rules page (or its content block, for htmx) for a visitor or a member."""
    tier = member.tier.code if member is not None else None
    key = ("rules", tier, str(get_locale()), local_date(now))
    return holes.render(
        TEMPLATE,
        "content",
        key,
        now,
        lambda: _holed(member, tier, now),
        lambda _names: common(member, now),
    )


def fresh(now):
    """The page as rendered for staff (never kept: their pages carry no member's holes)."""
    return render(TEMPLATE, "content", guide=guide.guide(db.session, now), times=guide.times)


def _holed(member, tier: str | None, now):
    context = {
        "guide": guide.guide(db.session, now),
        "times": guide.times,
        "member_tier": tier,
        "tab": "me" if member is not None else "",
        "header_balance": Hole("balance") if member is not None else None,
    }
    return context, local_midnight(local_date(now) + timedelta(days=1))
