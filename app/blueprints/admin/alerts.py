"""Alerts in the console: the list (status, rule, severity), one alert's evidence and links,
acknowledge and resolve with a note (operators; finance reads only)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import alert_words as words
from app.blueprints.admin import bp
from app.blueprints.admin.alert_forms import NoteForm
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.blueprints.forms import first_error
from app.extensions import db
from app.htmx import render
from app.models import Alert
from app.models.alerts import SEVERITIES
from app.services.alerts import alerts as alert_service
from app.services.alerts.alerts import SEVERITY_ORDER, AlertError
from app.services.alerts.settings import RULES
from app.timeutil import utcnow
from app.transaction import committing

SORTS = {"severity": SEVERITY_ORDER, "opened": Alert.opened_at, "rule": Alert.rule}
STATUS_FILTERS = ("active", "open", "acknowledged", "resolved", "all")
ERRORS = {
    "not_found": lambda d: _("No such alert."),
    "note": lambda d: _("Write a note: what you found or did."),
    "status": lambda d: _("This alert is already %(status)s.",
                          status=words.status_name(d.get("status", ""))),
}  # fmt: skip
DONE = {
    "acknowledge": lambda: _("Acknowledged: the others see you are on it."),
    "resolve": lambda: _("Resolved. The note stays with the alert and in the audit log."),
}


def _filter() -> alert_service.AlertFilter:
    """The filter the query string asks for (unknown values fall back, never a 500)."""
    args = console_args()
    status = args.get("status", "active")
    status = status if status in STATUS_FILTERS else "active"
    rule, severity = args.get("rule", ""), args.get("severity", "")
    return alert_service.AlertFilter(
        status="" if status == "all" else status,
        rule=rule if rule in RULES else "",
        severity=severity if severity in SEVERITIES else "",
    )


@bp.get("/alerts")
def alerts():
    """Every alert, worst first: filter by status, rule and severity."""
    f = _filter()
    return render(
        "admin/alerts.html",
        "results",
        found=table(db.session, alert_service.query(f), SORTS, "severity", default_desc=False),
        f=f,
        statuses=STATUS_FILTERS,
        rules=RULES,
        severities=SEVERITIES,
        words=words,
        crumbs=[(_("Alerts"), None)],
    )


def _detail(alert_id: int, status: int = 200, **extra):
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404)
    return render(
        "admin/alert_detail.html",
        "console",
        a=alert,
        words=words,
        form=extra.pop("form", None) or NoteForm(formdata=None),
        crumbs=[(_("Alerts"), url_for("admin.alerts")), (f"#{alert.id}", None)],
        **extra,
    ), status


@bp.get("/alerts/<int:alert_id>")
def alert_detail(alert_id: int):
    """One alert: what was found, the numbers, who and what it concerns, how it was handled."""
    return _detail(alert_id)


@bp.post("/alerts/<int:alert_id>/<any(acknowledge, resolve):step>")
def alert_step(alert_id: int, step: str):
    """Acknowledge or resolve an alert, with the note every step needs (audited)."""
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail(alert_id, 422, form=form, error=first_error(form), step=step)
    change = alert_service.acknowledge if step == "acknowledge" else alert_service.resolve
    try:
        with committing():
            change(db.session, current_user, alert_id, form.note.data, now=utcnow())
    except AlertError as exc:
        if exc.code == "not_found":
            abort(404)
        return _detail(alert_id, 422, form=form, error=ERRORS[exc.code](exc.detail), step=step)
    flash(DONE[step](), "success")
    return redirect(url_for("admin.alert_detail", alert_id=alert_id), 303)
