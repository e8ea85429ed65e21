"""Uploaded gift images: public, content-hashed, so cached for a year as immutable."""

from flask import Blueprint, abort, current_app, send_from_directory, url_for

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
    """The gift's uploaded photo in a size, else its drawn SVG (the fallback)."""
    if getattr(gift, "photo", None):
        return url_for("media.gift_image", name=file_name(gift.photo, SIZES[size]))
    return url_for("static", filename=f"img/gifts/{gift.image}.svg")
