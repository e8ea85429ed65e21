"""The gift page: its facts kept for everyone, its checkout kept per state and address book.

The checkout a member sees depends on the gift's state for them (locked, limit, short …), their
address book, the free service slots and the points-as-cash split — not on who they are; it is
kept under exactly those, with holes for the form's request key and the CSRF token.
"""

import secrets

from flask import request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block

from app import holes
from app.blueprints.mall.forms import CheckoutForm
from app.blueprints.messages import explain
from app.extensions import db
from app.holes import Hole
from app.services.analytics.shelf_stats import VIAS
from app.services.mall import (
    addresses,
    bookings,
    catalog,
    next_step,
    pricing,
    snapshot,
    storefront,
)
from app.services.notify import subscriptions
from app.services.points import balances
from app.services.tasks import reviews

TEMPLATE = "mall/gift.html"


def usable(field):
    """A field's value for arithmetic on the page: its default when it failed validation."""
    return field.default if field.errors else field.data


def _data(gift, member, now, qty: int, yuan: int, error, priced_for=None) -> dict:
    """`priced_for`: the member whose tier prices the page (default: `member`)."""
    unit = pricing.unit_points(db.session, gift, priced_for or member, now)
    slots = bookings.open_slots(db.session, gift.id, now) if gift.kind == "service" else []
    state = catalog.state(db.session, gift, member, now, price=unit)
    return {
        "gift": gift,
        "error": error,
        **_cash(gift, member, now, qty, yuan, unit, error),
        "unit_points": unit,
        "member_day": unit != gift.points_price,
        "slot_days": bookings.day_slots(slots),
        "now": now,
        "gate_tier": catalog.gate_tier(db.session, gift),
        "state": state,
        "tier_gap": _tier_gap(member, state, now),
        **_notify_me(gift, member, state),
        "stores": snapshot.catalogue(db.session).stores,
        "addresses": addresses.for_member(db.session, member.id) if member else [],
        "locale": str(get_locale()),
        "tab": "mall",
    }


def _cash(gift, member, now, qty: int, yuan: int, unit: int, error) -> dict:
    """The split line by line; points pay no more of the cash than the cap and the member's
    points left after the gift's own allow."""
    split = refused = None
    balance = balances.current(db.session, member.id, now).balance if member else None
    gift_points = unit * qty
    if gift.cash_fen:
        afford = None if balance is None else (balance, gift_points)
        split, refused = pricing.preview(db.session, gift.cash_fen * qty, yuan, now, afford)
    total = gift_points + (split.points_for_cash if split else 0)
    return {
        "split": split,
        "cash_refused": refused is not None,  # points cannot pay that much: no totals to show
        # why, in the breakdown itself (after a refused confirmation the form's top says it)
        "cash_error": explain(refused) if refused and not error else None,
        "gift_points": gift_points,
        "total_points": total,
        "balance_after": None if balance is None else balance - total,
    }


def _tier_gap(member, state, now) -> int:
    """¥ of purchases still needed for the tier a locked gift asks for (0 otherwise)."""
    if member is None or state.status != "locked":
        return 0
    return next_step.tier_gap(db.session, member, state.locked_reason, now)


def _notify_me(gift, member, state) -> dict:
    """The "notify me" offer on a sold-out or upcoming gift, and whether the member took it."""
    offer = member is not None and state.status in subscriptions.REASONS
    return {
        "notify_me": offer,
        "waiting": offer and subscriptions.waiting(db.session, member.id, gift.id),
    }


def via(form=None) -> str:
    """The shelf the member came from ('' when none): the form's, else the link's `?via=`."""
    value = (form.via.data if form is not None else None) or request.args.get("via", "")
    return value if value in VIAS else ""


def context(gift, member, now, form=None, error=None, priced_for=None) -> dict:
    """Everything the gift page shows this member (or visitor), with the form as filled in."""
    came_from = via(form)
    form = form or CheckoutForm(request_key=secrets.token_urlsafe(16))
    qty, yuan = usable(form.qty) or 1, usable(form.yuan_by_points) or 0
    data = _data(gift, member, now, qty, yuan, error, priced_for)
    return data | {"form": form, "reviews": reviews.shown(db.session, gift.id), "via": came_from}


def page(gift, member, now):
    """The gift page for a visitor, or a member (whose checkout is filled in per request)."""
    unit = pricing.unit_points(db.session, gift, member, now)  # member day: per tier, per day
    key = ("gift", gift.id, member is not None, str(get_locale()), unit)
    return holes.render(
        TEMPLATE,
        "content",
        key,
        now,
        lambda: (_holed(gift, member, now), _until(gift, now)),
        lambda names: _values(gift, member, now),
    )


def _until(gift, now):
    """The page is right until the catalogue's next change or, for a gift with member-day
    prices, the next brand-local midnight (the day's price ends there)."""
    cuts = [storefront.next_change(db.session, now), pricing.price_until(db.session, gift.id, now)]
    return min((c for c in cuts if c is not None), default=None)


def _holed(gift, member, now) -> dict:
    page_context = context(gift, None, now, priced_for=member)  # the same for the whole tier
    page_context["now"] = Hole("now")
    if member is not None:
        page_context.update(
            checkout_hole=Hole("checkout"),
            address_hole=Hole("address"),
            header_balance=Hole("balance"),
            header_unread=Hole("unread"),
        )
    return page_context


def _values(gift, member, now) -> dict:
    from app.blueprints.mall.pages import common  # pages builds on this module's neighbours

    values = common(member, now)
    if member is None:
        return values
    data = _data(gift, member, now, 1, 0, None)
    key = (
        gift.id,
        data["locale"],
        data["unit_points"],
        data["state"],
        data["waiting"],
        data["split"],
        data["cash_error"],
        data["balance_after"],
        data["tier_gap"],
        tuple((a.id, a.recipient, a.region, a.detail) for a in data["addresses"]),
        tuple(
            (s.id, s.free, s.starts_at, s.store_id) for d in data["slot_days"].values() for s in d
        ),
    )
    fill = {"rkey": secrets.token_urlsafe(16), "csrf": generate_csrf(), "via": via()}
    for block in ("checkout", "address"):
        shape = holes.kept((TEMPLATE, block, *key), now, lambda b=block: _block(b, data))
        values[block] = shape.fill(fill)
    return values


def _slots(data: dict) -> list:
    return [slot for day in data["slot_days"].values() for slot in day]


def _block(block: str, data: dict) -> tuple:
    form = CheckoutForm(request_key=Hole("rkey"))
    context = data | {"form": form, "csrf_token": holes.csrf_hole, "via": Hole("via")}
    return render_block(TEMPLATE, block, **context), None
