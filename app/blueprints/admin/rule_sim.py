"""The simulator's page and the helper every draft form uses to try itself out."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.blueprints.admin import bp
from app.blueprints.admin.rule_forms import SimulatorForm, as_choices, to_utc
from app.blueprints.admin.tables import args as console_args
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.models import Member
from app.services.console import simulator
from app.services.points.rules import rules_at
from app.timeutil import utcnow


@dataclass(frozen=True)
class Compare:
    """A scenario's points under the rules in force at its time, and under the draft if any."""

    scenario: simulator.Scenario
    in_force: simulator.Outcome
    draft: simulator.Outcome | None


def tier_choices(now) -> list[tuple[str, str]]:
    """(code, name in the reader's language) of every tier in force now."""
    locale = str(get_locale())
    return [(t.code, t.display_name(locale)) for t in rules_at(db.session, now).ladder()]


def _categories(now, drafts) -> list[tuple[str, str]]:
    rules = rules_at(db.session, now, drafts)
    names = sorted(rules.payload("categories")["categories"])
    return [("", _("No category (normal rate)"))] + [(n, n) for n in names]


def _scenario(form: SimulatorForm, now) -> simulator.Scenario | str:
    paid_at = to_utc(form.sim_paid_at.data) or now
    member = None
    if form.sim_member.data:
        member = db.session.scalar(select(Member).where(Member.member_no == form.sim_member.data))
        if member is None:
            return _("No member has that number.")
    month = int(form.sim_month.data) if form.sim_month.data else None
    return simulator.Scenario(
        paid_fen=form.fen(),
        paid_at=paid_at,
        category=form.sim_category.data or "",
        member=member,
        tier_code=form.sim_tier.data,
        birthday_month=month,
    )


def simulated(session, drafts: dict | None, now, formdata=None):
    """(the simulator form, the comparison or None, an error message or None)."""
    form = SimulatorForm(formdata=formdata) if formdata is not None else SimulatorForm()
    form.sim_tier.choices = as_choices(tier_choices(now))
    form.sim_category.choices = as_choices(_categories(now, drafts))
    if not form.validate():
        return form, None, first_error(form)
    scenario = _scenario(form, now)
    if isinstance(scenario, str):
        return form, None, scenario
    in_force = simulator.simulate(session, scenario)
    draft = simulator.simulate(session, scenario, drafts) if drafts else None
    return form, Compare(scenario, in_force, draft), None


@bp.get("/rules/simulate")
def rule_simulate():
    """What a purchase would earn under the rules in force at its time (GET: bookmarkable)."""
    now = utcnow()
    if console_args():
        form, outcome, error = simulated(db.session, None, now, formdata=console_args())
    else:
        form, outcome, error = simulated_blank(now)
    return render(
        "admin/rules_simulate.html",
        "console",
        sim=form,
        outcome=outcome,
        error=error,
        crumbs=[(_("Rules"), url_for("admin.rules")), (_("Simulator"), None)],
    ), 422 if error else 200


def simulated_blank(now):
    """The empty simulator form."""
    form = SimulatorForm(formdata=None)
    form.sim_tier.choices = as_choices(tier_choices(now))
    form.sim_category.choices = as_choices(_categories(now, None))
    return form, None, None
