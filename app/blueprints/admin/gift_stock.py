"""A gift's stock movements and code pool, on its page (htmx swaps the card; plain POSTs 303)."""

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.gift_forms import CodesForm, StockForm
from app.blueprints.admin.gift_messages import explain
from app.blueprints.admin.gift_pages import edit_page
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import wants_fragment
from app.models import Gift
from app.services.console import codes, stock
from app.services.console.gift_errors import GiftError
from app.timeutil import utcnow
from app.transaction import committing


def _back(gift_id: int, anchor: str):
    return redirect(url_for("admin.gift_edit", gift_id=gift_id, _anchor=anchor), 303)


@bp.post("/gifts/<int:gift_id>/stock")
def gift_stock(gift_id: int):
    """+N received or −N written off, with a reason; never below 0."""
    gift, form = db.get_or_404(Gift, gift_id), StockForm()
    if not form.validate_on_submit():
        return edit_page(gift, stock_form=form, stock_error=first_error(form), status=422,
                         block="stock")  # fmt: skip
    try:
        with committing():
            movement = stock.move(
                db.session, current_user, gift_id, form.delta(), form.reason.data, now=utcnow()
            )
    except GiftError as exc:
        return edit_page(gift, stock_form=form, stock_error=explain(exc), status=422,
                         block="stock")  # fmt: skip
    notice = _("Stock %(delta)s: now %(n)s.", delta=f"{movement.delta:+d}", n=movement.stock_after)
    if wants_fragment():
        return edit_page(db.session.get(Gift, gift_id), stock_notice=notice, block="stock")
    flash(notice, "success")
    return _back(gift_id, "stock")


def _upload(form: CodesForm) -> bytes:
    upload = form.codes.data
    if not upload or not getattr(upload, "filename", ""):
        raise GiftError("codes_missing")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise GiftError("file_too_large", mb=limit // (1024 * 1024))
    return data


@bp.post("/gifts/<int:gift_id>/codes")
def gift_codes(gift_id: int):
    """Import a CSV of codes into the pool: all of them, or none (with what is wrong)."""
    gift, form = db.get_or_404(Gift, gift_id), CodesForm()
    if not form.validate_on_submit():
        return edit_page(gift, codes_form=form, codes_error=first_error(form), status=422)
    try:
        data = _upload(form)
        with committing():
            done = codes.import_codes(
                db.session, current_user, gift_id, data, now=utcnow(),
                add_stock=form.add_stock.data,
            )  # fmt: skip
    except GiftError as exc:
        return edit_page(gift, codes_form=form, codes_error=explain(exc), status=422)
    message = _("%(n)s codes imported; %(left)s left in the pool.", n=done.count, left=done.free)
    if done.blank_lines:
        message += " " + _(
            "%(n)s blank lines skipped (line %(lines)s).",
            n=len(done.blank_lines), lines=", ".join(map(str, done.blank_lines[:10])),
        )  # fmt: skip
    flash(message, "success")
    return _back(gift_id, "codes")
