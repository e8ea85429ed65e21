"""Checkout and order views: thin wrappers around the redemption and orders services."""

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.checkout import bp
from app.blueprints.checkout.forms import AddressForm
from app.blueprints.forms import first_error
from app.blueprints.messages import explain
from app.engine import writes_on_read
from app.extensions import db
from app.htmx import redirect_after_post, render
from app.security import role_required, safe_next
from app.services.counter import member_code
from app.services.mall import addresses, bookings, orders
from app.services.mall.errors import RedeemError
from app.timeutil import utcnow
from app.transaction import committing


def _order_or_404(order_id: int):
    try:
        return orders.get(db.session, current_user.member.id, order_id, utcnow())
    except orders.OrderNotFound:
        abort(404)


def _query_error(default: str) -> str | None:
    """The message for a failed action, carried across its redirect as `?error=code`."""
    code = request.args.get("error")
    return explain(code, default=default) if code else None


@bp.get("/orders")
@role_required("member")
@writes_on_read
def order_list():
    """The member's orders, newest first."""
    with committing():  # overdue unpaid orders are closed as they are read
        items = orders.for_member(db.session, current_user.member.id, utcnow())
    return render(
        "checkout/orders.html",
        "content",
        orders=items,
        statuses=bookings.shown_statuses(db.session, items),
        tab="orders",
    )


@bp.get("/orders/<int:order_id>")
@role_required("member")
@writes_on_read
def order(order_id: int):
    """One order: status timeline, pickup code, wallet codes, pay or cancel."""
    with committing():
        item = _order_or_404(order_id)
    qr = member_code.qr_svg(item.pickup_code) if item.pickup_code else None
    actions = bookings.actions(db.session, item, utcnow())
    return render(
        "checkout/order.html",
        "content",
        order=item,
        qr=qr,
        tab="orders",
        actions=actions,
        why_not=explain(actions.why_not) if actions.why_not else None,
        error=_query_error(_("That did not work. Please try again.")),
    )


@bp.post("/orders/<int:order_id>/booking/cancel")
@role_required("member")
def booking_cancel(order_id: int):
    """Cancel the appointment and the order before the cut-off: points come back."""
    _order_or_404(order_id)
    try:
        with committing():
            bookings.cancel(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError as exc:
        return redirect(url_for("checkout.order", order_id=order_id, error=exc.code), 303)
    return redirect_after_post(url_for("checkout.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/cancel")
@role_required("member")
def cancel(order_id: int):
    """Cancel before fulfilment: points, stock and cash go back (a booked time: its cut-off)."""
    _order_or_404(order_id)
    try:
        with committing():  # the one cancel path that also frees a booked seat, before the cut-off
            bookings.cancel(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError as exc:
        return redirect(url_for("checkout.order", order_id=order_id, error=exc.code), 303)
    return redirect_after_post(url_for("checkout.order", order_id=order_id))


@bp.get("/orders/<int:order_id>/pay")
@role_required("member")
@writes_on_read
def pay(order_id: int):
    """The payment page (the built-in sandbox provider): the amount, the deadline, pay or cancel."""
    with committing():
        item = _order_or_404(order_id)
    if item.status != "pending_payment":
        return redirect(url_for("checkout.order", order_id=order_id))
    provider = current_app.config.get("PAYMENT_PROVIDER_NAME") or _("Yunlan Pay")
    return render("checkout/pay.html", "content", order=item, provider=provider, tab="orders")


@bp.post("/orders/<int:order_id>/pay")
@role_required("member")
def pay_confirm(order_id: int):
    """The sandbox reports success; the order moves on."""
    _order_or_404(order_id)
    try:
        with committing():
            orders.complete_payment(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError:
        return redirect(url_for("checkout.order", order_id=order_id, error="payment"), 303)
    return redirect_after_post(url_for("checkout.order", order_id=order_id), None)


@bp.post("/me/addresses")
@role_required("member")
def add_address():
    """Add an address to the book, then go back to the gift."""
    form, back = AddressForm(), safe_next(request.form.get("next"), "/")
    back = back if back.startswith("/gifts/") else "/"
    if form.validate_on_submit():
        try:
            with committing():
                addresses.add(
                    db.session,
                    current_user.member.id,
                    recipient=form.recipient.data,
                    phone=form.phone.data,
                    region=form.region.data,
                    detail=form.detail.data,
                )
        except addresses.TooManyAddresses:
            return redirect(f"{back}?address_error=full#checkout", 303)
        return redirect(f"{back}#checkout", 303)
    return redirect(f"{back}?address_error={first_error(form) and 'invalid'}#checkout", 303)
