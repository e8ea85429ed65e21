"""Stores in the console: list, create, edit, close; counter stock; service slots in bulk."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.blueprints.admin import bp
from app.blueprints.admin.member_forms import ReasonRequiredForm
from app.blueprints.admin.store_forms import (
    SlotsForm,
    StockForm,
    StoreEditForm,
    StoreForm,
    parse_times,
)
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.i18n import local_name
from app.models import Gift, ServiceSlot, Store
from app.services.console import slots as console_slots
from app.services.console import stores as console_stores
from app.services.console.slots import SlotPlan
from app.services.console.stores import StoreError
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {"code": Store.code, "name": Store.name, "city": Store.city}
ERRORS = {
    "invalid": lambda d: _("Check the store code (e.g. SH002) and the name."),
    "taken": lambda d: _("This store code is already in use."),
    "not_found": lambda d: _("No such store or slot."),
    "reason": lambda d: _("Say why (the audit log keeps it)."),
    "delta": lambda d: _("Enter units other than 0, at most %(max)s at a time.",
                         max=f"{d.get('max', 0):,}"),
    "gift": lambda d: _("Choose a gift."),
    "stock": lambda d: _("The counter has only %(n)s of this gift: it cannot go below zero.",
                         n=d.get("left", 0)),
    "service": lambda d: _("Choose a service (treatment) gift."),
    "days": lambda d: _("Choose days from today on, at most three months, and at least one "
                        "weekday and time."),
    "too_many": lambda d: _("That would make %(asked)s slots; at most %(max)s at once.",
                            asked=d.get("asked"), max=d.get("max")),
    "closed": lambda d: _("This store is closed: open it again before adding slots."),
}  # fmt: skip


def _error(exc: StoreError) -> str:
    return ERRORS[exc.code](exc.detail)


@bp.get("/stores")
def stores(form=None, error=None, status=200):
    """Every store with its open slots; a form for a new one."""
    stmt = console_stores.query(console_args().get("q", "")[:40])
    return render(
        "admin/stores.html",
        "console",
        found=table(db.session, stmt, SORTS, "code", default_desc=False),
        slot_counts=console_slots.slot_counts(db.session, utcnow()),
        form=form or StoreForm(formdata=None),
        error=error,
        crumbs=[(_("Stores & slots"), None)],
    ), status


@bp.post("/stores")
def store_create():
    """Create a store."""
    form = StoreForm()
    if not form.validate_on_submit():
        return stores(form, first_error(form), 422)
    try:
        with committing():
            store = console_stores.create(
                db.session, current_user, form.code.data, form.name.data, form.city.data or "",
                now=utcnow(), names=form.names(),
            )  # fmt: skip
    except StoreError as exc:
        return stores(form, _error(exc), 422)
    flash(_("Store %(code)s created.", code=store.code), "success")
    return redirect(url_for("admin.store_detail", store_id=store.id), 303)


def _choices(form, kind: str | None = None) -> None:
    stmt = select(Gift).order_by(Gift.name)
    if kind:
        stmt = stmt.where(Gift.kind == kind)
    form.gift_id.choices = [SelectChoice(g.id, local_name(g)) for g in db.session.scalars(stmt)]


def _detail(store_id: int, status: int = 200, **forms):
    store = db.session.get(Store, store_id)
    if store is None:
        abort(404)
    edit = forms.pop("edit_form", None) or StoreEditForm(formdata=None).show(store)
    stock, slots = forms.pop("stock_form", None), forms.pop("slots_form", None)
    if stock is None:
        _choices(stock := StockForm(formdata=None))
    if slots is None:
        _choices(slots := SlotsForm(formdata=None), "service")
    now = utcnow()
    return render(
        "admin/store_detail.html",
        "console",
        store=store,
        stock=console_stores.counter_stock(db.session, store.id),
        slots=console_slots.upcoming_slots(db.session, store.id, now),
        edit_form=edit,
        stock_form=stock,
        slots_form=slots,
        reason_form=ReasonRequiredForm(formdata=None),
        crumbs=[(_("Stores & slots"), url_for("admin.stores")), (store.code, None)],
        **forms,
    ), status


@bp.get("/stores/<int:store_id>")
def store_detail(store_id: int):
    """One store: its details, counter stock and the coming slots."""
    return _detail(store_id)


def _done(store_id: int, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for("admin.store_detail", store_id=store_id) + anchor, 303)


@bp.post("/stores/<int:store_id>")
def store_update(store_id: int):
    """Rename a store or change its city."""
    form = StoreEditForm()
    if not form.validate_on_submit():
        return _detail(store_id, 422, edit_form=form, edit_error=first_error(form))
    try:
        with committing():
            console_stores.update_store(
                db.session, current_user, store_id, form.name.data, form.city.data or "",
                now=utcnow(), names=form.names(),
            )  # fmt: skip
    except StoreError as exc:
        return _detail(store_id, 422, edit_form=form, edit_error=_error(exc))
    return _done(store_id, _("Store saved."))


@bp.post("/stores/<int:store_id>/<any(close, reopen):action>")
def store_open(store_id: int, action: str):
    """Close a store (its future slots close, booked members are told) or reopen it."""
    form = ReasonRequiredForm()
    if not form.validate_on_submit():
        return _detail(store_id, 422, close_error=first_error(form))
    try:
        with committing():
            cancelled = console_stores.set_open(
                db.session, current_user, store_id, action == "reopen", form.reason.data,
                now=utcnow(),
            )  # fmt: skip
    except StoreError as exc:
        return _detail(store_id, 422, close_error=_error(exc))
    if action == "reopen":
        return _done(store_id, _("Store open again."))
    return _done(store_id, _("Store closed; %(n)s bookings cancelled and the members told.",
                             n=cancelled))  # fmt: skip


@bp.post("/stores/<int:store_id>/stock")
def store_stock(store_id: int):
    """A counter stock movement: received or written off, never below zero."""
    form = StockForm()
    _choices(form)
    if not form.validate_on_submit():
        return _detail(store_id, 422, stock_form=form, stock_error=first_error(form))
    try:
        with committing():
            level = console_stores.move_stock(
                db.session, current_user, store_id, form.gift_id.data or 0, form.delta.data,
                form.reason.data, now=utcnow(),
            )  # fmt: skip
    except StoreError as exc:
        return _detail(store_id, 422, stock_form=form, stock_error=_error(exc))
    return _done(store_id, _("Counter stock is now %(n)s.", n=level), "#stock")


@bp.post("/stores/<int:store_id>/slots")
def store_slots(store_id: int):
    """Service slots in bulk: days, weekdays, times, length and capacity."""
    form = SlotsForm()
    _choices(form, "service")
    if not form.validate_on_submit():
        return _detail(store_id, 422, slots_form=form, slots_error=first_error(form))
    plan = SlotPlan(
        gift_id=form.gift_id.data or 0, first_day=form.first_day.data,
        last_day=form.last_day.data, weekdays=frozenset(int(d) for d in form.weekdays.data),
        times=parse_times(form.times.data), minutes=form.minutes.data,
        capacity=form.capacity.data,
    )  # fmt: skip
    try:
        with committing():
            made = console_slots.create_slots(db.session, current_user, store_id, plan,
                                               now=utcnow())  # fmt: skip
    except StoreError as exc:
        return _detail(store_id, 422, slots_form=form, slots_error=_error(exc))
    return _done(store_id, _("%(n)s slots created.", n=made), "#slots")


@bp.post("/stores/slots/<int:slot_id>/close")
def store_slot_close(slot_id: int):
    """Close a slot: its bookings are cancelled and the members told on their order page."""
    slot = db.session.get(ServiceSlot, slot_id)
    if slot is None:
        abort(404)
    form = ReasonRequiredForm()
    if not form.validate_on_submit():
        return _detail(slot.store_id, 422, slot_error=first_error(form))
    try:
        with committing():
            cancelled = console_slots.close_slot(
                db.session, current_user, slot_id, form.reason.data, now=utcnow()
            )
    except StoreError as exc:
        return _detail(slot.store_id, 422, slot_error=_error(exc))
    return _done(slot.store_id, _("Slot closed; %(n)s bookings cancelled and the members told.",
                                  n=cancelled), "#slots")  # fmt: skip
