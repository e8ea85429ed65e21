"""The alert rules' thresholds in the console: every rule with its settings in force, a form per
rule (operators), the recent changes. A change applies from the next evaluation on."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import alert_words as words
from app.blueprints.admin import bp
from app.blueprints.admin.alert_forms import form_data, settings_form, values_of
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.services.alerts import settings
from app.services.alerts.settings import RULES, SettingsError
from app.timeutil import utcnow
from app.transaction import committing

ABOUT = {
    "member_velocity": lambda: _("Points credited to one member today, against the member's "
                                 "daily average (operators' adjustments are not counted)."),
    "store_velocity": lambda: _("Purchase points one store issued today, against its daily "
                                "average."),
    "registrations": lambda: _("Registrations from one network (IPv4 address, or IPv6 /64) or "
                               "one browser, in a trailing window; checked at each registration."),
    "referral_ring": lambda: _("Referrers forming a cycle (A refers B refers … A), checked "
                               "at each referred member's first purchase."),
    "referral_tiny": lambda: _("One referrer whose friends' first purchases (the ones that "
                               "reward the referrer) are tiny."),
    "advisor_spike": lambda: _("Counter purchases one advisor recorded today, against the "
                               "advisor's daily average."),
    "gift_new_accounts": lambda: _("Redemptions of one gift in a trailing window, mostly by "
                                   "accounts only days old."),
    "points_audit": lambda: _("The points audit (balances, entries and lots agree; the books "
                              "close), once a day."),
    "login_attack": lambda: _("A login limit across addresses (one account) or across accounts "
                              "(one network) was reached; the limits are LOGIN_MAX_FAILURES_* "
                              "settings."),
}  # fmt: skip


def _forms(overrides: dict) -> dict:
    current = settings.everything(db.session)
    return {
        rule: overrides.get(rule)
        or settings_form(rule)(formdata=None, prefix=rule, data=form_data(rule, current[rule]))
        for rule in RULES
    }


def _page(status: int = 200, **extra):
    overrides = {extra["error_rule"]: extra.pop("form")} if "form" in extra else {}
    return render(
        "admin/alert_settings.html",
        "console",
        forms=_forms(overrides),
        about=ABOUT,
        words=words,
        recent=settings.history(db.session),
        crumbs=[(_("Alerts"), url_for("admin.alerts")), (_("Rules and thresholds"), None)],
        **extra,
    ), status


@bp.get("/alerts/settings")
def alert_settings():
    """Every rule's thresholds as they stand, a form each for operators."""
    return _page()


@bp.post("/alerts/settings/<rule>")
def alert_settings_save(rule: str):
    """Save one rule's thresholds (checked; a refusal writes nothing)."""
    if rule not in RULES:
        abort(404)
    form = settings_form(rule)(prefix=rule)
    if not form.validate_on_submit():
        return _page(422, error_rule=rule, form=form, error=first_error(form))
    try:
        with committing():
            settings.save(db.session, current_user, rule, values_of(rule, form), now=utcnow(),
                          note=form.note.data or "")  # fmt: skip
    except SettingsError:
        message = _("These values are out of bounds.")
        return _page(422, error_rule=rule, form=form, error=message)
    flash(_("Saved: %(rule)s applies these from its next evaluation.",
            rule=words.rule_name(rule)), "success")  # fmt: skip
    return redirect(url_for("admin.alert_settings", _anchor=f"rule-{rule}"), 303)
