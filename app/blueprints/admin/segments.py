"""Member segments (RFM): sizes and figures per segment, a segment's members and their CSV,
recompute on demand (operators; finance reads), and the segment on a member's page."""

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.export import csv_response
from app.blueprints.admin.tables import args as console_args
from app.blueprints.admin.tables import table
from app.extensions import db
from app.htmx import redirect_to, render
from app.models import Member, MemberSegment
from app.services.analytics import pairs, rfm, segments, shelf_stats
from app.timeutil import to_local, utcnow
from app.transaction import committing

SORTS = {
    "monetary": MemberSegment.monetary_fen,
    "frequency": MemberSegment.frequency,
    "recency": MemberSegment.recency_days,
    "last": MemberSegment.last_purchase_at,
    "balance": MemberSegment.balance,
    "no": Member.member_no,
}
CSV_HEADER = [
    "member_no", "name", "tier", "segment", "r_score", "f_score", "m_score", "recency_days",
    "frequency", "monetary_yuan", "last_purchase_at", "balance", "held", "redeemed_12m",
    "computed_at",
]  # fmt: skip


def _pct(value) -> str:
    """12.5 → '12.5 %'; None (nobody to divide by) → '—'."""
    return "—" if value is None else f"{value} %"


def _tenths(value) -> str:
    """123 (tenths of a percent) → '12.3 %'; None (nothing to divide by) → '—'."""
    return "—" if value is None else f"{value // 10}.{value % 10} %"


def _chosen(summary: segments.Summary) -> str:
    """?segment=<code> whose members are listed; by default the first segment with members."""
    code = console_args().get("segment", "")
    if code in segments.CODES:
        return code
    return next((r.code for r in summary.rows if r.members), segments.CODES[0])


@bp.get("/segments")
def segments_page():
    """Every segment's size, share, average balance, redemption rate and points held."""
    summary = segments.summary(db.session)
    code = _chosen(summary)
    return render(
        "admin/segments.html",
        "console",
        summary=summary,
        chosen=code,
        members=table(db.session, segments.members_query(code), SORTS, "monetary", scalars=False),
        names=segments.NAMES,
        rules=segments.RULES,
        pct=_pct,
        tenths=_tenths,
        shelves=shelf_stats.figures(db.session, utcnow()),
        crumbs=[(_("Segments"), None)],
    )


@bp.post("/segments/recompute")
def segments_recompute():
    """Recompute every member's scores and segment now (the nightly job does it too)."""
    with committing():
        count = rfm.recompute_by(db.session, current_user, now=utcnow())
        pairs.recompute(db.session, utcnow())  # "for you" reads the segments just written
    flash(_("Segments recomputed for %(n)s members.", n=f"{count:,}"), "success")
    return redirect_to(url_for("admin.segments_page", **console_args()))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _when(moment) -> str:
    return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment else ""


def _csv_row(row) -> list:
    s = row.MemberSegment
    return [
        row.member_no, row.name, row.tier, s.segment, s.r_score, s.f_score, s.m_score,
        s.recency_days, s.frequency, _yuan(s.monetary_fen), _when(s.last_purchase_at),
        s.balance, s.held, int(s.redeemed), _when(s.computed_at),
    ]  # fmt: skip


@bp.get("/segments/<code>.csv")
def segments_csv(code: str):
    """One segment's members with their scores and figures (times brand-local)."""
    if code not in segments.CODES:
        abort(404)
    stmt = segments.members_query(code).order_by(Member.member_no)
    rows = (_csv_row(row) for row in db.session.execute(stmt))
    return csv_response(f"segment-{code}.csv", CSV_HEADER, rows, bom=True)


@bp.context_processor
def member_segment() -> dict:
    """On a member's console page: the member's latest segment (None before the first run)."""
    member_no = (request.view_args or {}).get("member_no")
    if not isinstance(member_no, str) or not (request.endpoint or "").startswith("admin.member"):
        return {}
    found = segments.of_member_no(db.session, member_no)
    return {"member_segment": found, "segment_names": segments.NAMES}
