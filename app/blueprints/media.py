"""Uploaded gift images: public, content-hashed, so cached for a year as immutable."""

from flask import Blueprint, abort, current_app, send_from_directory, url_for
from markupsafe import Markup, escape

from app.drawings import SPRITE, drawing
from app.services.console.images import FILE_RE, SIZES, file_name

bp = Blueprint("media", __name__, url_prefix="/media")
YEAR = 365 * 24 * 3600


@bp.get("/gifts/<name>")
def gift_image(name: str):
    """One stored size of a gift's photo; the name is its hash, so it never changes."""
    if not FILE_RE.fullmatch(name):
        abort(404)
    response = send_from_directory(
        f"{current_app.config['UPLOAD_DIR']}/gifts", name, mimetype="image/webp", max_age=YEAR
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.app_template_global("gift_image")
def gift_image_url(gift, size: str = "large") -> str:
    """The gift's uploaded photo in a size, else its drawing in the sprite (for <use href>)."""
    if getattr(gift, "photo", None):
        return url_for("media.gift_image", name=file_name(gift.photo, SIZES[size]))
    return f"{url_for('static', filename=SPRITE)}#{drawing(gift.image)}"


@bp.app_template_global("gift_picture")
def gift_picture(gift, size: str = "small", side: int = 160, css: str = "", lazy=True) -> Markup:
    """A sized picture of the gift: its photo as <img>, else its drawing as an inline <svg>
    using the one sprite (a <use> costs no request of its own, so a shelf costs one)."""
    src, cls = escape(gift_image_url(gift, size)), escape(css)
    if getattr(gift, "photo", None):
        load = 'loading="lazy" decoding="async"' if lazy else 'fetchpriority="high"'
        return Markup(
            f'<img class="{cls}" src="{src}" alt="" width="{side}" height="{side}" {load}>'
        )
    return Markup(
        f'<svg class="drawing {cls}" width="{side}" height="{side}" viewBox="0 0 200 200"'
        f' aria-hidden="true" focusable="false"><use href="{src}"></use></svg>'
    )
