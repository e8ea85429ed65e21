"""URLs: `<int:…>` is bounded (an id no column can hold is a 404); oversize URLs are a 414."""

import builtins

from flask import request
from werkzeug.exceptions import RequestURITooLarge
from werkzeug.routing import IntegerConverter

from app.inputs import MAX_INT, MAX_URL


class BoundedIntConverter(IntegerConverter):
    """werkzeug's `int`, but ASCII digits only and at most 2^31 − 1 (PostgreSQL INTEGER).

    werkzeug's own matches Unicode digits (`\\d`) and any size, so an id past the column's
    range reached the database and failed there (a 500) instead of simply not being found.
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        # a route may lower the bound, never raise it past what the database holds
        bound = MAX_INT if max is None else builtins.min(max, MAX_INT)
        super().__init__(map, fixed_digits, min, bound, signed)


def refuse_long_urls() -> None:
    """414 for a URL past MAX_URL, before any view reads it (the error handler answers JSON on
    /api and the error page elsewhere)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(raw) > MAX_URL:
        raise RequestURITooLarge(f"URLs are limited to {MAX_URL} characters.")


def init_app(app) -> None:
    """Replace `int` for this app (before the blueprints: rules bind converters when added) and
    refuse oversize URLs."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_long_urls)
