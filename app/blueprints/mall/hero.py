"""The home's member hero: filled into its hole per request (the home is kept per tier).

The hero itself is kept too (`app.holes`), per what decides its markup — the tier and the next
one, whether the member has a name and has signed in today, the sign-in points, the locale —
with holes for the member's own figures, so a request fills a few strings instead of rendering.
"""

from types import SimpleNamespace

from flask import current_app, make_response
from flask_babel import get_locale
from markupsafe import escape

from app import holes
from app.extensions import db
from app.holes import Hole
from app.services.points import member_center
from app.web import points


def _macros():
    return current_app.jinja_env.get_template("member/_hero.html").module


def html(member, now, csrf: str, figures: tuple | None = None) -> str:
    """This member's hero as of now (the balance this request read; its `figures` read with the
    home's other bits, else one statement more)."""
    view, locale = member_center.standing(db.session, member, now, figures), str(get_locale())
    p = view.progress
    key = ("hero", p.tier.code, p.next_tier and p.next_tier.code, bool(view.name),
           view.streak is None, view.signin_points, locale)  # fmt: skip
    shape = holes.kept(key, now, lambda: (_holed(view, locale), None))
    return shape.fill(
        {
            "name": str(escape(view.name)),
            "balance": points(view.balance),
            "growth": str(p.growth),
            "bar": str(p.bar),
            "needed": points(p.needed),
            "streak": str(view.streak),
            "csrf": csrf,
        }
    )


def _holed(view, locale: str) -> str:
    """The hero of `view`'s kind with a hole for each of the member's own figures."""
    p = view.progress
    progress = SimpleNamespace(tier=p.tier, next_tier=p.next_tier, growth=Hole("growth"),
                               bar=Hole("bar"), needed=Hole("needed"))  # fmt: skip
    holed = SimpleNamespace(
        name=Hole("name") if view.name else "",
        balance=Hole("balance"),
        progress=progress,
        streak=None if view.streak is None else Hole("streak"),
        signin_points=view.signin_points,
    )
    return str(_macros().hero(holed, locale, Hole("csrf")))


def signin_answer(result, csrf: str):
    """The hero's sign-in block after a tap: +N and the streak, in place."""
    response = make_response(str(_macros().signin(result.streak, 0, csrf, result)))
    response.vary.add("HX-Request")
    return response
