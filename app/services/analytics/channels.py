"""Where points come from (earning channels) and where they go (spending sinks), over a range."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PointLot
from app.services.analytics import figures
from app.services.analytics.facts import SINKS

CHANNELS = (
    "purchase_pos", "purchase_counter", "signin", "registration", "profile", "referral",
    "task", "campaign", "adjustment",
)  # fmt: skip


def _flows(session: Session, since: datetime, until: datetime, direct: bool):
    return figures.sums(session, since, until, lambda c: [c.flow, c.channel], direct=direct)


def by_channel(
    session: Session, since: datetime, until: datetime, *, direct: bool = False
) -> dict[str, int]:
    """Issued points (net of claw-backs) per earning channel; purchases split POS / counter."""
    out = dict.fromkeys(CHANNELS, 0)
    for (flow, channel), (issued, *_) in _flows(session, since, until, direct).items():
        if flow == "issue":
            key = channel or None  # a claw-back names no source
            out[key] = out.get(key, 0) + issued
    return out


def by_sink(
    session: Session, since: datetime, until: datetime, *, direct: bool = False
) -> dict[str, int]:
    """Consumed points (net of returns) per sink; the points that paid cash are their own sink."""
    out = dict.fromkeys(SINKS, 0)
    for (flow, sink), (_, consumed, _, for_cash) in _flows(session, since, until, direct).items():
        if flow == "spend":
            out["points_as_cash"] += for_cash
            out[sink] += consumed - for_cash
    return out


def past_expiry(session: Session, now: datetime) -> int:
    """Points on lots already past their expiry that the expiry job has not written off yet."""
    stmt = select(func.coalesce(func.sum(PointLot.remaining), 0)).where(
        PointLot.remaining > 0, PointLot.expires_at <= now
    )
    return int(session.scalar(stmt))
