"""Display words for the domain's codes (statuses, kinds, badges …) in the reader's language.

Templates call `label(group, code)`; the words live here, not in the templates.
"""

from flask_babel import lazy_gettext as _l

from app.services.analytics import segments as segment_names

LABELS = {
    "points_filter": {
        "all": _l("All"),
        "earned": _l("Earned"),
        "spent": _l("Spent"),
        "expired": _l("Expired"),
    },
    "badge": {
        "new": _l("New"),
        "hot": _l("Popular"),
        "limited": _l("Limited"),
        "exclusive": _l("Exclusive"),
        "points_cash": _l("Points + cash"),
    },
    "kind": {
        "physical": _l("Gifts"),
        "coupon": _l("Coupons"),
        "virtual": _l("Memberships"),
        "service": _l("Treatments"),
    },
    "delivery_hint": {
        "physical": _l("Pick up at a counter or have it shipped"),
        "coupon": _l("The coupon code arrives in your orders at once"),
        "virtual": _l("The activation code arrives in your orders at once"),
        "service": _l("Book a time at a counter after redeeming"),
    },
    "gift_kind": {
        "physical": _l("Physical gift"),
        "coupon": _l("Coupon (code)"),
        "virtual": _l("Virtual goods (code)"),
        "service": _l("Counter service"),
    },
    "gift_state": {
        "on_sale": _l("On sale"),
        "scheduled": _l("Scheduled"),
        "delisted": _l("Delisted"),
        "sold_out": _l("Sold out"),
        "low_stock": _l("Low stock"),
    },
    "flash_phase": {"live": _l("Live now"), "upcoming": _l("Coming soon")},
    "flash_status": {
        "upcoming": _l("Upcoming"),
        "live": _l("Live"),
        "sold_out": _l("Live, sold out"),
        "ended": _l("Ended"),
        "cancelled": _l("Cancelled"),
    },
    "flash_refusal": {
        "sold_out": _l("Sold out"),
        "limit": _l("Member limit reached"),
        "points": _l("Not enough points"),
        "tier": _l("Tier too low"),
        "not_in_window": _l("Outside the window"),
        "other": _l("Other"),
    },
    "home_section": {
        "banner": _l("Banner"),
        "flash": _l("Flash strip"),
        "shelf": _l("Shelf"),
        "for_you": _l("For you"),
    },
    "order_status": {
        "pending_payment": _l("Awaiting payment"),
        "to_pickup": _l("Ready for pickup"),
        "to_ship": _l("To be shipped"),
        "to_book": _l("To be booked"),
        "booked": _l("Booked"),  # a service order with its time (shown; stored as to_book)
        "rebooked": _l("Time changed"),  # timeline only: the appointment moved
        "slot_closed": _l("Appointment cancelled by the store"),  # timeline only
        "completed": _l("Completed"),
        "cancelled": _l("Cancelled"),
        "refunded": _l("Refunded"),
    },
    "booking_status": {
        "checked_in": _l("Checked in"),
        "no_show": _l("No-show"),
        "cancelled": _l("Cancelled"),
    },
    "staff_action": {
        "lookup": _l("Look-up"),
        "purchase": _l("Purchase"),
        "pickup": _l("Pickup"),
        "redeem": _l("Redeemed"),
        "benefit": _l("Benefit"),
        "check_in": _l("Check in"),
        "no_show": _l("No-show"),
    },
    "staff_result": {  # the staff log's words for an action's outcome (`StaffAction.result`)
        "ok": _l("done"),
        "refused": _l("not done"),
        "not_found": _l("no member found"),
        "check_in:not_found": _l("no such appointment"),
        "no_show:not_found": _l("no such appointment"),
        "receipt_conflict": _l("receipt recorded with other details"),
        "issue_cap": _l("monthly points budget used up"),
        "pickup_unknown": _l("unknown pickup code"),
        "pickup_other_store": _l("for another counter"),
        "pickup_done": _l("already handed over"),
        "pickup_not_ready": _l("not ready for pickup"),
        "cash_due": _l("cash not collected yet"),
        "code_invalid": _l("member code not valid"),
        "not_at_counter": _l("not kept at this counter"),
        "bad_quantity": _l("quantity too large"),
        "sold_out": _l("none left"),
        "locked": _l("tier cannot redeem this"),
        "tier": _l("not in the member's tier"),
        "limit": _l("limit reached"),
        "points": _l("not enough points"),
        "not_in_window": _l("not on sale now"),
        "used": _l("already used this period"),
        "unknown": _l("no such benefit"),
        "already_checked_in": _l("already checked in"),
        "already_no_show": _l("already a no-show"),
        "already_cancelled": _l("cancelled by the member"),
        "frozen": _l("account frozen for review"),
    },
    "staff_role": {
        "advisor": _l("Beauty advisor"),
        "operator": _l("Operator"),
        "finance": _l("Finance (read-only)"),
        "member": _l("Member"),
    },
    "channel": {
        "purchase_pos": _l("Purchases (POS)"),
        "purchase_counter": _l("Purchases (counter)"),
        "signin": _l("Daily sign-in"),
        "registration": _l("Registration"),
        "profile": _l("Profile completed"),
        "referral": _l("Referral"),
        "task": _l("Tasks"),
        "campaign": _l("Campaign bonus"),
        "adjustment": _l("Adjustment"),
    },
    "sink": {
        "physical": _l("Physical gifts"),
        "coupon": _l("Coupons"),
        "virtual": _l("Virtual goods"),
        "service": _l("Services"),
        "points_as_cash": _l("Points as cash"),
        "flash": _l("Flash redemptions"),
        "other": _l("Other"),
    },
    "health": {
        "healthy": _l("Healthy: consumption is between 85 and 115 per cent of issuing."),
        "issuing_outruns": _l(
            "Issuing outruns consumption: add sinks (gifts, flash events) or schedule a clearing."
        ),
        "consumption_outruns": _l(
            "Consumption outruns issuing: restock the gifts and widen the ways to earn."
        ),
        "no_data": _l("No points were issued in the last three months."),
    },
    "rate": {
        "default": _l("standard rate"),
        "range": _l("campaign rate"),
        "weekly": _l("member day rate"),
    },
    "delivery": {
        "pickup": _l("Pickup at a counter"),
        "ship": _l("Shipping"),
        "wallet": _l("Code in the wallet"),
        "service": _l("In-store service"),
    },
    "carrier": {
        "sf": _l("SF Express"),
        "jd": _l("JD Logistics"),
        "zto": _l("ZTO Express"),
        "yto": _l("YTO Express"),
        "sto": _l("STO Express"),
        "yunda": _l("Yunda Express"),
        "ems": _l("China Post EMS"),
        "other": _l("Other carrier"),
    },
    "adjustment_reason": {
        "goodwill": _l("Goodwill gesture"),
        "correction": _l("Correction of an error"),
        "complaint": _l("Complaint settled"),
        "campaign": _l("Campaign reward"),
        "other": _l("Other"),
    },
    "adjustment_status": {
        "pending": _l("Awaiting approval"),
        "applied": _l("Applied"),
        "rejected": _l("Rejected"),
    },
    "campaign_state": {
        "running": _l("Running"),
        "upcoming": _l("Upcoming"),
        "over": _l("Over"),
    },
    "verification": {"system": _l("By the system"), "offline": _l("By staff")},
    "period": {"month": _l("Monthly"), "quarter": _l("Quarterly"), "year": _l("Yearly")},
    "weekday": {
        "0": _l("Mondays"),
        "1": _l("Tuesdays"),
        "2": _l("Wednesdays"),
        "3": _l("Thursdays"),
        "4": _l("Fridays"),
        "5": _l("Saturdays"),
        "6": _l("Sundays"),
    },
    "clearing_status": {
        "requested": _l("Awaiting approval"),
        "approved": _l("Approved"),
        "done": _l("Done"),
        "cancelled": _l("Cancelled"),
    },
    "category": {
        "skincare": _l("Skincare"),
        "makeup": _l("Make-up"),
        "fragrance": _l("Fragrance"),
        "gift_card": _l("Gift cards"),
    },
    "source": {
        "purchase": _l("Purchase"),
        "signin": _l("Daily sign-in"),
        "registration": _l("Welcome gift"),
        "profile": _l("Profile completed"),
        "referral": _l("Friend referral"),
        "task": _l("Activity reward"),
        "campaign": _l("Campaign bonus"),
        "adjustment": _l("Adjustment"),
    },
}

# who a campaign, benefit or flash event is for (console), and what members read of it
LABELS["target"] = {"": _l("Everyone"), **segment_names.NAMES}
LABELS["for_segment"] = {
    "loyal": _l("for loyal customers"),
    "opportunity": _l("for opportunity customers"),
    "random": _l("for random customers"),
    "at_risk": _l("for customers at risk"),
    "lapsed": _l("for lapsed customers"),
    "none": _l("for members yet to buy"),
}

LIMITS = {
    "total": _l("Limit %(n)s per member"),
    "day": _l("Limit %(n)s per day"),
    "week": _l("Limit %(n)s per week"),
    "month": _l("Limit %(n)s per month"),
}


def label(group: str, code: str | None, default: str | None = None) -> str:
    """The word for `code` in `group`; the code itself (or `default`) when there is none."""
    word = LABELS[group].get(code or "")
    if word is None:
        return default if default is not None else (code or "")
    return str(word)


def staff_result(action: str, result: str) -> str:
    """The staff log's word for how an action ended: "done", or why not — never a code."""
    words = LABELS["staff_result"]
    return str(words.get(f"{action}:{result}") or words.get(result) or words["refused"])


def limit_label(count: int, period: str | None) -> str:
    """'Limit 2 per month'."""
    return str(LIMITS[period or "total"]) % {"n": count}
