"""The console's task page: each task's reward (the birthday's too), the member day and its
tier prices (operators write, finance reads), and the moderation of gift reviews."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.blueprints.admin import bp
from app.blueprints.admin.task_forms import TIERS, MemberDayForm, PriceForm, TaskForm
from app.blueprints.forms import first_error
from app.blueprints.member import task_words
from app.extensions import db
from app.htmx import render
from app.services.tasks import settings
from app.services.tasks.settings import TaskSettingsError
from app.tier_labels import tier_name
from app.timeutil import utcnow
from app.transaction import committing

ERRORS = {
    "task_unknown": lambda: _("There is no such task."),
    "task_bounds": lambda: _("These values are out of bounds."),
    "member_day_bounds": lambda: _(
        "Weekly days are 0 (Monday) to 6 (Sunday); monthly days 1 to 28."
    ),
    "price_gift": lambda: _("There is no gift with this ID."),
    "price_tier": lambda: _("There is no such tier."),
    "price_bounds": lambda: _("These values are out of bounds."),
    "birthday_gift": lambda: _(
        "A birthday gift is a coupon or virtual goods: choose one from the list."
    ),
    "review_missing": lambda: _("There is no such review."),
    "review_moderated": lambda: _("This review was already moderated."),
}  # fmt: skip


def _page(status: int = 200, **extra):
    forms = {
        r.code: TaskForm(formdata=None, prefix=r.code, obj=r) for r in settings.rules(db.session)
    }
    if "task_form" in extra:
        forms[extra["error_task"]] = extra.pop("task_form")
    if "birthday" in forms:
        forms["birthday"].gift_id.choices = [SelectChoice("", _("Points (the reward above)"))] + [
            SelectChoice(str(gift_id), f"{gift_id} · {name}")
            for gift_id, name in settings.birthday_gifts(db.session)
        ]
    day = settings.member_day(db.session)
    price_form = extra.pop("price_form", None) or PriceForm(formdata=None)
    price_form.tier.choices = [SelectChoice(t, tier_name(t)) for t in TIERS]
    return render(
        "admin/tasks.html",
        "console",
        forms=forms,
        day_form=extra.pop("day_form", None) or MemberDayForm(formdata=None, obj=day),
        price_form=price_form,
        prices=settings.prices(db.session),
        words=task_words,
        crumbs=[(_("Tasks"), None)],
        **extra,
    ), status


@bp.get("/tasks")
def tasks():
    """Every task's reward, the birthday points, the member day and its prices."""
    return _page()


@bp.post("/tasks/<code>")
def task_save(code: str):
    """Save one task's reward (checked; a refusal writes nothing)."""
    form = TaskForm(prefix=code)
    if not form.validate_on_submit():
        return _page(422, error_task=code, task_form=form, error=first_error(form))
    try:
        with committing():
            settings.save_task(db.session, current_user, code, form.points.data,
                               form.enabled.data, form.monthly_max.data, now=utcnow(),
                               gift_id=form.gift)  # fmt: skip
    except TaskSettingsError as exc:
        if str(exc) == "task_unknown":
            abort(404)
        return _page(422, error_task=code, task_form=form, error=ERRORS[str(exc)]())
    flash(_("Saved: %(task)s.", task=task_words.name(code)), "success")
    return redirect(url_for("admin.tasks", _anchor=f"task-{code}"), 303)


@bp.post("/tasks/member-day")
def member_day_save():
    """Save the member day (weekly or monthly, which day, on or off)."""
    form = MemberDayForm()
    if not form.validate_on_submit():
        return _page(422, day_form=form, day_error=first_error(form))
    try:
        with committing():
            settings.save_member_day(db.session, current_user, form.kind.data, form.day.data,
                                     form.enabled.data, now=utcnow())  # fmt: skip
    except TaskSettingsError as exc:
        return _page(422, day_form=form, day_error=ERRORS[str(exc)]())
    flash(_("Saved: the member day."), "success")
    return redirect(url_for("admin.tasks", _anchor="member-day"), 303)


@bp.post("/tasks/member-day/prices")
def member_day_price_save():
    """Set (or with 0 remove) a gift's member-day price for a tier."""
    form = PriceForm()
    if not form.validate_on_submit():
        return _page(422, price_form=form, price_error=first_error(form))
    try:
        with committing():
            settings.set_price(db.session, current_user, form.gift_id.data, form.tier.data,
                               form.points.data, now=utcnow())  # fmt: skip
    except TaskSettingsError as exc:
        return _page(422, price_form=form, price_error=ERRORS[str(exc)]())
    flash(_("Saved: the member-day price."), "success")
    return redirect(url_for("admin.tasks", _anchor="member-day-prices"), 303)
