"""Mall views: home shelves, gift pages, the flash board."""

from flask import abort, current_app, request, url_for
from flask_login import current_user

from app.blueprints.forms import first_error
from app.blueprints.mall import bp, pages
from app.blueprints.mall import gift_page as gift_page_kept
from app.blueprints.mall.caching import for_visitors
from app.blueprints.mall.flash_pickup import won
from app.blueprints.mall.forms import CheckoutForm
from app.blueprints.mall.pages import KINDS, kept, signed_in_member
from app.blueprints.member.task_links import remember_referral
from app.blueprints.messages import explain
from app.cache import brief
from app.engine import reads_first
from app.extensions import db
from app.htmx import redirect_after_post, render, render_public, wants_fragment
from app.inputs import parse_int, text_arg
from app.security import role_required
from app.services.analytics import shelf_stats
from app.services.console import flash_monitor
from app.services.mall import (
    flash_gate,
    redemption,
    snapshot,
    storefront,
)
from app.services.mall.errors import RedeemError
from app.services.mall.redemption import Checkout
from app.services.points import targets
from app.timeutil import utcnow
from app.transaction import committing, committing_after_reads


@bp.get("/")
def home():
    """Operator-arranged sections, 'for you', and filters by kind and affordability."""
    member, now = signed_in_member(), utcnow()
    kind = request.args.get("kind", "") if request.args.get("kind") in KINDS else ""
    affordable = bool(member) and request.args.get("affordable") == "1"
    if kept(member) and not affordable:  # the page every viewer of a tier shares, holes filled
        return for_visitors(pages.home(member, now, kind))
    sections = storefront.home(db.session, member, now, kind=kind, affordable=affordable)
    return render(
        "mall/home.html",
        "content",
        kind=kind,
        affordable=affordable,
        kinds=KINDS,
        member_tier=member.tier.code if member else None,
        sections=sections,
        tab="mall",
    )


def _gift(gift_id: int) -> snapshot.GiftRow:
    """The gift as the catalogue holds it, or 404."""
    found = snapshot.catalogue(db.session).gifts.get(gift_id)
    if found is None:
        abort(404)
    return found


def gift_page(gift, form=None, error: str | None = None, status=200, block: str = "content"):
    """The gift page (or its checkout/breakdown block) for the signed-in member."""
    context = gift_page_kept.context(gift, signed_in_member(), utcnow(), form, error)
    return render("mall/gift.html", block, **context), status


@bp.get("/gifts/<int:gift_id>")
def gift(gift_id: int):
    """Images, details, price, stock, limits and one explained call to action."""
    gift, member, now = _gift(gift_id), signed_in_member(), utcnow()
    remember_referral(request.args.get("ref"), member)  # a shared link: kept for joining
    shelf_stats.count(request.args.get("via", ""), "clicks", now)  # opened from a shelf's link
    if not kept(member):
        return gift_page(gift)
    page = gift_page_kept.page(gift, member, now)
    if gift.listed_at is not None and gift.listed_at > now:
        return page  # the countdown reads the server's clock from the page: never a 304
    return for_visitors(page, volatile=now.isoformat())


@bp.get("/gifts/<int:gift_id>/breakdown")
@role_required("member")
def breakdown(gift_id: int):
    """The live points-as-cash breakdown as the member changes the amount."""
    form = CheckoutForm(request.args, meta={"csrf": False})
    form.validate()  # a half-typed form: what fails its checks is previewed at its default
    return gift_page(_gift(gift_id), form, block="breakdown")


def flash_page(block: str = "content", **extra):
    """The flash board (or one block of it)."""
    member, now = signed_in_member(), utcnow()
    if kept(member) and block == "content" and not extra:
        return pages.flash_board(member, now)
    cards = storefront.flash_board(db.session, member, now)
    return render(
        "mall/flash.html",
        block,
        now=now,
        tab="flash",
        cards=cards,
        **pages.pickup_context(member, cards),
        **extra,
    )


STOCK_POLL_SECONDS = 1  # the stock poll's figure is at most this old


@bp.get("/flash")
def flash():
    """Live, upcoming and recently ended flash redemptions, with the server's clock."""
    return flash_page()


@bp.get("/flash/<int:event_id>/stock")
def flash_stock(event_id: int):
    """The stock figure, polled while live; 286 tells htmx to stop polling once it is over.

    Thousands of viewers poll every 5 s: the figure comes from a cache at most a second old."""
    now = utcnow()
    read = lambda: storefront.stock_of(db.session, event_id)  # noqa: E731
    event = brief(f"flash-stock:{event_id}", read, STOCK_POLL_SECONDS)
    if event is None or not _may_see(event):
        abort(404)  # a targeted event does not exist for anyone outside its segment
    phase = storefront.flash_phase(event, now)
    card = storefront.FlashCard(event, phase)
    response = render_public("mall/flash.html", "stock", card=card, now=now)
    if phase in ("ended", "sold_out"):
        response.status_code = 286
    return response


def _may_see(event: storefront.Stock) -> bool:
    """Whether the viewer may see the event (only a targeted one reads who they are)."""
    if event.segment is None:
        return True
    member = signed_in_member()
    return member is not None and targets.segment_of(db.session, member.id) == event.segment


@bp.post("/flash/<int:event_id>/redeem")
@reads_first
@role_required("member")
def flash_redeem(event_id: int):
    """One tap: an order, or the reason there is none (a loser is told before any lock)."""
    request_key = text_arg(request.form, "request_key", 64)
    if request_key is None:
        abort(400)  # a tampered hidden field: there is no form to show the error on
    member, now = current_user.member, utcnow()
    member_id = member.id
    try:
        if not flash_gate.check(db.session, member, event_id, now=now, request_key=request_key):
            abort(404)
        with committing_after_reads(keep_loaded=True):  # the win's card reads the order
            order = redemption.redeem_flash(
                db.session, member_id, event_id, now=now, request_key=request_key
            )
    except RedeemError as exc:
        _count_refusal(event_id, exc.code)
        message = explain(exc)
        if wants_fragment():  # the losers of a burst get only the message: cheap under load
            return render("mall/flash.html", "flash_error", message=message), 409
        return flash_page(message=message), 409
    return won(order)


def _count_refusal(event_id: int, reason: str) -> None:
    """Tally a refused flash attempt for the console's monitor; never fails the member's request.

    A short transaction of its own whose commit expires nothing, so a loser's answer needs no
    further query."""
    try:
        with committing_after_reads(keep_loaded=True):
            flash_monitor.count_refusal(db.session, event_id, reason, utcnow())
    except Exception:  # a lost tally is acceptable; a 500 for the member is not
        current_app.logger.warning("flash refusal not counted", exc_info=True)


@bp.after_request
def _write_held_refusals(response):
    """A mall request (the stock polls of a burst's viewers among them) writes the refusals this
    process still holds once they are due, so the monitor is never more than a poll behind."""
    if flash_monitor.refusals_due():
        try:
            with committing_after_reads():
                flash_monitor.write_pending(db.session)
        except Exception:  # put back by write_pending; the member's answer stands
            current_app.logger.warning("held flash refusals not written", exc_info=True)
    return response


def _choice(form: CheckoutForm) -> Checkout:
    rate, unit = form.expected_rate.data, form.expected_points.data
    return Checkout(
        qty=form.qty.data,
        delivery=form.delivery.data,
        store_id=form.store_id.data,
        address_id=form.address_id.data,
        yuan_by_points=form.yuan_by_points.data or 0,
        expected_rate=parse_int(rate, low=1) if rate else None,
        request_key=form.request_key.data,
        slot_id=form.slot_id.data,
        expected_points=parse_int(unit, low=1) if unit else None,
    )


@bp.post("/gifts/<int:gift_id>/redeem")
@role_required("member")
def redeem(gift_id: int):
    """Confirm a redemption: one transaction for stock, limit, points and the order."""
    gift, form = _gift(gift_id), CheckoutForm()
    if not form.validate_on_submit():
        return gift_page(gift, form, first_error(form), 422, "checkout")
    try:
        with committing():
            order = redemption.redeem(
                db.session, current_user.member.id, gift_id, _choice(form), now=utcnow()
            )
    except RedeemError as exc:
        return gift_page(gift, form, explain(exc), 422, "checkout")
    shelf_stats.count(form.via.data or "", "redemptions", utcnow())
    target = (
        url_for("checkout.pay", order_id=order.id)
        if order.status == "pending_payment"
        else url_for("checkout.order", order_id=order.id)
    )
    return redirect_after_post(target)
