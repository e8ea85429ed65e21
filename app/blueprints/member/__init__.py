"""The member center: /me, points history, the counter code."""

from flask import Blueprint

bp = Blueprint("member", __name__)

from app.blueprints.member import notifications, routes, tasks  # noqa: E402,F401
