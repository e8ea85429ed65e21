"""The rules console: every rule in one place, new versions of a section, campaigns, history."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.rule_drafts import draft
from app.blueprints.admin.rule_forms import CampaignForm, as_choices
from app.blueprints.admin.rule_layout import layout
from app.blueprints.admin.rule_messages import explain_rules
from app.blueprints.admin.rule_section_forms import section_form
from app.blueprints.admin.rule_sim import simulated, simulated_blank, tier_choices
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.models import RuleVersion
from app.services.console import rules as console_rules
from app.services.console.rule_overview import overview
from app.services.points.rules import version_at
from app.timeutil import utcnow
from app.transaction import committing

EDITABLE = (
    "categories",
    "birthday",
    "behaviour",
    "gift_pack",
    "tiers",
    "sources",
    "cash",
    "bookings",
    "issue_cap",
)
SECTION_ANY = "any(" + ", ".join(EDITABLE) + ")"
PURCHASE = ("categories", "birthday", "tiers", "campaigns")  # what the simulator can try
TITLES = {
    "categories": lambda: _("Category multipliers"),
    "campaigns": lambda: _("Campaigns"),
    "birthday": lambda: _("Birthday rule"),
    "behaviour": lambda: _("Activity rewards"),
    "gift_pack": lambda: _("New-member gift pack"),
    "tiers": lambda: _("Tiers"),
    "benefits": lambda: _("Tier benefits"),
    "sources": lambda: _("Expiry and pending by source"),
    "cash": lambda: _("Points as cash"),
    "bookings": lambda: _("Orders and bookings"),
    "issue_cap": lambda: _("Monthly issue cap"),
}
HISTORY_SORTS = {"created": RuleVersion.created_at, "effective": RuleVersion.effective_at}


def _crumbs(*more):
    return [(_("Rules"), url_for("admin.rules")), *more]


@bp.get("/rules")
def rules():
    """Every rule in force now, grouped; what is scheduled; the cap's use; recent changes."""
    now = utcnow()
    recent = db.session.scalars(console_rules.history().limit(8)).all()
    return render(
        "admin/rules.html",
        "console",
        view=overview(db.session, now),
        recent=recent,
        titles=TITLES,
        sim=simulated_blank(now)[0],
        now=now,
        crumbs=[(_("Rules"), None)],
    )


@bp.get("/rules/history")
def rule_history():
    """Every version operators saved: section, who, when, in force from."""
    section = console_args().get("section", "")
    stmt = console_rules.history(section if section in TITLES else "")
    return render(
        "admin/rules_history.html",
        "console",
        versions=table(db.session, stmt, HISTORY_SORTS, "created"),
        titles=TITLES,
        section=section,
        now=utcnow(),
        crumbs=_crumbs((_("History"), None)),
    )


def _section_page(section, form, current, *, error=None, status=200, sim=None, outcome=None):
    now = utcnow()
    tiers = tier_choices(now)
    return render(
        "admin/rules_section.html",
        "console",
        section=section,
        title=TITLES[section](),
        form=form,
        layout=layout(section, form, current, dict(tiers)),
        error=error,
        sim=sim or simulated_blank(now)[0],
        outcome=outcome,
        simulates=section in PURCHASE,
        scheduled=[v for v in console_rules.scheduled(db.session, now) if v.section == section],
        crumbs=_crumbs((TITLES[section](), None)),
    ), status


def _base(section: str, now) -> int:
    version = version_at(db.session, section, now)
    return version.id if version is not None else 0


@bp.get(f"/rules/<{SECTION_ANY}:section>")
def rule_section(section: str):
    """A section's rules in force now, as a form for the next version."""
    now = utcnow()
    current = console_rules.in_force(db.session, section, now)
    return _section_page(
        section, section_form(section, current, _base(section, now), posted=False), current
    )


@bp.post(f"/rules/<{SECTION_ANY}:section>")
def rule_section_save(section: str):
    """Save the posted section as a new version (or only simulate it: nothing stored)."""
    now = utcnow()
    current = console_rules.in_force(db.session, section, now)
    form = section_form(section, current, _base(section, now), posted=True)
    if not form.validate_on_submit():
        return _section_page(section, form, current, error=first_error(form), status=422)
    if form.base.data != str(_base(section, now)):
        stale = console_rules.RulesError("stale")
        return _section_page(section, form, current, error=explain_rules(stale), status=409)
    payload = draft(section, form, current)
    if request.form.get("action") == "simulate":
        return _simulate_section(section, form, current, payload, now)
    try:
        with committing():
            console_rules.save(
                db.session,
                current_user,
                section,
                payload,
                effective_at=form.when(),
                now=now,
                note=form.note.data or "",
            )
    except console_rules.RulesError as exc:
        return _section_page(section, form, current, error=explain_rules(exc), status=422)
    flash(_("Saved: a new version of %(section)s.", section=TITLES[section]()), "success")
    return redirect(url_for("admin.rules") + f"#{section}", 303)


def _simulate_section(section: str, form, current: dict, payload: dict, now):
    """The simulator's answer for the posted section (nothing stored)."""
    sim, outcome, error = simulated(db.session, {section: payload}, now)
    status = 422 if error else 200
    return _section_page(
        section, form, current, sim=sim, outcome=outcome, error=error, status=status
    )


def _campaign_page(form, *, error=None, status=200, sim=None, outcome=None):
    now = utcnow()
    form.tiers.choices = as_choices(tier_choices(now))
    return render(
        "admin/rules_campaign.html",
        "console",
        form=form,
        error=error,
        sim=sim or simulated_blank(now)[0],
        outcome=outcome,
        crumbs=_crumbs((_("New campaign"), None)),
    ), status


@bp.get("/rules/campaigns/new")
def rule_campaign_new():
    """The new campaign form (with the simulator)."""
    return _campaign_page(CampaignForm(formdata=None))


@bp.post("/rules/campaigns/new")
def rule_campaign_create():
    """A new campaigns version with this one, from now or the time given; or only simulate."""
    now = utcnow()
    form = CampaignForm()
    form.tiers.choices = as_choices(tier_choices(now))
    if not form.validate_on_submit():
        return _campaign_page(form, error=first_error(form), status=422)
    fields = _campaign_fields(form)
    try:
        if request.form.get("action") == "simulate":
            return _simulate_campaign(form, fields, now)
        with committing():
            console_rules.add_campaign(
                db.session,
                current_user,
                now=now,
                effective_at=form.when(),
                note=form.note.data or "",
                **fields,
            )
    except console_rules.RulesError as exc:
        db.session.rollback()
        return _campaign_page(form, error=explain_rules(exc), status=422)
    flash(_("Campaign %(name)s saved.", name=fields["name"]), "success")
    return redirect(url_for("admin.rules") + "#campaigns", 303)


def _campaign_fields(form) -> dict:
    return dict(
        name=form.name.data.strip(),
        multiplier_pct=form.multiplier_pct.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        tiers=form.tiers.data or [],
        segment=form.segment.target(),
    )


def _simulate_campaign(form, fields: dict, now):
    """The simulator's answer with this campaign added (nothing stored; RulesError if invalid)."""
    when = console_rules.effective(form.when(), now)
    drafts = {"campaigns": console_rules.draft_campaigns(db.session, when=when, **fields)}
    sim, outcome, error = simulated(db.session, drafts, now)
    return _campaign_page(form, sim=sim, outcome=outcome, error=error, status=422 if error else 200)


@bp.post("/rules/campaigns/<int:campaign_id>/end")
def rule_campaign_end(campaign_id: int):
    """End a campaign now: a new version without it (orders paid before keep its bonus)."""
    try:
        with committing():
            console_rules.end_campaign(db.session, current_user, campaign_id, now=utcnow())
    except console_rules.RulesError as exc:
        flash(explain_rules(exc), "error")
    return redirect(url_for("admin.rules") + "#campaigns", 303)


from app.blueprints.admin import rule_benefits, rule_clearing  # noqa: E402,F401
