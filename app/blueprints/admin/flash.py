"""Flash events: the list, create, edit until the start, end early or cancel, the live monitor."""

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.blueprints.admin import bp
from app.blueprints.admin.flash_forms import CancelForm, EndForm, FlashForm, to_local
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render, wants_fragment
from app.i18n import local_name
from app.models import FlashCancellation, FlashEvent
from app.services.console import flash as flash_service
from app.services.console import flash_monitor as monitoring
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {
    "starts": FlashEvent.starts_at,
    "ends": FlashEvent.ends_at,
    "title": FlashEvent.title,
    "points": FlashEvent.points_price,
    "stock": FlashEvent.stock,
}
ERRORS = {
    "gift": lambda d: _("Choose the gift of the event."),
    "kind": lambda d: _("Flash events can sell gifts, coupons and memberships, not treatments."),
    "title": lambda d: _("Give the event a title."),
    "points": lambda d: _("The points price is at least 1."),
    "cash": lambda d: _("The cash part cannot be negative."),
    "stock": lambda d: _("The stock is between 1 and %(max)s.", max=flash_service.MAX_STOCK),
    "limit": lambda d: _("Each member may take 1 to %(max)s.", max=flash_service.MAX_LIMIT),
    "segment": lambda d: _("Choose who it is for from the list: everyone or one segment."),
    "past_start": lambda d: _("The start is in the past. Leave it empty to start now."),
    "window": lambda d: _("The end must be after the start."),
    "codes": lambda d: _(
        "Only %(n)s codes are left for this gift: lower the stock or import more codes.",
        n=d.get("free", 0),
    ),
    "overlap": lambda d: _(
        "This gift already has a flash event at that time (%(title)s). Choose another window.",
        title=d.get("title", ""),
    ),
    "not_found": lambda d: _("No such flash event."),
    "cancelled": lambda d: _("This event was cancelled; it cannot change any more."),
    "started": lambda d: _(
        "This event has started: only its end can be brought forward, or it can be cancelled."
    ),
    "not_started": lambda d: _("This event has not started: edit it instead."),
    "ended": lambda d: _("This event is over; it cannot change any more."),
    "not_earlier": lambda d: _("The new end must be earlier than the current end."),
}


def _explain(exc: flash_service.FlashError) -> str:
    return ERRORS[exc.code](exc.detail)


def _gift_form(form: FlashForm | None = None) -> FlashForm:
    form = form or FlashForm()
    form.gift_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(g.id, _("%(name)s · stock %(n)s", name=local_name(g), n=g.stock))
        for g in flash_service.gifts(db.session)
    ]
    return form


@bp.get("/flash")
def flash():
    """Every flash event, filterable by status and searchable by title or gift."""
    now, args = utcnow(), console_args()
    wanted = args.get("status", "") if args.get("status") in flash_service.STATUSES else ""
    stmt = flash_service.query(now, wanted, args.get("q", "").strip()[:40])
    events = table(db.session, stmt, SORTS, "starts", scalars=False)
    return render(
        "admin/flash.html", "results", events=events, rows=flash_service.rows(events.rows, now),
        statuses=flash_service.STATUSES, wanted=wanted, crumbs=[(_("Flash events"), None)],
    )  # fmt: skip


def _new_page(form: FlashForm, error: str | None = None, status: int = 200):
    crumbs = [(_("Flash events"), url_for("admin.flash")), (_("New event"), None)]
    return render("admin/flash_new.html", "console", form=form, error=error, crumbs=crumbs), status


@bp.get("/flash/new")
def flash_new():
    """The form for a new event."""
    return _new_page(_gift_form())


@bp.post("/flash/new")
def flash_create():
    """Create an event; bad input is shown on the form and nothing is written."""
    form = _gift_form()
    if not form.validate_on_submit():
        return _new_page(form, first_error(form), 422)
    try:
        with committing():
            event = flash_service.create(db.session, current_user, form.draft(), now=utcnow())
    except flash_service.FlashError as exc:
        return _new_page(form, _explain(exc), 422)
    return redirect(url_for("admin.flash_detail", event_id=event.id), 303)


def _detail(event_id: int, form=None, error: str | None = None, status: int = 200, block="console"):
    event, now = db.get_or_404(FlashEvent, event_id), utcnow()
    cancellation = db.session.get(FlashCancellation, event_id)
    watch = monitoring.monitor(db.session, event, cancellation is not None, now)
    if block == "monitor":
        pass  # the polled fragment draws no form
    elif form is None and watch.status == "upcoming":
        form = _gift_form()
        form.fill(event)
    elif form is None:
        form = EndForm(ends_at=to_local(event.ends_at))
    response = render(
        "admin/flash_detail.html", block, event=event, watch=watch, form=form, error=error,
        cancellation=cancellation, cancel_form=CancelForm(),
        crumbs=[(_("Flash events"), url_for("admin.flash")), (event.title, None)],
    )  # fmt: skip
    response.status_code = 286 if block == "monitor" and watch.over else status
    return response


@bp.get("/flash/<int:event_id>")
def flash_detail(event_id: int):
    """The event: its settings (editable until the start), the monitor, cancel."""
    return _detail(event_id)


@bp.get("/flash/<int:event_id>/monitor")
def flash_monitor(event_id: int):
    """The monitor alone for htmx polling (286 stops it once the event is over); else the page."""
    return _detail(event_id, block="monitor" if wants_fragment() else "console")


@bp.post("/flash/<int:event_id>")
def flash_update(event_id: int):
    """Save the edit form (an upcoming event), or the new end (a running one)."""
    event, now = db.get_or_404(FlashEvent, event_id), utcnow()
    upcoming = now < event.starts_at
    form = _gift_form() if upcoming else EndForm()
    if not form.validate_on_submit():
        return _detail(event_id, form, first_error(form), 422)
    try:
        with committing():
            if upcoming:
                flash_service.update(db.session, current_user, event_id, form.draft(), now=now)
            else:
                ends = form.ends()
                flash_service.end_earlier(db.session, current_user, event_id, ends, now=now)
    except flash_service.FlashError as exc:
        return _detail(event_id, form, _explain(exc), 422)
    return redirect(url_for("admin.flash_detail", event_id=event_id), 303)


@bp.post("/flash/<int:event_id>/cancel")
def flash_cancel(event_id: int):
    """Cancel an event that is not over; members who already redeemed keep their orders."""
    form = CancelForm()
    if not form.validate_on_submit():
        return _detail(event_id, error=first_error(form) or _("Reload the page and try again."),
                       status=422)  # fmt: skip
    try:
        with committing():
            flash_service.cancel(
                db.session, current_user, event_id, now=utcnow(), reason=form.reason.data or ""
            )
    except flash_service.FlashError as exc:
        return _detail(event_id, error=_explain(exc), status=422)
    return redirect(url_for("admin.flash_detail", event_id=event_id), 303)
