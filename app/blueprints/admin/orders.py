"""Orders in the console: search and filters, the order page, ship, cancel and refund."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.blueprints.admin import bp
from app.blueprints.admin.member_forms import ReasonRequiredForm, ShipForm
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.inputs import date_arg, parse_int
from app.labels import label
from app.models import Booking, Member, Order, Payment, Store
from app.models.order import ORDER_STATUSES
from app.services.console import orders as console_orders
from app.services.console.orders import OrderError
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {
    "created": Order.created_at,
    "order_no": Order.order_no,
    "points": Order.points,
    "status": Order.status,
}
ERRORS = {
    "not_found": lambda d: _("No such order."),
    "tracking": lambda d: _("Choose the carrier and enter the tracking number."),
    "not_shippable": lambda d: _("Only a shipping order that is waiting to be shipped can be "
                                 "shipped (this one is %(status)s).",
                                 status=label("order_status", d.get("status"))),
    "not_cancellable": lambda d: _("This order can no longer be cancelled (%(status)s). A "
                                   "fulfilled order is refunded instead.",
                                   status=label("order_status", d.get("status"))),
    "not_refundable": lambda d: _("Only a fulfilled order can be refunded, and never coupons or "
                                  "codes already revealed (this one is %(status)s).",
                                  status=label("order_status", d.get("status"))),
    "reason": lambda d: _("Say why (the audit log keeps it)."),
}  # fmt: skip


def _filter() -> console_orders.OrderFilter:
    """The filter the query string asks for (bad values are ignored, never a 500)."""
    args = console_args()
    return console_orders.OrderFilter(
        search=args.get("q", "")[:40],
        status=args.get("status", ""),
        kind=args.get("kind", ""),
        delivery=args.get("delivery", ""),
        store_id=parse_int(args.get("store", ""), 1),
        since=date_arg(args, "from"),
        until=date_arg(args, "to"),
    )


@bp.get("/orders")
def orders():
    """Every redemption order, searchable and filterable, sorted and paged on the server."""
    stmt = console_orders.query(_filter()).add_columns(Member.member_no, Member.name)
    return render(
        "admin/orders.html",
        "results",
        found=table(db.session, stmt, SORTS, "created", scalars=False),
        statuses=ORDER_STATUSES,
        kinds=console_orders.KINDS,
        deliveries=console_orders.DELIVERIES,
        stores=db.session.scalars(select(Store).order_by(Store.code)).all(),
        crumbs=[(_("Orders"), None)],
    )


def _detail(order_id: int, status: int = 200, **extra):
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    bookings = db.session.scalars(
        select(Booking).where(Booking.order_id == order.id).order_by(Booking.id)
    ).all()
    return render(
        "admin/order_detail.html",
        "console",
        o=order,
        member=db.session.get(Member, order.member_id),
        payment=db.session.scalar(select(Payment).where(Payment.order_id == order.id)),
        bookings=bookings,
        ship_form=extra.pop("ship_form", None) or ShipForm(formdata=None),
        action_form=extra.pop("action_form", None) or ReasonRequiredForm(formdata=None),
        cancellable=order.status in console_orders.orders.CANCELLABLE,
        refundable=order.status == "completed" and order.delivery != "wallet",
        crumbs=[(_("Orders"), url_for("admin.orders")), (order.order_no, None)],
        **extra,
    ), status


@bp.get("/orders/<int:order_id>")
def order_detail(order_id: int):
    """One order: member, gift, points and cash, delivery, timeline; ship, cancel or refund."""
    return _detail(order_id)


@bp.post("/orders/<int:order_id>/ship")
def order_ship(order_id: int):
    """Ship a shipping order: carrier and tracking number, which the member then sees."""
    form = ShipForm()
    if not form.validate_on_submit():
        return _detail(order_id, 422, ship_form=form, ship_error=first_error(form))
    try:
        with committing():
            console_orders.ship(
                db.session, current_user, order_id, form.carrier.data, form.tracking_no.data,
                now=utcnow(),
            )  # fmt: skip
    except OrderError as exc:
        return _detail(order_id, 422 if exc.code != "not_found" else 404, ship_form=form,
                       ship_error=ERRORS[exc.code](exc.detail))  # fmt: skip
    flash(_("Shipped: the member sees the carrier and tracking number."), "success")
    return redirect(url_for("admin.order_detail", order_id=order_id), 303)


@bp.post("/orders/<int:order_id>/<any(cancel, refund):action>")
def order_close(order_id: int, action: str):
    """Cancel (not yet fulfilled) or refund (fulfilled, came back): exact lots, stock, cash."""
    form = ReasonRequiredForm()
    if not form.validate_on_submit():
        return _detail(order_id, 422, action_form=form, action_error=first_error(form))
    change = console_orders.cancel if action == "cancel" else console_orders.refund
    try:
        with committing():
            change(db.session, current_user, order_id, form.reason.data, now=utcnow())
    except OrderError as exc:
        return _detail(order_id, 422 if exc.code != "not_found" else 404, action_form=form,
                       action_error=ERRORS[exc.code](exc.detail))  # fmt: skip
    flash(_("Order cancelled: points, stock and cash went back.") if action == "cancel"
          else _("Order refunded: points, stock and cash went back."), "success")  # fmt: skip
    return redirect(url_for("admin.order_detail", order_id=order_id), 303)
