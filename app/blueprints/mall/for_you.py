"""'For you' on the home: the member's picks rendered with their reasons, kept per what they
show (members with the same picks share the HTML), and the home's impressions counted."""

from flask import current_app
from flask_babel import get_locale

from app import holes
from app.blueprints.mall import bp
from app.extensions import db
from app.services.analytics import shelf_stats
from app.services.mall import reasons, storefront

VIA = "for_you"


@bp.app_template_global("pick_reason")
def pick_reason(card) -> str:
    """The one line a 'for you' card says about itself ('' for a card without a reason)."""
    if not hasattr(card, "reason"):
        return ""
    return reasons.words(card, db.session, str(get_locale()))


def shelf(section, picks: list, locale: str, now) -> str:
    """'For you' with these picks, kept per the picks, their states and reasons."""
    shown = ((p.gift.id, p.state, p.why) for p in picks)
    key = ("for_you", section.id if section else 0, locale, *shown)
    block = storefront.Section("for_you", section, cards=picks)
    macros = current_app.jinja_env.get_template("macros/gift.html").module
    return holes.kept(key, now, lambda: (macros.for_you(block, locale), None)).fill({})


def tally_hole(sections: list) -> holes.Hole:
    """A hole that renders nothing and names how many plain shelves with cards the page shows."""
    shown = sum(1 for s in sections if s.kind == "shelf" and s.cards)
    return holes.Hole(f"tally:{shown}")


def count_impressions(shelves: int, picks: bool, now) -> None:
    """One home page shown: an impression of 'for you' (when it had picks) and of each shelf."""
    shelf_stats.count("shelf", "impressions", now, shelves)
    if picks:
        shelf_stats.count(VIA, "impressions", now)
