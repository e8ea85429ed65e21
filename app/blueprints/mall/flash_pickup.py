"""The flash card's pickup counter (changed on the card, remembered) and the "You got it!" end."""

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.mall import bp
from app.extensions import db
from app.htmx import render, retarget, trigger, wants_fragment
from app.inputs import int_arg
from app.models import Order
from app.security import role_required
from app.services.mall import pickup, snapshot
from app.services.mall.errors import RedeemError
from app.transaction import committing


def _pickup_fragment(member, event_id: int, status: int = 200, **extra):
    """The card's pickup line as it is now (htmx swaps it in place)."""
    stores = snapshot.catalogue(db.session).stores
    store = pickup.shown(member, stores)
    context = {"saved": False, "error": None, **extra}
    response = render(
        "mall/_flash_pickup.html",
        "pickup",
        event_id=event_id,
        store=store,
        stores=stores,
        **context,
    )
    return response, status


@bp.post("/flash/pickup-store")
@role_required("member")
def flash_pickup_store():
    """Remember the counter the member picks on a flash card; an unknown store is refused."""
    event_id, store_id = int_arg(request.form, "event_id", 0), int_arg(request.form, "store_id", 0)
    member = current_user.member.record(db.session)  # the ORM row: it is written
    try:
        with committing():
            pickup.remember(db.session, member, store_id)
    except RedeemError:
        error = _("Choose one of the counters in the list.")
        if wants_fragment():
            return _pickup_fragment(member, event_id, 422, error=error)
        from app.blueprints.mall.routes import flash_page  # routes imports this module's bp

        return flash_page(message=error), 422
    if wants_fragment():
        return _pickup_fragment(member, event_id, saved=True)
    return redirect(url_for("mall.flash") + f"#flash-{event_id}", 303)


def won(order: Order):
    """The answer to a won one-tap: the card turns into the confirmation (htmx), or its page."""
    if not wants_fragment():
        return redirect(url_for("mall.flash_done", order_id=order.id), 303)
    response = render("mall/flash_done.html", "got_it", order=order)
    return trigger(retarget(response, f"#flash-{order.flash_event_id}"))


@bp.get("/flash/done/<int:order_id>")
@role_required("member")
def flash_done(order_id: int):
    """ "You got it!": the flash order won, with the order one tap away."""
    order = db.session.get(Order, order_id)
    if order is None or order.member_id != current_user.member.id or not order.flash_event_id:
        abort(404)
    return render("mall/flash_done.html", "content", order=order, tab="flash")
