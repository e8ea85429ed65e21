"""The console home: outstanding points, their cost, the health index, this month's flows."""

from app.blueprints.admin import alert_words, bp
from app.blueprints.admin.analytics import yuan_per_point
from app.extensions import db
from app.health import job_health
from app.htmx import render
from app.services.alerts.alerts import open_alerts
from app.services.analytics import cost, flows, overview
from app.timeutil import add_months, utcnow


@bp.get("/")
def home():
    """KPIs and what needs attention."""
    now = utcnow()
    liability = cost.liability(db.session, now)
    this = flows.current_month(now)
    return render(
        "admin/home.html",
        "console",
        totals=overview.totals(db.session, now),
        liability=liability,
        value_yuan=yuan_per_point(liability.value_fen),
        health=cost.health(db.session, now),
        recent=flows.monthly(db.session, add_months(this, -1), this),
        jobs=job_health(db.session, now),
        open_alerts=open_alerts(db.session),
        alert_words=alert_words,
        crumbs=[],
    )
