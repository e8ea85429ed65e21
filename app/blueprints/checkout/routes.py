"""Checkout and order views: thin wrappers around the redemption and orders services."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.blueprints.auth.forms import first_error
from app.blueprints.checkout import bp
from app.blueprints.checkout.forms import AddressForm, CheckoutForm, redeem_message
from app.blueprints.mall.routes import gift_page, tier_name
from app.engine import writes_on_read
from app.extensions import db
from app.htmx import redirect_after_post, render
from app.models import Gift
from app.security import role_required
from app.services.counter import member_code
from app.services.mall import addresses, bookings, orders, redemption
from app.services.mall.errors import RedeemError
from app.services.mall.redemption import Checkout
from app.timeutil import utcnow


def _choice(form: CheckoutForm) -> Checkout:
    rate = form.expected_rate.data
    return Checkout(
        qty=form.qty.data,
        delivery=form.delivery.data,
        store_id=form.store_id.data,
        address_id=form.address_id.data,
        yuan_by_points=form.yuan_by_points.data or 0,
        expected_rate=int(rate) if rate and rate.isdigit() else None,
        request_key=form.request_key.data,
        slot_id=form.slot_id.data,
    )


@bp.post("/gifts/<int:gift_id>/redeem")
@role_required("member")
def redeem(gift_id: int):
    """Confirm a redemption: one transaction for stock, limit, points and the order."""
    gift, form = db.get_or_404(Gift, gift_id), CheckoutForm()
    if not form.validate_on_submit():
        return gift_page(gift, form, first_error(form), 422, "checkout")
    try:
        order = redemption.redeem(
            db.session, current_user.member.id, gift_id, _choice(form), now=utcnow()
        )
    except RedeemError as exc:
        db.session.rollback()
        return gift_page(gift, form, redeem_message(exc, tier_name), 422, "checkout")
    db.session.commit()
    target = (
        url_for("checkout.pay", order_id=order.id)
        if order.status == "pending_payment"
        else url_for("checkout.order", order_id=order.id)
    )
    return redirect_after_post(target)


def _order_or_404(order_id: int):
    try:
        return orders.get(db.session, current_user.member.id, order_id, utcnow())
    except orders.OrderNotFound:
        abort(404)


@bp.get("/orders")
@role_required("member")
@writes_on_read
def order_list():
    """The member's orders, newest first."""
    items = orders.for_member(db.session, current_user.member.id, utcnow())
    db.session.commit()  # overdue unpaid orders were just closed
    return render("checkout/orders.html", "content", orders=items, tab="orders")


@bp.get("/orders/<int:order_id>")
@role_required("member")
@writes_on_read
def order(order_id: int):
    """One order: status timeline, pickup code, wallet codes, pay or cancel."""
    item = _order_or_404(order_id)
    db.session.commit()
    qr = member_code.qr_svg(item.pickup_code) if item.pickup_code else None
    return render(
        "checkout/order.html",
        "content",
        order=item,
        qr=qr,
        tab="orders",
        booking=bookings.current(db.session, item.id),
        error=request.args.get("error"),
    )


@bp.get("/orders/<int:order_id>/book")
@role_required("member")
def book(order_id: int):
    """Choose a store, day and time for a service order."""
    item = _order_or_404(order_id)
    slots = bookings.open_slots(db.session, item.gift_id, utcnow())
    return render(
        "checkout/book.html",
        "content",
        order=item,
        days=bookings.day_slots(slots),
        booking=bookings.current(db.session, item.id),
        tab="orders",
        error=request.args.get("error"),
    )


@bp.post("/orders/<int:order_id>/book")
@role_required("member")
def book_confirm(order_id: int):
    """Book or move the appointment; a full slot or a passed cut-off says so."""
    _order_or_404(order_id)
    slot_id = request.form.get("slot_id", type=int)
    try:
        bookings.book(db.session, current_user.member.id, order_id, slot_id or 0, now=utcnow())
    except RedeemError as exc:
        db.session.rollback()
        return redirect(url_for("checkout.book", order_id=order_id, error=exc.code), 303)
    db.session.commit()
    return redirect_after_post(url_for("checkout.order", order_id=order_id), None)


@bp.post("/orders/<int:order_id>/booking/cancel")
@role_required("member")
def booking_cancel(order_id: int):
    """Cancel the appointment and the order before the cut-off: points come back."""
    _order_or_404(order_id)
    try:
        bookings.cancel(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError as exc:
        db.session.rollback()
        return redirect(url_for("checkout.order", order_id=order_id, error=exc.code), 303)
    db.session.commit()
    return redirect_after_post(url_for("checkout.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/cancel")
@role_required("member")
def cancel(order_id: int):
    """Cancel before fulfilment: points, stock and cash go back."""
    _order_or_404(order_id)
    try:
        orders.cancel(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError:
        db.session.rollback()
        return redirect(url_for("checkout.order", order_id=order_id, error="cannot_cancel"), 303)
    db.session.commit()
    return redirect_after_post(url_for("checkout.order", order_id=order_id))


@bp.get("/orders/<int:order_id>/pay")
@role_required("member")
@writes_on_read
def pay(order_id: int):
    """The sandbox payment provider's page: pay or cancel."""
    item = _order_or_404(order_id)
    db.session.commit()
    if item.status != "pending_payment":
        return redirect(url_for("checkout.order", order_id=order_id))
    return render("checkout/pay.html", "content", order=item, tab="orders")


@bp.post("/orders/<int:order_id>/pay")
@role_required("member")
def pay_confirm(order_id: int):
    """The sandbox reports success; the order moves on."""
    _order_or_404(order_id)
    try:
        orders.complete_payment(db.session, current_user.member.id, order_id, now=utcnow())
    except RedeemError:
        db.session.rollback()
        return redirect(url_for("checkout.order", order_id=order_id, error="payment"), 303)
    db.session.commit()
    return redirect_after_post(url_for("checkout.order", order_id=order_id), None)


@bp.post("/me/addresses")
@role_required("member")
def add_address():
    """Add an address to the book, then go back to the gift."""
    form, back = AddressForm(), request.form.get("next", "/")
    back = back if back.startswith("/gifts/") else "/"
    if form.validate_on_submit():
        try:
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
        db.session.commit()
        return redirect(f"{back}#checkout", 303)
    return redirect(f"{back}?address_error={first_error(form) and 'invalid'}#checkout", 303)
