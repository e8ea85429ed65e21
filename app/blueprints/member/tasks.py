"""The task centre (/me/tasks): tasks with progress and rewards, sharing a gift, claiming the
first redemption's reward and writing a review of a collected gift."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.blueprints.forms import first_error
from app.blueprints.member import bp, task_words
from app.blueprints.member.forms import ActionForm
from app.blueprints.member.task_forms import ReviewForm
from app.blueprints.member.task_words import error_message, reward_message
from app.extensions import db
from app.htmx import render
from app.models import Gift
from app.security import current_member, role_required
from app.services.console import images
from app.services.console.gift_errors import GiftError
from app.services.tasks import centre, reviews, shares
from app.timeutil import utcnow
from app.transaction import committing

REVIEW_ENDPOINT = "member.review_new"


@bp.record_once
def _upload_limit(state) -> None:
    """The review form carries a photo: raise the request limit for it alone (before CSRF)."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


def _raise_upload_limit() -> None:
    if request.method == "POST" and request.endpoint == REVIEW_ENDPOINT:
        request.max_content_length = current_app.config["UPLOAD_REQUEST_MAX_BYTES"]


@bp.get("/me/tasks")
@role_required("member")
def tasks():
    """Every task with its reward, progress or done, and this month's room under the cap."""
    view = centre.centre(db.session, current_member(), utcnow())
    return render("member/tasks.html", "tasks", view=view, words=task_words, locale=_locale())


def _locale() -> str:
    return str(get_locale())


@bp.post("/me/tasks/first-redemption")
@role_required("member")
def claim_first_redemption():
    """Claim the first redemption's reward (once)."""
    if ActionForm().validate_on_submit():
        try:
            with committing():
                result = shares.claim_first_redemption(
                    db.session, current_member().id, now=utcnow()
                )
        except shares.ShareError as exc:
            flash(error_message(str(exc)), "error")
        else:
            flash(reward_message(result), "success")
    return redirect(url_for("member.tasks"), 303)


@bp.post("/gifts/<int:gift_id>/share")
@role_required("member")
def share(gift_id: int):
    """Share a gift: recorded (rewarded once per gift), then the link to send."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("mall.gift", gift_id=gift_id), 303)
    try:
        with committing():
            result = shares.share(db.session, current_member(), gift_id, now=utcnow())
    except shares.ShareError:
        abort(404)
    flash(reward_message(result), "success")
    return redirect(url_for("member.shared", gift_id=gift_id), 303)


@bp.get("/gifts/<int:gift_id>/share")
@role_required("member")
def shared(gift_id: int):
    """The share link of a gift, carrying the member's referral code."""
    gift = db.session.get(Gift, gift_id) or abort(404)
    code = current_member().referral_code
    link = url_for("mall.gift", gift_id=gift.id, ref=code, _external=True)
    return render("member/share.html", "content", gift=gift, link=link, code=code, locale=_locale())


def _review_page(order, form, error=None, status=200):
    page = render(
        "member/review.html", "content", order=order, form=form, error=error, locale=_locale()
    )
    return page, status


def _photo(form: ReviewForm) -> images.Prepared:
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        raise GiftError("review_photo")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    return images.prepare(upload.read(limit + 1), max_bytes=limit)


@bp.route("/me/reviews/<int:order_id>", methods=["GET", "POST"], endpoint="review_new")
@role_required("member")
def review_new(order_id: int):
    """Review a collected gift: text and a photo; shown and rewarded once approved."""
    member, form = current_member(), ReviewForm()
    try:
        order = reviews.order_to_review(db.session, member.id, order_id)
    except reviews.ReviewError:
        abort(404)
    if request.method == "GET":
        return _review_page(order, form)
    if not form.validate_on_submit():
        return _review_page(order, form, first_error(form), 422)
    try:
        photo = _photo(form)
        with committing():
            reviews.submit(
                db.session, member.id, order.id, form.body.data, photo.digest, now=utcnow()
            )
        images.store(current_app.config["UPLOAD_DIR"], photo)
    except (GiftError, reviews.ReviewError) as exc:
        return _review_page(order, form, error_message(getattr(exc, "code", str(exc))), 422)
    flash(_("Thank you! Your review shows on the gift page once it is approved."), "success")
    return redirect(url_for("member.tasks"), 303)
