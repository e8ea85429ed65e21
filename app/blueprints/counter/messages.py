"""What the counter screen says after an action, in words the member can read across the counter."""

from flask_babel import get_locale
from flask_babel import gettext as _

from app.services.mall.errors import RedeemError


def success(action: str, result) -> str:
    """The confirmation of a completed action."""
    if action == "purchase":
        if result.replay:
            return _(
                "Receipt already recorded: %(points)s points were awarded then.",
                points=f"{result.order.points_awarded:,}",
            )
        return _(
            "Purchase recorded: +%(points)s points.", points=f"{result.order.points_awarded:,}"
        )
    if action == "pickup":
        return _(
            "Handed over: %(gift)s × %(qty)s. Order completed.",
            gift=result.gift.label(str(get_locale())),
            qty=result.qty,
        )
    if action == "redeem":
        return _(
            "Redeemed: %(gift)s × %(qty)s for %(points)s points.",
            gift=result.gift.label(str(get_locale())),
            qty=result.qty,
            points=f"{result.total_points:,}",
        )
    if action == "benefit":
        return _("Benefit handed out and marked as used.")
    if action == "check_in":
        return _("Checked in. Enjoy the treatment!")
    return _("No-show recorded.")


def failure(exc: RedeemError) -> str:
    """Why the action did not happen, and what to do."""
    d = exc.detail
    messages = {
        "member_not_found": lambda: _(
            "No member found. Check the phone number, or ask for a fresh code."
        ),
        "no_member": lambda: _("Look the member up first."),
        "receipt_conflict": lambda: _("This receipt number was recorded with different details."),
        "pickup_unknown": lambda: _("No order has this pickup code."),
        "pickup_other_store": lambda: _(
            "This order is for pickup at %(store)s.", store=d.get("store")
        ),
        "pickup_done": lambda: _("Already handed over. Nothing more to do."),
        "pickup_not_ready": lambda: _("This order is not ready for pickup (unpaid or cancelled)."),
        "cash_due": lambda: _(
            "Collect ¥%(cash)s first, then tick the box.",
            cash=f"{d.get('cash_fen', 0) // 100}.{d.get('cash_fen', 0) % 100:02d}",
        ),
        "code_invalid": lambda: _(
            "That member code is not valid now. Ask the member to refresh it."
        ),
        "not_at_counter": lambda: _("This gift is not kept at this counter."),
        "bad_quantity": lambda: _("Choose a smaller quantity."),
        "sold_out": lambda: _("None left at this counter."),
        "locked": lambda: _("The member's tier cannot redeem this gift."),
        "tier": lambda: _("The member's tier does not include this benefit."),
        "limit": lambda: _("The member has reached the limit for this gift."),
        "points": lambda: _("The member needs %(n)s more points.", n=f"{d.get('shortfall', 0):,}"),
        "used": lambda: _("Already used this period."),
        "already_checked_in": lambda: _("Already checked in."),
        "already_no_show": lambda: _("Already marked as a no-show."),
        "already_cancelled": lambda: _("The member cancelled this appointment."),
    }
    return messages.get(exc.code, lambda: _("That did not work. Please try again."))()
