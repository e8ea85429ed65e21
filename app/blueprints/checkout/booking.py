"""The booking page: pick the store, then the day, then the time (a service order's appointment)."""

from babel.dates import format_skeleton
from flask import abort, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.checkout import bp
from app.blueprints.checkout.routes import _query_error
from app.extensions import db
from app.htmx import redirect_after_post, render
from app.inputs import date_arg, int_arg
from app.security import role_required
from app.services.mall import bookings, slot_grid
from app.services.mall.errors import RedeemError
from app.timeutil import utcnow
from app.transaction import committing


def _service_order_or_404(order_id: int):
    """The member's service order; any other order has no booking page."""
    try:
        return bookings.service_order(db.session, current_user.member.id, order_id)
    except bookings.BookingError:
        abort(404)


def _month_day(day) -> str:
    """A day chip's date in the member's language ("Dec 2", "12月2日")."""
    return format_skeleton("MMMd", day, locale=get_locale())


@bp.get("/orders/<int:order_id>/book")
@role_required("member")
def book(order_id: int):
    """Choose a store, a day and a time (`?store=&day=` re-render the picker; htmx swaps it)."""
    item, now = _service_order_or_404(order_id), utcnow()
    actions = bookings.actions(db.session, item, now)
    if not (actions.can_book or actions.can_change):
        return redirect(url_for("checkout.order", order_id=order_id), 303)
    picker = slot_grid.grid(
        bookings.open_slots(db.session, item.gift_id, now),
        now,
        store_id=int_arg(request.args, "store", 0) or None,
        day=date_arg(request.args, "day"),
        booking=actions.booking,
    )
    return render(
        "checkout/book.html",
        "picker",
        order=item,
        picker=picker,
        month_day=_month_day,
        booking=actions.booking,
        tab="orders",
        error=_query_error(_("That time cannot be booked. Please choose another.")),
    )


@bp.post("/orders/<int:order_id>/book")
@role_required("member")
def book_confirm(order_id: int):
    """Book or move the appointment; a full, past or unknown slot is refused with the reason."""
    _service_order_or_404(order_id)
    slot_id, store_id = int_arg(request.form, "slot_id", 0), int_arg(request.form, "store", 0)
    try:
        with committing():
            bookings.book(
                db.session,
                current_user.member.id,
                order_id,
                slot_id,
                now=utcnow(),
                store_id=store_id or None,
            )
    except RedeemError as exc:
        day = date_arg(request.form, "day")  # the picker comes back where the member was
        kept = {"store": store_id or None, "day": day.isoformat() if day else None}
        return redirect(url_for("checkout.book", order_id=order_id, error=exc.code, **kept), 303)
    return redirect_after_post(url_for("checkout.order", order_id=order_id), None)
