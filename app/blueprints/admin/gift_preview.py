"""'Preview as': the shelves and a gift page as a member of tier X sees them (read-only)."""

from flask import abort, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.blueprints.admin import bp
from app.blueprints.admin.gift_forms import local_to_utc, utc_to_local
from app.blueprints.admin.tables import args as console_args
from app.extensions import db
from app.htmx import render
from app.inputs import int_arg
from app.models import Gift
from app.services.console import preview
from app.services.mall import catalog
from app.services.points import tiers
from app.timeutil import utcnow


def _who():
    """The synthetic member, the moment and the balance the query string asks for."""
    who = preview.member(db.session, console_args().get("tier", "base"))
    if who is None:
        abort(404)
    try:
        at = local_to_utc(console_args().get("at", "")) or utcnow()
    except ValueError:
        at = utcnow()
    balance = int_arg(console_args(), "balance", preview.DEFAULT_BALANCE, 0, 10**9)
    return who, at, balance


def _page(block: str, **context):
    who, at, balance = context.pop("who"), context.pop("at"), context.pop("balance")
    return render(
        "admin/gift_preview.html", block, who=who, at=at, at_local=utc_to_local(at),
        balance=balance, ladder=tiers.ladder(db.session), locale=str(get_locale()), **context,
    )  # fmt: skip


@bp.get("/gifts/preview")
def gift_preview_shelf():
    """The member shelves as a member of the tier sees them at a moment."""
    who, at, balance = _who()
    return _page(
        "console", who=who, at=at, balance=balance, gift=None,
        views=preview.shelves(db.session, who, at, balance),
        crumbs=[(_("Gifts"), url_for("admin.gifts")), (_("Preview"), None)],
    )  # fmt: skip


@bp.get("/gifts/<int:gift_id>/preview")
def gift_preview(gift_id: int):
    """One gift page as a member of the tier sees it at a moment."""
    gift = db.get_or_404(Gift, gift_id)
    who, at, balance = _who()
    return _page(
        "console", who=who, at=at, balance=balance, gift=gift, views=[],
        state=preview.gift_state(db.session, gift, who, at, balance),
        gate_tier=catalog.lowest_tier(db.session, gift).code if gift.tier_codes else "",
        crumbs=[(_("Gifts"), url_for("admin.gifts")),
                (gift.name, url_for("admin.gift_edit", gift_id=gift.id)), (_("Preview"), None)],
    )  # fmt: skip
