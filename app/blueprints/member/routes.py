"""Member center views: thin wrappers around the member_center, earning and accounts services."""

from flask import redirect, request, url_for
from flask_babel import gettext as _

from app.blueprints.forms import MESSAGES, first_error
from app.blueprints.mall import hero
from app.blueprints.mall.caching import for_visitors
from app.blueprints.mall.pages import kept, signed_in_member
from app.blueprints.member import bp, me_page, rules_page
from app.blueprints.member.forms import ActionForm, ProfileForm
from app.extensions import db
from app.flask_app import csrf_token
from app.htmx import render, trigger, wants_fragment
from app.inputs import int_arg
from app.security import current_member, current_session_id, role_required
from app.services.accounts import accounts
from app.services.counter import member_code
from app.services.points import balances, earning, history
from app.timeutil import utcnow
from app.transaction import committing


def _me_page(block: str, status: int = 200, **extra):
    return me_page.render(current_member(), utcnow(), block, extra), status


@bp.get("/me")
@role_required("member")
def me():
    """Balance, tier progress, expiring points, sign-in, referral, profile."""
    others_ended = request.args.get("sessions") == "ended"
    return me_page.kept(current_member(), utcnow(), others_ended)


@bp.post("/me/sessions/end-others")
@role_required("member")
def end_other_sessions():
    """Sign out on every other device (this one stays signed in)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("member.me"), 303)
    with committing():
        accounts.end_sessions(db.session, current_member().user, keep=current_session_id())
    if not wants_fragment():
        return redirect(url_for("member.me", sessions="ended"), 303)
    return _me_page("sessions", others_ended=True)


@bp.post("/me/signin")
@role_required("member")
def signin():
    """Today's sign-in: swaps in the streak and fires points-changed."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("member.me"), 303)
    with committing():
        result = earning.sign_in(db.session, current_member().id, utcnow())
    if not wants_fragment():
        return redirect(url_for("member.me"), 303)
    response, status = _me_page("signin", result=result)
    return trigger(response), status


@bp.post("/me/signin/home")
@role_required("member")
def signin_home():
    """The home hero's one-tap sign-in: +N and the streak in place, or back to the home."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("mall.home"), 303)
    with committing():
        result = earning.sign_in(db.session, current_member().id, utcnow())
    if not wants_fragment():
        return redirect(url_for("mall.home"), 303)
    return trigger(hero.signin_answer(result, csrf_token()))


@bp.post("/me/profile")
@role_required("member")
def profile():
    """Save name and birthday; completing the profile once earns bonus points."""
    form, error, bonus = ProfileForm(), None, 0
    if form.validate_on_submit():
        try:
            with committing():
                bonus = accounts.update_profile(
                    db.session,
                    current_member().record(db.session),
                    form.name.data,
                    form.birthday.data,
                    now=utcnow(),
                )
        except accounts.AccountError as exc:
            error = MESSAGES[str(exc)]
        else:
            if not wants_fragment():
                return redirect(url_for("member.me"), 303)
    error = error or first_error(form)
    response, status = _me_page(
        "profile",
        422 if error else 200,
        profile_form=form,
        profile_error=error,
        profile_saved=not error,
        bonus=bonus,
    )
    return trigger(response) if bonus else response, status


@bp.get("/me/balance")
@role_required("member")
def balance():
    """The available balance as digits, for every points-balance badge to refresh itself."""
    value = balances.current(db.session, current_member().id, utcnow()).balance
    return render("member/_balance.html", "digits", value=value)


@bp.get("/me/points")
@role_required("member")
def points():
    """The points history, filterable, paged with 'load more'."""
    kind = request.args.get("filter", "all")
    kind = kind if kind in history.FILTERS else "all"
    page = int_arg(request.args, "page", 1, low=1)
    rows, more, pending = history.page(db.session, current_member(), kind, page, utcnow())
    block = "rows" if page > 1 else "content"
    return render(
        "member/points.html",
        block,
        rows=rows,
        more=more,
        pending=pending,
        kind=kind,
        page=page,
        filters=list(history.FILTERS),
    )


@bp.get("/rules")
def rules():
    """How points work: earning, campaigns, expiry, points as cash, tiers and benefits, FAQ."""
    member, now = signed_in_member(), utcnow()
    if not kept(member):  # staff: rendered as it stands
        return rules_page.fresh(now)
    return for_visitors(rules_page.page(member, now))


@bp.get("/me/code")
@role_required("member")
def code():
    """The member's rotating counter code, as QR and digits."""
    member, now = current_member(), utcnow()
    value = member_code.code_for(member, now)
    return render(
        "member/code.html",
        "code",
        member=member,
        code=value,
        seconds_left=member_code.seconds_left(now),
        qr=member_code.qr_svg(value),
        title=_("My member code"),
    )
