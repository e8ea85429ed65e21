"""Counter views (advisors only): every action goes through one service call and the audit log."""

import secrets

from flask import flash, redirect, session, url_for
from flask_login import current_user

from app.blueprints.counter import bp
from app.blueprints.counter.forms import LookupForm, PickupForm, PurchaseForm, RedeemHereForm
from app.blueprints.counter.messages import success
from app.blueprints.forms import first_error, to_fen
from app.blueprints.messages import explain
from app.extensions import db
from app.htmx import render
from app.models import Member
from app.security import role_required
from app.services.counter import benefits, counter, staff_log
from app.services.mall import bookings
from app.services.mall.errors import RedeemError
from app.timeutil import utcnow
from app.transaction import committing

MEMBER_KEY = "counter_member"
MEMBER_MINUTES = 15  # the card closes itself when the member has left


def _member() -> Member | None:
    """The member the advisor looked up in the last 15 minutes, if any."""
    found = session.get(MEMBER_KEY)
    if not found or utcnow().timestamp() - found[1] > MEMBER_MINUTES * 60:
        return None
    return db.session.get(Member, found[0])


def _log(action: str, result: str, now, member: Member | None, target: str = "") -> None:
    """The audit line of a counter action: its outcome code, or "ok"."""
    staff_log.record(
        db.session,
        current_user,
        action,
        result=result,
        now=now,
        member_id=member.id if member else None,
        target=target,
    )


def _act(action: str, run, member: Member | None = None, target: str = ""):
    """Run one counter action: commit and confirm, or roll back, explain and still log it."""
    now = utcnow()
    try:
        with committing():
            result = run(now)
            _log(action, "ok", now, member, target)
    except RedeemError as exc:
        with committing():  # the refusal is logged too
            _log(action, exc.code, now, member, target)
        flash(explain(exc, to="counter"), "error")
        return None
    flash(success(action, result), "success")
    return result


def _invalid(form) -> bool:
    """Validate a counter form; an invalid one puts its first message on the banner."""
    if form.validate_on_submit():
        return False
    flash(first_error(form), "error")
    return True


def _back():
    return redirect(url_for("counter.home"), 303)


@bp.get("/")
@role_required("advisor")
def home():
    """Look-up, the member card with every action, today's and tomorrow's appointments."""
    return _page()


def _page(typed: str = ""):
    """The counter screen; `typed` is what the look-up field shows again (a number not found)."""
    member, now, store = _member(), utcnow(), current_user.store
    return render(
        "counter/home.html",
        "content",
        store=store,
        typed=typed,
        card=counter.card(db.session, member, store.id, now) if member else None,
        perks=benefits.for_member(db.session, member, now) if member else [],
        stock=counter.counter_gifts(db.session, store.id),
        appointments=bookings.appointments(db.session, store.id, now),
        log=staff_log.recent(db.session, store.id, 8),
        request_key=secrets.token_urlsafe(12),
    )


@bp.post("/lookup")
@role_required("advisor")
def lookup():
    """Find the member by exact phone number or current code (logged either way)."""
    form = LookupForm()
    if _invalid(form):
        return _back()
    now = utcnow()
    with committing():
        member = counter.find(db.session, form.query.data, now)
        _log("lookup", "ok" if member else "not_found", now, member)
    if member is None:  # the screen again, the number still in the field to correct it
        flash(explain("member_not_found", to="counter"), "error")
        session.pop(MEMBER_KEY, None)
        return _page(typed=form.query.data)
    session[MEMBER_KEY] = (member.id, now.timestamp())
    return _back()


@bp.post("/done")
@role_required("advisor")
def done():
    """Close the member card."""
    session.pop(MEMBER_KEY, None)
    return _back()


@bp.post("/purchase")
@role_required("advisor")
def purchase():
    """Record an in-store purchase; the receipt number makes a repeat harmless."""
    form, member = PurchaseForm(), _member()
    if member is None or not form.validate_on_submit():
        flash(first_error(form) or explain("no_member", to="counter"), "error")
        return _back()
    _act(
        "purchase",
        lambda now: counter.record_purchase(
            db.session,
            current_user,
            member,
            receipt_no=form.receipt_no.data,
            paid_fen=to_fen(form.amount.data),
            categories=form.categories.data,
            now=now,
        ),
        member,
        form.receipt_no.data,
    )
    return _back()


@bp.post("/pickup")
@role_required("advisor")
def pickup():
    """Verify a pickup code and hand the gift over (核销)."""
    form = PickupForm()
    if _invalid(form):
        return _back()
    _act(
        "pickup",
        lambda now: counter.hand_over(
            db.session,
            current_user,
            form.pickup_code.data,
            cash_collected=form.cash_collected.data,
            now=now,
        ),
        _member(),
        form.pickup_code.data,
    )
    return _back()


@bp.post("/redeem")
@role_required("advisor")
def redeem():
    """Redeem for the member at the counter, from this counter's stock."""
    form, member = RedeemHereForm(), _member()
    if _invalid(form):
        return _back()
    _act(
        "redeem",
        lambda now: counter.redeem_here(
            db.session,
            current_user,
            form.member_code.data,
            form.gift_id.data,
            form.qty.data,
            request_key=form.request_key.data,
            cash_collected=form.cash_collected.data,
            now=now,
        ),
        member,
        str(form.gift_id.data),
    )
    return _back()


@bp.post("/benefits/<int:benefit_id>")
@role_required("advisor")
def benefit(benefit_id: int):
    """Mark an offline tier benefit as handed out this period."""
    member = _member()
    if member is None:
        flash(explain("no_member", to="counter"), "error")
        return _back()
    _act(
        "benefit",
        lambda now: benefits.hand_out(db.session, current_user, member, benefit_id, now=now),
        member,
        str(benefit_id),
    )
    return _back()


@bp.post("/bookings/<int:booking_id>/<any(check_in, no_show):outcome>")
@role_required("advisor")
def appointment(booking_id: int, outcome: str):
    """Check a member in for their appointment, or record a no-show."""
    run = bookings.check_in if outcome == "check_in" else bookings.no_show
    _act(
        outcome,
        lambda now: run(db.session, current_user, booking_id, now=now),
        None,
        str(booking_id),
    )
    return _back()
