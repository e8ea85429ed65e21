"""/me: rendered from the member center's figures, and kept under exactly those figures.

Everything /me shows comes from the overview and a few fields of the member, so the rendered
page is kept under them (with holes for the CSRF token): looking again at an unchanged /me fills
it in instead of rendering it, and any change — a point, a sign-in, a new day — is a new key.
"""

from flask import make_response, request, url_for
from flask_babel import get_locale

from app import holes
from app.blueprints.member.forms import ActionForm, ProfileForm
from app.extensions import db
from app.flask_app import csrf_token
from app.htmx import render as render_page
from app.htmx import wants_fragment
from app.services.points import member_center
from app.timeutil import local_date

TEMPLATE = "member/me.html"


def context(member, view, now, extra: dict) -> dict:
    """What me.html reads."""
    return {
        "member": member,
        "view": view,
        "profile_form": extra.pop("profile_form", None) or ProfileForm(obj=member),
        "action_form": ActionForm(),
        "share_url": url_for("auth.register", ref=member.referral_code, _external=True),
        "today": local_date(now),
        **extra,
    }


def render(member, now, block: str, extra: dict):
    """/me (or one block of it) rendered afresh, as after a form post."""
    view = member_center.overview(db.session, member, now)
    return render_page(TEMPLATE, block, **context(member, view, now, extra))


def kept(member, now, others_ended: bool):
    """GET /me: the kept page for these figures, or a fresh one kept for next time."""
    view = member_center.overview(db.session, member, now)
    figures = repr(view)
    key = (TEMPLATE, wants_fragment(), str(get_locale()), request.full_path, member.id,
           member.name, member.birthday, member.referral_code, bool(member.profile_completed_at),
           others_ended, local_date(now), figures, member.unread_notifications)  # fmt: skip

    def html() -> tuple:
        page = context(member, view, now, {"others_ended": others_ended})
        return holes.render_kept(TEMPLATE, "content", page), None

    response = make_response(holes.kept(key, now, html).fill({"csrf": csrf_token()}))
    response.vary.add("HX-Request")
    return response
