"""The POS API (/api/v1): JSON, bearer API keys, no CSRF (no cookies are used)."""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from app.blueprints.api import routes  # noqa: E402,F401
