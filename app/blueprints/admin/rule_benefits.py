"""Tier benefits in the rules console: add, change or remove one (each a new version)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.rule_forms import BenefitForm, as_choices
from app.blueprints.admin.rule_messages import explain_rules
from app.blueprints.admin.rule_sim import tier_choices
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.services.console import rules as console_rules
from app.timeutil import utcnow
from app.transaction import committing


def _current(code: str | None, now) -> dict | None:
    if code is None:
        return None
    payload = console_rules.in_force(db.session, "benefits", now)
    found = next((b for b in payload["benefits"] if b["code"] == code), None)
    if found is None:
        abort(404)
    return found


def _page(form: BenefitForm, code: str | None, *, error=None, status=200):
    form.tier_codes.choices = as_choices(tier_choices(utcnow()))
    title = _("New benefit") if code is None else _("Benefit %(code)s", code=code)
    return render(
        "admin/rules_benefit.html",
        "console",
        form=form,
        code=code,
        error=error,
        crumbs=[(_("Rules"), url_for("admin.rules")), (title, None)],
        title=title,
    ), status


@bp.get("/rules/benefits/new")
def rule_benefit_new():
    """The form for a new tier benefit."""
    return _page(BenefitForm(formdata=None), None)


@bp.get("/rules/benefits/<code>")
def rule_benefit(code: str):
    """One benefit as it stands, as a form for the next version."""
    form = BenefitForm(formdata=None)
    form.fill(_current(code, utcnow()))
    return _page(form, code)


def _save(code: str | None):
    now = utcnow()
    form = BenefitForm()
    form.tier_codes.choices = as_choices(tier_choices(now))
    if code is not None:
        _current(code, now)
        form.code.data = code  # the code names the benefit for good
    if not form.validate_on_submit():
        return _page(form, code, error=first_error(form), status=422)
    try:
        with committing():
            console_rules.put_benefit(
                db.session,
                current_user,
                form.item(),
                new=code is None,
                now=now,
                effective_at=form.when(),
                note=form.note.data or "",
            )
    except console_rules.RulesError as exc:
        return _page(form, code, error=explain_rules(exc), status=422)
    flash(_("Saved: a new version of the tier benefits."), "success")
    return redirect(url_for("admin.rules") + "#benefits", 303)


@bp.post("/rules/benefits/new")
def rule_benefit_create():
    """Add a benefit (a new benefits version)."""
    return _save(None)


@bp.post("/rules/benefits/<code>")
def rule_benefit_save(code: str):
    """Change a benefit (a new benefits version)."""
    return _save(code)


@bp.post("/rules/benefits/<code>/remove")
def rule_benefit_remove(code: str):
    """Remove a benefit from now on."""
    try:
        with committing():
            console_rules.remove_benefit(db.session, current_user, code, now=utcnow())
    except console_rules.RulesError as exc:
        flash(explain_rules(exc), "error")
    return redirect(url_for("admin.rules") + "#benefits", 303)
