"""The mall: home, flash redemptions, orders (the catalogue arrives with the mall issue)."""

from flask import Blueprint

bp = Blueprint("mall", __name__)

from app.blueprints.mall import flash_pickup, fragments, routes  # noqa: E402,F401
