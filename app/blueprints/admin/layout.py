"""The home arrangement (首页装修): sections in order, up/down, show/hide, banners, a preview."""

from datetime import datetime

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.blueprints.admin import bp
from app.blueprints.admin.flash_forms import LOCAL_FORMAT, to_utc
from app.blueprints.admin.forms import ReasonForm
from app.blueprints.admin.layout_forms import (
    IMAGE_LABELS,
    AddSectionForm,
    BannerForm,
    MoveForm,
    VisibilityForm,
)
from app.blueprints.admin.tables import args as console_args
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render, wants_fragment
from app.i18n import local_name
from app.inputs import YEARS
from app.models import HomeSection, Shelf
from app.services.console import home_layout as layout_service
from app.services.mall import storefront
from app.timeutil import utcnow
from app.transaction import committing

ERRORS = {
    "kind": lambda: _("Choose what kind of section to add."),
    "placed": lambda: _("That section is already on the home; move it instead."),
    "shelf": lambda: _("Choose the shelf to show."),
    "not_found": lambda: _("That section is no longer on the home. Reload the page."),
    "edge": lambda: _("That section cannot move further."),
    "not_banner": lambda: _("Only banners have a picture and a link."),
    "title": lambda: _("Give the banner a title."),
    "image": lambda: _("Choose one of the pictures."),
    "link": lambda: _("The link must be a page of the mall, starting with /, e.g. /gifts/2."),
    "window": lambda: _("The end of the display window must be after its start."),
}


def _add_form() -> AddSectionForm:
    form = AddSectionForm()
    placed = {s.shelf_id for s in layout_service.arrangement(db.session) if s.kind == "shelf"}
    shelves = db.session.scalars(select(Shelf).order_by(Shelf.sort, Shelf.id))
    form.shelf_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, local_name(s)) for s in shelves if s.id not in placed
    ]
    return form


def _page(error: str | None = None, status: int = 200, block: str = "console"):
    sections, now = layout_service.arrangement(db.session), utcnow()
    placed = {s.shelf_id for s in sections if s.kind == "shelf"}
    shelves = {s.id: s for s in db.session.scalars(select(Shelf).order_by(Shelf.sort, Shelf.id))}
    return render(
        "admin/home_layout.html", block, sections=sections, shelves=shelves, error=error,
        showing={s.id: storefront.showing(s, now) for s in sections},
        unplaced=[s for s in shelves.values() if s.id not in placed],
        add_form=_add_form(), move_form=MoveForm(), visibility_form=VisibilityForm(),
        crumbs=[(_("Home layout"), None)],
    ), status  # fmt: skip


def _done(error: str | None = None):
    """After a change: the list fragment for htmx, else back to the page (303)."""
    if wants_fragment():
        return _page(error, 422 if error else 200, block="sections")
    if error:
        return _page(error, 422)
    return redirect(url_for("admin.home_layout"), 303)


def _change(action, *args, **kwargs):
    try:
        with committing():
            action(db.session, current_user, *args, now=utcnow(), **kwargs)
    except layout_service.LayoutError as exc:
        return _done(ERRORS[exc.code]())
    return _done()


@bp.get("/home")
def home_layout():
    """The sections of the member home in order, with what can be done to each."""
    return _page()


@bp.post("/home/sections")
def layout_add():
    """Add a section at the end (a banner starts hidden until it is edited)."""
    form = _add_form()
    if not form.validate_on_submit():
        return _done(first_error(form))
    shelf_id = form.shelf_id.data or None
    return _change(layout_service.add, form.kind.data, shelf_id=shelf_id)


@bp.post("/home/<int:section_id>/move")
def layout_move(section_id: int):
    """One place up or down."""
    form = MoveForm()
    if not form.validate_on_submit():
        return _done(first_error(form))
    return _change(layout_service.move, section_id, -1 if form.direction.data == "up" else 1)


@bp.post("/home/<int:section_id>/visibility")
def layout_visibility(section_id: int):
    """Show or hide a section."""
    form = VisibilityForm()
    if not form.validate_on_submit():
        return _done(first_error(form))
    return _change(layout_service.set_visible, section_id, form.visible.data == "1")


@bp.post("/home/<int:section_id>/remove")
def layout_remove(section_id: int):
    """Take a section off the home."""
    if not ReasonForm().validate_on_submit():
        return _done(_("Reload the page and try again."))
    return _change(layout_service.remove, section_id)


def _banner_form() -> BannerForm:
    """The banner form, its pictures being the drawings and every uploaded gift photo."""
    form = BannerForm()
    form.image.choices = [
        SelectChoice(value, IMAGE_LABELS.get(value) or _("Photo: %(gift)s", gift=name))
        for value, name in layout_service.image_choices(db.session)
    ]
    return form


def _banner_page(section: HomeSection, form: BannerForm, error=None, status=200):
    crumbs = [(_("Home layout"), url_for("admin.home_layout")), (_("Banner"), None)]
    return render(
        "admin/home_layout_banner.html", "console", section=section, form=form, error=error,
        crumbs=crumbs,
    ), status  # fmt: skip


def _banner(section_id: int) -> HomeSection:
    section = db.get_or_404(HomeSection, section_id)
    if section.kind != "banner":
        abort(404)
    return section


@bp.get("/home/<int:section_id>")
def layout_banner(section_id: int):
    """The banner's titles, picture, link and display window."""
    section, form = _banner(section_id), _banner_form()
    form.fill(section)
    return _banner_page(section, form)


@bp.post("/home/<int:section_id>")
def layout_banner_save(section_id: int):
    """Save a banner; bad input is shown on the form and nothing is written."""
    section, form = _banner(section_id), _banner_form()
    if not form.validate_on_submit():
        return _banner_page(section, form, first_error(form), 422)
    try:
        with committing():
            layout_service.update_banner(
                db.session, current_user, section_id, form.draft(), now=utcnow()
            )
    except layout_service.LayoutError as exc:
        return _banner_page(section, form, ERRORS[exc.code](), 422)
    return redirect(url_for("admin.home_layout"), 303)


def _preview_time() -> tuple[datetime, str]:
    raw = console_args().get("at", "")[:16]
    try:
        local = datetime.strptime(raw, LOCAL_FORMAT)
    except ValueError:
        return utcnow(), ""
    return (to_utc(local), raw) if YEARS[0] <= local.year <= YEARS[1] else (utcnow(), "")


@bp.get("/home/preview")
def layout_preview():
    """The member home as a visitor will see it (now, or at `?at=`), read-only."""
    at, typed = _preview_time()
    return render(
        "admin/home_layout_preview.html", "console", at=at, typed=typed, preview=True,
        sections=storefront.home(db.session, None, at), kind="", affordable=False,
        crumbs=[(_("Home layout"), url_for("admin.home_layout")), (_("Preview"), None)],
    )  # fmt: skip
