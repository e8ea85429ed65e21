"""Moderating gift reviews: the pending queue (oldest first), approve or reject, the recent
decisions. Only an approved review shows on its gift page and earns its task points."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.tasks import ERRORS
from app.blueprints.member.forms import ActionForm
from app.blueprints.member.task_words import reward_message
from app.extensions import db
from app.htmx import render
from app.services.tasks import reviews
from app.timeutil import utcnow
from app.transaction import committing


@bp.get("/tasks/reviews")
def task_reviews():
    """Pending reviews to moderate, and the latest approved and rejected ones."""
    return render(
        "admin/task_reviews.html",
        "console",
        pending=reviews.queue(db.session, "pending"),
        approved=reviews.queue(db.session, "approved", 20),
        rejected=reviews.queue(db.session, "rejected", 20),
        crumbs=[(_("Tasks"), url_for("admin.tasks")), (_("Reviews"), None)],
    )


@bp.post("/tasks/reviews/<int:review_id>")
def task_review_decide(review_id: int):
    """Approve (shown on the gift page, rewarded once) or reject a pending review."""
    decision = request.form.get("decision")
    if not ActionForm().validate_on_submit() or decision not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "error")
        return redirect(url_for("admin.task_reviews"), 303)
    try:
        with committing():
            result = reviews.moderate(db.session, current_user, review_id,
                                      decision == "approve", now=utcnow())  # fmt: skip
    except reviews.ReviewError as exc:
        flash(ERRORS[str(exc)](), "error")
        return redirect(url_for("admin.task_reviews"), 303)
    if decision == "approve":
        flash(_("Approved: it shows on the gift page.") + " " + reward_message(result), "success")
    else:
        flash(_("Rejected: it will not show."), "success")
    return redirect(url_for("admin.task_reviews"), 303)
