"""Where points come from (earning channels) and where they go (spending sinks), over a range."""

from datetime import datetime

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from app.models import Gift, Order, PointLot, PointTransaction, PosOrder
from app.services.analytics import definitions as d

CHANNELS = (
    "purchase_pos", "purchase_counter", "signin", "registration", "profile", "referral",
    "task", "campaign", "adjustment",
)  # fmt: skip
SINKS = ("physical", "coupon", "virtual", "service", "points_as_cash", "flash", "other")

T = PointTransaction


def _in_range(stmt, since: datetime, until: datetime):
    return stmt.where(T.created_at >= since, T.created_at < until)


def by_channel(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Issued points (net of claw-backs) per earning channel; purchases split POS / counter."""
    pos = PosOrder.__table__.alias("pos")
    stmt = (
        select(T.source, pos.c.channel, d.total(d.issued))
        .outerjoin(pos, T.ref == literal("order:") + pos.c.order_no)
        .where(T.kind.in_(d.ISSUING))
        .group_by(T.source, pos.c.channel)
    )
    out = dict.fromkeys(CHANNELS, 0)
    for source, channel, points in session.execute(_in_range(stmt, since, until)):
        key = (
            f"purchase_{'counter' if channel == 'counter' else 'pos'}"
            if source == "purchase"
            else source
        )
        out[key] = out.get(key, 0) + int(points)
    return out


def by_sink(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Consumed points (net of returns) per sink; the points that paid cash are their own sink."""
    sign = case((T.kind == "reverse", -1), else_=1)
    stmt = (
        select(
            Order.flash_event_id.is_not(None),
            Gift.kind,
            d.total(d.consumed),
            func.coalesce(func.sum(sign * Order.points_for_cash), 0),
        )
        .outerjoin(Order, T.ref == literal("redeem:") + Order.order_no)
        .outerjoin(Gift, Gift.id == Order.gift_id)
        .where(T.kind.in_(d.SPENDING))
        .group_by(Order.flash_event_id.is_not(None), Gift.kind)
    )
    out = dict.fromkeys(SINKS, 0)
    for is_flash, kind, consumed, for_cash in session.execute(_in_range(stmt, since, until)):
        sink = "flash" if is_flash else (kind if kind in SINKS else "other")
        out["points_as_cash"] += int(for_cash)
        out[sink] += int(consumed) - int(for_cash)
    return out


def past_expiry(session: Session, now: datetime) -> int:
    """Points on lots already past their expiry that the expiry job has not written off yet."""
    stmt = select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.remaining > 0, PointLot.expires_at <= now
    )
    return int(session.scalar(stmt))
