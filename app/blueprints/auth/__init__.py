"""Log in, register, log out, choose a language."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.blueprints.auth import routes, sms_routes  # noqa: E402,F401
