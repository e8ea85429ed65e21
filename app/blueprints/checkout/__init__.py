"""Checkout and orders: redeem a gift, pay the cash part, follow and cancel orders."""

from flask import Blueprint

bp = Blueprint("checkout", __name__)

from app.blueprints.checkout import booking, routes  # noqa: E402,F401
