"""Points analytics: monthly flows with growth, channels and sinks, cost and liability; CSV."""

from datetime import date

from flask_babel import gettext as _

from app.blueprints.admin import bp
from app.blueprints.admin.charts import flow_bars, line
from app.blueprints.admin.export import csv_response
from app.blueprints.admin.tables import args as console_args
from app.extensions import db
from app.htmx import render
from app.inputs import date_arg
from app.models import Store, Tier
from app.services.analytics import channels, cost, flows
from app.timeutil import add_months, local_midnight, utcnow

DEFAULT_MONTHS = 12


def _month(name: str, fallback: date) -> date:
    raw = console_args().get(name, "")
    day = date_arg({name: f"{raw}-01"}, name) if len(raw) == 7 else None
    return day or fallback


def _range() -> tuple[date, date]:
    """?from=YYYY-MM&to=YYYY-MM, brand-local; default the last 12 months; never reversed."""
    this = flows.current_month(utcnow())
    last = _month("to", this)
    first = _month("from", add_months(last, -DEFAULT_MONTHS + 1))
    return (first, last) if first <= last else (last, last)


def _filters() -> flows.Filters:
    args = console_args()
    return flows.Filters(
        store=args.get("store", "")[:16],
        tier=args.get("tier", "")[:16],
        channel=args.get("channel", "")[:20],
    )


def _pct(value) -> str:
    return "" if value is None else str(value)


def _shown_pct(value) -> str:
    """12.5 → '12.5 %', None → '—' (the prior figure was 0)."""
    return "—" if value is None else f"{value} %"


def yuan_per_point(value_fen) -> str:
    """Decimal fen per point as yuan with two decimals (exact Decimal formatting, no floats)."""
    return "" if value_fen is None else f"{value_fen / 100:.2f}"


def _closing(opening: int, rows) -> list[int]:
    """The points outstanding at the end of each month, from the opening balance."""
    closing, running = [], opening
    for r in rows:
        running += r.issued - r.consumed - r.expired
        closing.append(running)
    return closing


def _channels(since, until, now) -> dict:
    """Where points came from and went in the range, and what expired unused."""
    return {
        "by_channel": channels.by_channel(db.session, since, until),
        "by_sink": channels.by_sink(db.session, since, until),
        "past_expiry": channels.past_expiry(db.session, now),
    }


def _filter_choices() -> dict:
    """The stores and tiers the flows can be narrowed to."""
    return {
        "stores": db.session.query(Store).order_by(Store.code).all(),
        "tiers": db.session.query(Tier).order_by(Tier.rank).all(),
    }


@bp.get("/analytics")
def analytics():
    """The flows, where points come from and go, and what they cost."""
    first, last = _range()
    f, now = _filters(), utcnow()
    liability = cost.liability(db.session, now)
    rows = flows.monthly(db.session, first, last, f)
    since, until = local_midnight(first), local_midnight(add_months(last, 1))
    opening = flows.outstanding(db.session, since)
    closing = _closing(opening, rows)
    return render(
        "admin/analytics.html",
        "console",
        rows=rows,
        first=first,
        last=last,
        filters=f,
        opening=opening,
        closing=closing,
        bars=flow_bars(rows),
        outstanding_line=line(closing),
        **_channels(since, until, now),
        liability=liability,
        health=cost.health(db.session, now),
        expiring=cost.expiring_by_month(db.session, now),
        **_filter_choices(),
        value_yuan=yuan_per_point(liability.value_fen),
        pct=_shown_pct,
        crumbs=[(_("Analytics"), None)],
    )


@bp.get("/analytics/monthly.csv")
def analytics_monthly_csv():
    """CONTRACT: month,issued,consumed,expired and their growth (%); empty when the prior is 0."""
    first, last = _range()
    rows = flows.monthly(db.session, first, last, _filters())
    header = ["month", "issued", "consumed", "expired", "issued_growth_pct",
              "consumed_growth_pct", "expired_growth_pct"]  # fmt: skip
    body = (
        [r.label, r.issued, r.consumed, r.expired, _pct(r.issued_growth),
         _pct(r.consumed_growth), _pct(r.expired_growth)]
        for r in rows
    )  # fmt: skip
    return csv_response("monthly.csv", header, body)


@bp.get("/analytics/channels.csv")
def analytics_channels_csv():
    """Issued by channel and consumed by sink over the range."""
    first, last = _range()
    since, until = local_midnight(first), local_midnight(add_months(last, 1))
    issued = channels.by_channel(db.session, since, until)
    consumed = channels.by_sink(db.session, since, until)
    body = [("issued", k, v) for k, v in issued.items()] + [
        ("consumed", k, v) for k, v in consumed.items()
    ]
    return csv_response("channels.csv", ["flow", "key", "points"], body)
