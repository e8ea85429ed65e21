"""The home's member hero: filled into its hole per request (the home is kept per tier)."""

from flask import current_app, make_response
from flask_babel import get_locale

from app.extensions import db
from app.services.points import member_center


def _macros():
    return current_app.jinja_env.get_template("member/_hero.html").module


def html(member, now, csrf: str) -> str:
    """This member's hero as of now (the balance this request read, one statement more)."""
    view = member_center.standing(db.session, member, now)
    return str(_macros().hero(view, str(get_locale()), csrf))


def signin_answer(result, csrf: str):
    """The hero's sign-in block after a tap: +N and the streak, in place."""
    response = make_response(str(_macros().signin(result.streak, 0, csrf, result)))
    response.vary.add("HX-Request")
    return response
