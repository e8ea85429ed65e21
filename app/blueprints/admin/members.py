"""Members in the console: search, the member page, manual adjustments (four-eyes above the
threshold), the approvals list, freeze and unfreeze."""

from uuid import uuid4

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.member_forms import AdjustmentForm, DecisionForm, ReasonRequiredForm
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import page_arg, table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.labels import label
from app.models import Member, PointAdjustment, Tier
from app.services.console import adjustments
from app.services.console import members as console_members
from app.services.console.adjustments import AdjustmentError
from app.services.console.members import MemberError
from app.services.points import tiers
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {
    "joined": Member.created_at,
    "no": Member.member_no,
    "name": Member.name,
    "tier": Tier.rank,
}
APPROVAL_SORTS = {"at": PointAdjustment.requested_at, "points": PointAdjustment.points}
ERRORS = {
    "points": lambda d: _("Enter a number of points other than 0, at most %(max)s either way.",
                          max=f"{d.get('max', 0):,}"),
    "reason_code": lambda d: _("Choose a reason code."),
    "reason": lambda d: _("Say why (the audit log keeps it)."),
    "decision_reason": lambda d: _("Say why you reject this adjustment."),
    "shortfall": lambda d: _("The member is %(n)s points short of this debit. A debit never "
                             "makes debt: debit at most what the member has.",
                             n=f"{d.get('shortfall', 0):,}"),
    "not_found": lambda d: _("No such adjustment."),
    "decided": lambda d: _("This adjustment has already been decided (%(status)s).",
                           status=label("adjustment_status", d.get("status"))),
    "own": lambda d: _("You requested this adjustment: a second operator must approve it."),
    "already_frozen": lambda d: _("This member is already frozen."),
    "not_frozen": lambda d: _("This member is not frozen."),
}  # fmt: skip


def explain(exc: AdjustmentError | MemberError) -> str:
    """The operator's message for a members-console error."""
    return ERRORS[exc.code](getattr(exc, "detail", {}))


def _member_or_404(member_no: str) -> Member:
    member = console_members.by_number(db.session, member_no)
    if member is None:
        abort(404)
    return member


@bp.get("/members")
def members():
    """Every member, searchable by phone, member number or name, filterable by tier."""
    args = console_args()
    stmt = console_members.query(args.get("q", "")[:40], args.get("tier", "")[:16])
    found = table(db.session, stmt, SORTS, "joined")
    return render(
        "admin/members.html",
        "results",
        members=found,
        rows=console_members.rows(db.session, found.rows, utcnow()),
        tiers=tiers.ladder(db.session),
        waiting=db.session.query(PointAdjustment).filter_by(status="pending").count(),
        crumbs=[(_("Members"), None)],
    )


@bp.get("/members/approvals")
def member_approvals():
    """Adjustments above the threshold waiting for a second operator."""
    return render(
        "admin/member_approvals.html",
        "console",
        pending=table(db.session, adjustments.pending_query(), APPROVAL_SORTS, "at",
                      default_desc=False),
        decision_form=DecisionForm(),
        threshold=adjustments.threshold(db.session),
        crumbs=[(_("Members"), url_for("admin.members")), (_("Approvals"), None)],
    )  # fmt: skip


def _detail(member: Member, status: int = 200, **forms):
    kind = console_args().get("kind", "all")
    page = page_arg()
    history, more = console_members.ledger_page(db.session, member.id, kind, page)
    form = forms.pop("adjust_form", None) or AdjustmentForm(formdata=None)
    form.request_key.data = form.request_key.data or uuid4().hex
    return render(
        "admin/member_detail.html",
        "console",
        d=console_members.detail(db.session, member, utcnow()),
        history=history,
        more=more,
        page=page,
        kind=kind if kind in ("all", "earned", "spent", "expired") else "all",
        adjust_form=form,
        freeze_form=forms.pop("freeze_form", None) or ReasonRequiredForm(formdata=None),
        decision_form=DecisionForm(formdata=None),
        threshold=adjustments.threshold(db.session),
        crumbs=[(_("Members"), url_for("admin.members")), (member.member_no, None)],
        **forms,
    ), status


@bp.get("/members/<member_no>")
def member_detail(member_no: str):
    """One member: tier, growth, points, lots, the full ledger, orders, bookings and more."""
    return _detail(_member_or_404(member_no))


@bp.post("/members/<member_no>/adjust")
def member_adjust(member_no: str):
    """A manual adjustment: applied at once up to the threshold, else waits for approval."""
    member, form = _member_or_404(member_no), AdjustmentForm()
    if not form.validate_on_submit():
        return _detail(member, 422, adjust_form=form, adjust_error=first_error(form))
    req = adjustments.Request(
        form.points.data, form.reason_code.data, form.reason.data, form.note.data or "",
        form.request_key.data or "",
    )  # fmt: skip
    try:
        with committing():
            done = adjustments.request(db.session, current_user, member, req, now=utcnow())
    except AdjustmentError as exc:
        return _detail(member, 422, adjust_form=form, adjust_error=explain(exc))
    if done.status == "applied":
        flash(_("%(points)s points adjusted.", points=f"{done.points:+,}"), "success")
    else:
        flash(_("%(points)s points wait for a second operator's approval.",
                points=f"{done.points:+,}"), "success")  # fmt: skip
    return redirect(url_for("admin.member_detail", member_no=member.member_no), 303)


@bp.post("/members/adjustments/<int:adjustment_id>/<any(approve, reject):decision>")
def member_decide(adjustment_id: int, decision: str):
    """A second operator approves (the points reach the ledger) or rejects (with a reason)."""
    form = DecisionForm()
    back = request.form.get("back") == "member"
    found = db.session.get(PointAdjustment, adjustment_id)
    if found is None:
        abort(404)
    target = (
        url_for("admin.member_detail", member_no=found.member.member_no)
        if back
        else url_for("admin.member_approvals")
    )
    if not form.validate_on_submit():
        flash(first_error(form) or _("Check the form and try again."), "error")
        return redirect(target, 303)
    try:
        with committing():
            if decision == "approve":
                adjustments.approve(db.session, current_user, adjustment_id, now=utcnow())
            else:
                adjustments.reject(
                    db.session, current_user, adjustment_id, form.reason.data or "", now=utcnow()
                )
    except AdjustmentError as exc:
        flash(explain(exc), "error")
        return redirect(target, 303)
    flash(_("Approved: the points reached the ledger.") if decision == "approve"
          else _("Rejected: nothing was changed."), "success")  # fmt: skip
    return redirect(target, 303)


@bp.post("/members/<member_no>/<any(freeze, unfreeze):action>")
def member_freeze(member_no: str, action: str):
    """Freeze for suspected fraud (earning held, spending refused), or lift the freeze."""
    member, form = _member_or_404(member_no), ReasonRequiredForm()
    if not form.validate_on_submit():
        return _detail(member, 422, freeze_form=form, freeze_error=first_error(form))
    change = console_members.freeze if action == "freeze" else console_members.unfreeze
    try:
        with committing():
            released = change(db.session, current_user, member, form.reason.data, now=utcnow())
    except MemberError as exc:
        return _detail(member, 422, freeze_form=form, freeze_error=explain(exc))
    if action == "freeze":
        flash(_("Member frozen: earning is held and spending refused until unfrozen."), "success")
    else:
        flash(_("Member unfrozen: %(points)s held points released.",
                points=f"{released:,}"), "success")  # fmt: skip
    return redirect(url_for("admin.member_detail", member_no=member.member_no), 303)
