"""Mall views: home shelves, gift pages, the flash board."""

import secrets

from flask import abort, current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.blueprints.forms import first_error
from app.blueprints.mall import bp
from app.blueprints.mall.forms import CheckoutForm
from app.blueprints.messages import explain
from app.extensions import db
from app.htmx import redirect_after_post, render, wants_fragment
from app.inputs import parse_int, text_arg
from app.models import FlashEvent, Gift, Store
from app.security import role_required
from app.services.console import flash_monitor
from app.services.mall import addresses, bookings, catalog, pricing, redemption, storefront
from app.services.mall.errors import RedeemError
from app.services.mall.redemption import Checkout
from app.services.points import member_center
from app.timeutil import utcnow
from app.transaction import committing

KINDS = ("physical", "coupon", "virtual", "service")


def signed_in_member():
    """The member behind this request, or None for visitors and staff."""
    if current_user.is_authenticated and current_user.role == "member":
        return current_user.member
    return None


@bp.get("/")
def home():
    """Operator-arranged sections, 'for you', and filters by kind and affordability."""
    member, now = signed_in_member(), utcnow()
    kind = request.args.get("kind", "") if request.args.get("kind") in KINDS else ""
    affordable = bool(member) and request.args.get("affordable") == "1"
    return render(
        "mall/home.html",
        "content",
        kind=kind,
        affordable=affordable,
        kinds=KINDS,
        view=member_center.overview(db.session, member, now) if member else None,
        sections=storefront.home(db.session, member, now, kind=kind, affordable=affordable),
        tab="mall",
    )


def usable(field):
    """A field's value for arithmetic on the page: its default when it failed validation."""
    return field.default if field.errors else field.data


def gift_page(
    gift: Gift,
    form: CheckoutForm | None = None,
    error: str | None = None,
    status=200,
    block: str = "content",
):
    """The gift page (or its checkout/breakdown block) for the signed-in member."""
    member, now = signed_in_member(), utcnow()
    form = form or CheckoutForm(request_key=secrets.token_urlsafe(16))
    qty, split, refused = usable(form.qty) or 1, None, None
    if gift.cash_fen:
        split, refused = pricing.preview(
            db.session, gift.cash_fen * qty, usable(form.yuan_by_points) or 0, now
        )
    return render(
        "mall/gift.html",
        block,
        gift=gift,
        form=form,
        error=error,
        split=split,
        cash_refused=refused is not None,  # points cannot pay that much: no totals to show
        # why, in the breakdown itself (after a refused confirmation the form's top says it)
        cash_error=explain(refused) if refused and not error else None,
        total_points=gift.points_price * qty + (split.points_for_cash if split else 0),
        slot_days=bookings.day_slots(bookings.open_slots(db.session, gift.id, now))
        if gift.kind == "service"
        else {},
        now=now,
        gate_tier=(catalog.lowest_tier(db.session, gift).code if gift.tier_codes else ""),
        state=catalog.state(db.session, gift, member, now),
        stores=db.session.query(Store).filter(Store.closed_at.is_(None)).order_by(Store.id).all(),
        addresses=addresses.for_member(db.session, member.id) if member else [],
        locale=str(get_locale()),
        tab="mall",
    ), status


@bp.get("/gifts/<int:gift_id>")
def gift(gift_id: int):
    """Images, details, price, stock, limits and one explained call to action."""
    return gift_page(db.get_or_404(Gift, gift_id))


@bp.get("/gifts/<int:gift_id>/breakdown")
@role_required("member")
def breakdown(gift_id: int):
    """The live points-as-cash breakdown as the member changes the amount."""
    form = CheckoutForm(request.args, meta={"csrf": False})
    form.validate()  # a half-typed form: what fails its checks is previewed at its default
    return gift_page(db.get_or_404(Gift, gift_id), form, block="breakdown")


def flash_page(block: str = "content", **extra):
    """The flash board (or one block of it)."""
    now = utcnow()
    return render(
        "mall/flash.html",
        block,
        now=now,
        tab="flash",
        cards=storefront.flash_board(db.session, signed_in_member(), now),
        **extra,
    )


@bp.get("/flash")
def flash():
    """Live, upcoming and recently ended flash redemptions, with the server's clock."""
    return flash_page()


@bp.get("/flash/<int:event_id>/stock")
def flash_stock(event_id: int):
    """The stock figure, polled while live; 286 tells htmx to stop polling once it is over."""
    event, now = db.get_or_404(FlashEvent, event_id), utcnow()
    phase = storefront.flash_phase(event, now)
    response = render("mall/flash.html", "stock", card=storefront.FlashCard(event, phase), now=now)
    if phase in ("ended", "sold_out"):
        response.status_code = 286
    return response


@bp.post("/flash/<int:event_id>/redeem")
@role_required("member")
def flash_redeem(event_id: int):
    """One tap: an order, or the reason there is none."""
    request_key = text_arg(request.form, "request_key", 64)
    if request_key is None:
        abort(400)  # a tampered hidden field: there is no form to show the error on
    if db.session.get(FlashEvent, event_id) is None:
        abort(404)
    try:
        with committing():
            order = redemption.redeem_flash(
                db.session,
                current_user.member.id,
                event_id,
                now=utcnow(),
                request_key=request_key,
            )
    except RedeemError as exc:
        _count_refusal(event_id, exc.code)
        message = explain(exc)
        if wants_fragment():  # the losers of a burst get only the message: cheap under load
            return render("mall/flash.html", "flash_error", message=message), 409
        return flash_page(message=message), 409
    return redirect_after_post(f"/orders/{order.id}")


def _count_refusal(event_id: int, reason: str) -> None:
    """Tally a refused flash attempt for the console's monitor; never fails the member's request."""
    try:
        with committing():
            flash_monitor.count_refusal(db.session, event_id, reason, utcnow())
    except Exception:  # a lost tally is acceptable; a 500 for the member is not
        current_app.logger.warning("flash refusal not counted", exc_info=True)


def _choice(form: CheckoutForm) -> Checkout:
    rate = form.expected_rate.data
    return Checkout(
        qty=form.qty.data,
        delivery=form.delivery.data,
        store_id=form.store_id.data,
        address_id=form.address_id.data,
        yuan_by_points=form.yuan_by_points.data or 0,
        expected_rate=parse_int(rate, low=1) if rate else None,
        request_key=form.request_key.data,
        slot_id=form.slot_id.data,
    )


@bp.post("/gifts/<int:gift_id>/redeem")
@role_required("member")
def redeem(gift_id: int):
    """Confirm a redemption: one transaction for stock, limit, points and the order."""
    gift, form = db.get_or_404(Gift, gift_id), CheckoutForm()
    if not form.validate_on_submit():
        return gift_page(gift, form, first_error(form), 422, "checkout")
    try:
        with committing():
            order = redemption.redeem(
                db.session, current_user.member.id, gift_id, _choice(form), now=utcnow()
            )
    except RedeemError as exc:
        return gift_page(gift, form, explain(exc), 422, "checkout")
    target = (
        url_for("checkout.pay", order_id=order.id)
        if order.status == "pending_payment"
        else url_for("checkout.order", order_id=order.id)
    )
    return redirect_after_post(target)
