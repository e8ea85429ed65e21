"""Points clearing (积分清零) in the rules console: preview, request, approve (another
operator), cancel. It runs from `flask points clear --due` on or after its day."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.rule_forms import ClearingForm
from app.blueprints.admin.rule_messages import explain_clearing
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.models import PointClearing
from app.services.console import clearing
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {"id": PointClearing.id, "run_on": PointClearing.run_on}


def _page(form=None, *, error=None, status=200, preview=None):
    return render(
        "admin/rules_clearing.html",
        "console",
        form=form or ClearingForm(formdata=None),
        error=error,
        preview=preview,
        now=utcnow(),
        clearings=table(db.session, clearing.listing(), SORTS, "id"),
        crumbs=[(_("Rules"), url_for("admin.rules")), (_("Points clearing"), None)],
    ), status


@bp.get("/rules/clearing")
def rule_clearing():
    """Clearings requested, approved, run or cancelled, and the form for a new one."""
    return _page()


@bp.post("/rules/clearing")
def rule_clearing_request():
    """Preview a clearing (nothing stored) or request it for a second operator's approval."""
    form, now = ClearingForm(), utcnow()
    if not form.validate_on_submit():
        return _page(form, error=first_error(form), status=422)
    touched = clearing.preview(db.session, form.earned_before.data, now)
    if request.form.get("action") == "preview":
        return _page(form, preview=touched)
    try:
        with committing():
            item = clearing.request(
                db.session,
                current_user,
                earned_before=form.earned_before.data,
                run_on=form.run_on.data,
                note=form.note.data or "",
                now=now,
            )
    except clearing.ClearingError as exc:
        return _page(form, error=explain_clearing(exc), status=422, preview=touched)
    flash(_("Clearing #%(id)s requested: another operator must approve it.", id=item.id), "success")
    return redirect(url_for("admin.rule_clearing"), 303)


@bp.post("/rules/clearing/<int:clearing_id>/<any(approve, cancel):action>")
def rule_clearing_act(clearing_id: int, action: str):
    """Approve (never your own request) or cancel a clearing that has not run."""
    act = clearing.approve if action == "approve" else clearing.cancel
    try:
        with committing():
            act(db.session, current_user, clearing_id, now=utcnow())
    except clearing.ClearingError as exc:
        return _page(error=explain_clearing(exc), status=422)
    flash(
        _("Clearing #%(id)s approved.", id=clearing_id)
        if action == "approve"
        else _("Clearing #%(id)s cancelled.", id=clearing_id),
        "success",
    )
    return redirect(url_for("admin.rule_clearing"), 303)
