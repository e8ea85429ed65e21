"""Gifts (礼品管理): the list, create and edit (CONTRACT.md field names), duplicate."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.blueprints.admin import bp
from app.blueprints.admin.forms import ReasonForm
from app.blueprints.admin.gift_forms import GiftEditForm, GiftForm
from app.blueprints.admin.gift_messages import explain
from app.blueprints.admin.gift_pages import choices, edit_page, new_page
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.inputs import parse_int
from app.models import Gift, Shelf
from app.services.console import gifts, images
from app.services.console.gift_errors import GiftError
from app.timeutil import utcnow
from app.transaction import committing

UPLOAD_ENDPOINTS = ("admin.gift_new", "admin.gift_edit", "admin.gift_codes")


@bp.record_once
def _upload_limit(state) -> None:
    """The upload forms may carry a 5 MB file: raise the request limit for them alone, before
    CSRFProtect reads the body (app-wide hooks run first, so this one goes to the front)."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


def _raise_upload_limit() -> None:
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["UPLOAD_REQUEST_MAX_BYTES"]


def _filter() -> gifts.GiftFilter:
    args = console_args()
    return gifts.GiftFilter(
        q=args.get("q", "").strip()[:40],
        kind=args.get("kind", ""),
        shelf_id=parse_int(args.get("shelf", ""), low=1),
        state=args.get("state", ""),
    )


@bp.get("/gifts", endpoint="gifts")
def gift_list():
    """Every gift with its state, stock and redemptions so far; search, filters, sort, pages."""
    now = utcnow()
    stmt, sorts = gifts.query(_filter(), now)
    rows = table(db.session, stmt, sorts, "id", scalars=False)
    return render(
        "admin/gifts.html",
        "results",
        rows=rows,
        states={row[0].id: gifts.state_of(row[0], now) for row in rows.rows},
        shelves=db.session.scalars(select(Shelf).order_by(Shelf.sort)).all(),
        crumbs=[(_("Gifts"), None)],
    )


def _photo(form: GiftForm) -> images.Prepared | None:
    """The uploaded photo, decoded and converted (None when no file was chosen)."""
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    data = upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    return images.prepare(data, max_bytes=current_app.config["UPLOAD_MAX_BYTES"])


def _save_photo(gift_id: int, prepared: images.Prepared | None, remove: bool, now) -> None:
    if prepared:
        images.store(current_app.config["UPLOAD_DIR"], prepared)
        images.set_photo(db.session, current_user, gift_id, prepared.digest, now=now)
    elif remove:
        images.set_photo(db.session, current_user, gift_id, None, now=now)


@bp.route("/gifts/new", methods=["GET", "POST"])
def gift_new():
    """Create a gift; required: name, kind, points, stock."""
    form = choices(GiftForm())
    if request.method == "GET":
        return new_page(form)
    if not form.validate_on_submit():
        return new_page(form, first_error(form), 422)
    now = utcnow()
    try:
        photo = _photo(form)
        with committing():
            gift = gifts.create(db.session, current_user, form.gift_input(), now=now)
            _save_photo(gift.id, photo, False, now)
    except GiftError as exc:
        return new_page(form, explain(exc), 422)
    flash(_("Gift %(id)s created.", id=gift.id), "success")
    return redirect(url_for("admin.gift_edit", gift_id=gift.id), 303)


@bp.route("/gifts/<int:gift_id>", methods=["GET", "POST"])
def gift_edit(gift_id: int):
    """Edit a gift; the stock shown changes only through movements."""
    gift = db.get_or_404(Gift, gift_id)
    if request.method == "GET":
        return edit_page(gift)
    form = choices(GiftEditForm())
    if not form.validate_on_submit():
        return edit_page(gift, form, error=first_error(form), status=422)
    now = utcnow()
    try:
        photo = _photo(form)
        with committing():
            gifts.update(
                db.session, current_user, gift_id, form.gift_input(), now=now,
                stock_seen=form.stock_seen.data,
            )  # fmt: skip
            _save_photo(gift_id, photo, form.remove_photo.data, now)
    except GiftError as exc:
        return edit_page(db.session.get(Gift, gift_id), form, error=explain(exc), status=422)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.gift_edit", gift_id=gift_id), 303)


@bp.post("/gifts/<int:gift_id>/duplicate")
def gift_duplicate(gift_id: int):
    """A copy of the gift (no stock, delisted), opened for editing."""
    if not ReasonForm().validate_on_submit():
        return redirect(url_for("admin.gifts"), 303)
    try:
        with committing():
            copy = gifts.duplicate(db.session, current_user, gift_id, now=utcnow())
    except GiftError:
        abort(404)
    flash(_("Copy created. It is not on sale until you set its stock and listing."), "success")
    return redirect(url_for("admin.gift_edit", gift_id=copy.id), 303)
