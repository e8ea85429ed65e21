"""The beauty advisor's counter app."""

from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/counter")

from app.blueprints.counter import routes  # noqa: E402,F401
