"""The gift library (礼品库): the brand's templates; "list this" makes a gift in one click."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.forms import ReasonForm
from app.blueprints.admin.gift_messages import explain
from app.blueprints.admin.tables import table
from app.extensions import db
from app.htmx import render
from app.models import GiftTemplate
from app.services.console import library as gift_library
from app.services.console.gift_errors import GiftError
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {"sort": GiftTemplate.sort, "name": GiftTemplate.name, "points": GiftTemplate.points_price}


@bp.get("/library", endpoint="library")
def library_list():
    """Every template, with what it would list as."""
    rows = table(db.session, gift_library.templates(), SORTS, "sort", default_desc=False)
    return render(
        "admin/library.html", "console", rows=rows, action_form=ReasonForm(formdata=None),
        crumbs=[(_("Gift library"), None)],
    )  # fmt: skip


@bp.post("/library/<int:template_id>/list")
def library_use(template_id: int):
    """A new gift from the template (no stock, not on sale yet), opened for editing."""
    if not ReasonForm().validate_on_submit():
        return redirect(url_for("admin.library"), 303)
    try:
        with committing():
            gift = gift_library.list_template(db.session, current_user, template_id, now=utcnow())
    except GiftError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(explain(exc), "error")
        return redirect(url_for("admin.library"), 303)
    flash(
        _("Listed from the library as gift %(id)s. It is not on sale yet: add stock and set "
          "“On sale from”, and clear “On sale until”.", id=gift.id),
        "success",
    )  # fmt: skip
    return redirect(url_for("admin.gift_edit", gift_id=gift.id), 303)
