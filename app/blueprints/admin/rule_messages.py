"""What an operator reads when a rules change or a clearing cannot go ahead."""

from flask_babel import gettext as _

RULES = {
    "past": lambda d: _(
        "Rules never change retroactively: choose now (leave it empty) or a later time."
    ),
    "range": lambda d: _(
        "%(field)s: enter a whole number from %(low)s to %(high)s.",
        field=d.get("field"),
        low=d.get("low"),
        high=d.get("high"),
    ),
    "text": lambda d: _(
        "%(field)s: enter a name of at most %(limit)s characters.",
        field=d.get("field"),
        limit=d.get("limit"),
    ),
    "date": lambda d: _("%(field)s: enter a date like 2026-12-24.", field=d.get("field")),
    "shape": lambda d: _("These rules are incomplete. Reload the page and try again."),
    "stale": lambda d: _(
        "Another change to these rules took effect since you opened this page. "
        "Reload it, check the values and save again."
    ),
    "category": lambda d: _("A category code is lower-case letters, digits and _ (e.g. skincare)."),
    "campaign_window": lambda d: _("The campaign's last day is before its first day."),
    "campaign_over": lambda d: _(
        "The campaign would be over before it takes effect: rules never apply to the past."
    ),
    "campaign_unknown": lambda d: _("That campaign is not in the rules in force."),
    "tier_unknown": lambda d: _("Choose tiers from the list."),
    "segment_unknown": lambda d: _("Choose who it is for from the list: everyone or one segment."),
    "tiers": lambda d: _("Every tier needs its threshold, multiplier and name."),
    "thresholds": lambda d: _(
        "Thresholds must start at 0 for the first tier and rise from tier to tier."
    ),
    "benefit_code": lambda d: _("A benefit with this code exists already, or the code is invalid."),
    "benefit": lambda d: _("Choose the icon, how it is verified and how often it may be used."),
    "benefit_unknown": lambda d: _("No such benefit in the rules in force."),
    "source": lambda d: _("Choose how points of every source expire."),
    "rate": lambda d: _("Give every rate a name, points per ¥1 and (for a member day) a weekday."),
    "rate_window": lambda d: _("A rate's last day is before its first day."),
    "default_rate": lambda d: _("The calendar needs exactly one standard rate."),
}

CLEARING = {
    "run_on_ahead": lambda: _(
        "A clearing runs on a later day (at least tomorrow), so that members are told in advance."
    ),
    "dates": lambda: _("The points must be earned before the day the clearing runs."),
    "not_found": lambda: _("No such clearing."),
    "not_requested": lambda: _("This clearing is not waiting for approval."),
    "same_operator": lambda: _(
        "A second operator must approve: you requested this clearing yourself."
    ),
    "not_open": lambda: _("This clearing has already run or been cancelled."),
    "done": lambda: _("This clearing has already run."),
    "not_approved": lambda: _("This clearing has not been approved yet."),
    "not_due": lambda: _("This clearing's day has not come yet."),
}


def explain_rules(exc) -> str:
    """The message for a RulesError."""
    return RULES.get(exc.code, RULES["shape"])(exc.detail)


def explain_clearing(exc) -> str:
    """The message for a ClearingError."""
    return CLEARING.get(exc.code, CLEARING["not_found"])()
