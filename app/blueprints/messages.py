"""One catalogue of domain error codes → messages, in the member's or the advisor's voice.

The mall, checkout and counter all explain a `RedeemError` (or a bare code carried in a
redirect) through `explain`; nothing else holds wording for a domain error.
"""

from flask_babel import gettext as _

from app.services.mall.errors import RedeemError
from app.tier_labels import gate_notice


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# What a member reads on their phone.
MEMBER = {
    "points": lambda d: _("You need %(n)s more points.", n=f"{d.get('shortfall', 0):,}"),
    "tier": lambda d: gate_notice(d.get("tier")),
    "sold_out": lambda d: _("Sold out. Check back for a restock."),
    "limit": lambda d: _("You have reached the redemption limit for this gift."),
    "segment": lambda d: _("This flash redemption is reserved for other members."),
    "not_in_window": lambda d: _("This gift is not on sale right now."),
    "price_changed": lambda d: _(
        "The price has just changed to %(points)s points (the member day began or ended). "
        "Check the new price and confirm again.",
        points=d.get("points"),
    ),
    "rate_changed": lambda d: _(
        "The points rate has just changed to %(rate)s points per ¥1. "
        "Check the new amount and confirm again.",
        rate=d.get("rate"),
    ),
    "cannot_cancel": lambda d: _("This order can no longer be cancelled."),
    "bad_request": lambda d: _("Check the quantity, counter and address, then try again."),
    "too_late": lambda d: _(
        "Times can be changed or cancelled up to %(hours)s hours before the appointment. "
        "To change it now, please call the counter.",
        hours=d.get("hours", 2),
    ),
    "slot_full": lambda d: _("That time has just been taken. Please choose another."),
    "frozen": lambda d: _(
        "Your account is under review, so redemptions are paused and new points are held. "
        "Please contact customer service."
    ),
    "cash_cap": lambda d: _(
        "You can use at most ¥%(max)s of points.", max=f"{d.get('max_yuan', 0):,}"
    ),
    "not_bookable": lambda d: _("This order has no appointment to book any more."),
}

# What an advisor reads across the counter.
COUNTER = {
    "member_not_found": lambda d: _(
        "No member found. Check the phone number, or ask for a fresh code."
    ),
    "no_member": lambda d: _("Look the member up first."),
    "receipt_conflict": lambda d: _("This receipt number was recorded with different details."),
    "issue_cap": lambda d: _(
        "Not recorded: the brand has issued this month's points (%(room)s points left). "
        "Keep the receipt and record it next month, or ask the operations team.",
        room=f"{d.get('room', 0):,}",
    ),
    "pickup_unknown": lambda d: _("No order has this pickup code."),
    "pickup_other_store": lambda d: _(
        "This order is for pickup at %(store)s.", store=d.get("store")
    ),
    "pickup_done": lambda d: _("Already handed over. Nothing more to do."),
    "pickup_not_ready": lambda d: _("This order is not ready for pickup (unpaid or cancelled)."),
    "cash_due": lambda d: _(
        "Collect ¥%(cash)s first, then tick the box.", cash=_yuan(d.get("cash_fen", 0))
    ),
    "code_invalid": lambda d: _("That member code is not valid now. Ask the member to refresh it."),
    "not_at_counter": lambda d: _("This gift is not kept at this counter."),
    "bad_quantity": lambda d: _("Choose a smaller quantity."),
    "sold_out": lambda d: _("None left at this counter."),
    "locked": lambda d: _("The member's tier cannot redeem this gift."),
    "tier": lambda d: _("The member's tier does not include this benefit."),
    "segment": lambda d: _("This benefit is for another member segment."),
    "limit": lambda d: _("The member has reached the limit for this gift."),
    "points": lambda d: _("The member needs %(n)s more points.", n=f"{d.get('shortfall', 0):,}"),
    "used": lambda d: _("Already used this period."),
    "already_checked_in": lambda d: _("Already checked in."),
    "already_no_show": lambda d: _("Already marked as a no-show."),
    "already_cancelled": lambda d: _("The member cancelled this appointment."),
    "frozen": lambda d: _(
        "This member's account is frozen for review: no redemptions. Purchases are still "
        "recorded; their points are held until the review ends."
    ),
}

VOICES = {"member": MEMBER, "counter": COUNTER}


def explain(error: RedeemError | str, *, to: str = "member", default: str | None = None) -> str:
    """Why it did not happen, with the numbers that let the reader act."""
    code, detail = (error, {}) if isinstance(error, str) else (error.code, error.detail)
    message = VOICES[to].get(code)
    if message:
        return message(detail)
    if default is not None:
        return default
    if to == "counter":
        return _("That did not work. Please try again.")
    return _("Something went wrong. Please try again.")
