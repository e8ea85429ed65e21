"""Staff accounts: list, create (advisors bound to a store), reset a password, disable."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.blueprints.admin import bp
from app.blueprints.admin.forms import ReasonForm, StaffForm
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.i18n import local_name
from app.models import Store, User
from app.services.console import staff
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {
    "id": User.staff_id,
    "name": User.display_name,
    "role": User.role,
    "created": User.created_at,
}
ERRORS = {
    "invalid": lambda: _("Check the staff ID and role."),
    "taken": lambda: _("This staff ID is already in use."),
    "store": lambda: _("Choose the advisor's store."),
    "not_found": lambda: _("No such staff account."),
    "self": lambda: _("You cannot disable your own account."),
}


def _form() -> StaffForm:
    form = StaffForm()
    stores = db.session.scalars(select(Store).order_by(Store.code)).all()
    choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, f"{s.code} {local_name(s)}") for s in stores
    ]
    form.store_id.choices = choices
    return form


def _page(form=None, error=None, status=200, new_password=None):
    args = console_args()
    stmt = staff.query(args.get("q", "").strip()[:40], args.get("role", ""))
    return render(
        "admin/staff.html",
        "console",
        staff_table=table(db.session, stmt, SORTS, "id", default_desc=False),
        form=form or _form(),
        error=error,
        new_password=new_password,
        action_form=ReasonForm(),
        crumbs=[(_("Staff"), None)],
    ), status


@bp.get("/staff")
def staff_list():
    """Every staff account, searchable by ID or name, filterable by role."""
    return _page()


@bp.post("/staff")
def staff_create():
    """Create an account; its temporary password is shown once."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, first_error(form), 422)
    new = staff.NewStaff(
        form.staff_id.data.strip(), form.display_name.data.strip(), form.role.data,
        form.store_id.data or None,
    )  # fmt: skip
    try:
        with committing():
            user, password = staff.create(db.session, current_user, new, now=utcnow())
    except staff.StaffError as exc:
        return _page(form, ERRORS[exc.code](), 422)
    flash(_("Account %(id)s created.", id=user.staff_id), "success")
    return _page(new_password=(user.staff_id, password))


@bp.post("/staff/<int:user_id>/reset")
def staff_reset(user_id: int):
    """A new temporary password (shown once); the account must change it at next login."""
    if not ReasonForm().validate_on_submit():
        return redirect(url_for("admin.staff_list"), 303)
    try:
        with committing():
            password = staff.reset_password(db.session, current_user, user_id, now=utcnow())
    except staff.StaffError as exc:
        return _page(error=ERRORS[exc.code](), status=404)
    user = db.session.get(User, user_id)
    return _page(new_password=(user.staff_id, password))


@bp.post("/staff/<int:user_id>/<any(disable, enable):action>")
def staff_active(user_id: int, action: str):
    """Disable (sessions end at once) or enable an account."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.staff_list"), 303)
    try:
        with committing():
            staff.set_active(
                db.session, current_user, user_id, action == "enable", now=utcnow(),
                reason=form.reason.data or "",
            )  # fmt: skip
    except staff.StaffError as exc:
        return _page(error=ERRORS[exc.code](), status=422)
    return redirect(url_for("admin.staff_list", **request.args), 303)
