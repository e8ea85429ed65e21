"""The audit viewer: every console write and the advisors' staff log, filtered, exported as CSV."""

from datetime import timedelta

from flask_babel import gettext as _

from app.blueprints.admin import bp
from app.blueprints.admin.export import csv_response
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.extensions import db
from app.htmx import render
from app.inputs import date_arg
from app.models import AuditEntry, Member, StaffAction
from app.services.console import audit
from app.timeutil import local_midnight

SORTS = {"at": AuditEntry.at, "action": AuditEntry.action}
COUNTER_SORTS = {"at": StaffAction.at, "action": StaffAction.action}


def _filter() -> audit.AuditFilter:
    """The filter the query string asks for (bad values are ignored, never a 500)."""
    args = console_args()
    member_no = args.get("member", "").strip()[:20]
    member_id = None
    if member_no:
        member_id = db.session.query(Member.id).filter(Member.member_no == member_no).scalar() or -1
    since, until = date_arg(args, "from"), date_arg(args, "to")
    return audit.AuditFilter(
        actor=args.get("actor", "").strip()[:20],
        action=args.get("action", "").strip()[:40],
        member_id=member_id,
        since=local_midnight(since) if since else None,
        until=local_midnight(until + timedelta(days=1)) if until else None,
    )


@bp.get("/audit")
def audit_log():
    """Console writes, or the counter's staff log (`?log=counter`), newest first."""
    f, log = _filter(), console_args().get("log", "console")
    if log == "counter":
        rows = table(db.session, audit.counter_query(f), COUNTER_SORTS, "at")
    else:
        log, rows = "console", table(db.session, audit.console_query(f), SORTS, "at")
    return render(
        "admin/audit.html", "results", log=log, rows=rows, crumbs=[(_("Audit log"), None)]
    )


@bp.get("/audit.csv")
def audit_csv():
    """The filtered console audit as CSV (every matching row)."""
    entries = db.session.scalars(audit.console_query(_filter()).limit(100_000))
    rows = (
        [e.at.isoformat(), e.actor.staff_id, e.action, f"{e.target_type}:{e.target_id}",
         e.member_id or "", e.summary, e.before or "", e.after or "", e.reason]
        for e in entries
    )  # fmt: skip
    header = ["at", "actor", "action", "target", "member", "summary", "before", "after", "reason"]
    return csv_response("audit.csv", header, rows, bom=True)
