"""What members redeemed together, set-based: "members who redeemed X also redeemed Y" counts
(`gift_pairs`) and how many members of each tier and segment redeemed each gift
(`gift_popularity`). Both are rewritten whole (DELETE, then INSERT … SELECT) by every recompute,
so running it twice leaves the same rows: the nightly job, after the RFM recompute it reads.

Over the trailing 12 brand-local months, from standing redemptions only (an order cancelled,
refunded or never paid is not a choice the member kept). A member counts once per gift.
"""

from datetime import datetime

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from app.models import GiftPair, GiftPopularity, Member, MemberSegment, Order, Tier
from app.services.analytics.rfm import STANDING
from app.timeutil import add_months, local_date, local_midnight


def _chosen(now: datetime):
    """One row per member and gift they redeemed (and kept) in the window."""
    start = local_midnight(add_months(local_date(now), -12))
    return (
        select(Order.member_id, Order.gift_id)
        .where(Order.created_at >= start, Order.created_at <= now, Order.status.in_(STANDING))
        .group_by(Order.member_id, Order.gift_id)
        .cte("chosen")
    )


def _pairs(chosen, now: datetime):
    other = chosen.alias("other")
    return (
        select(chosen.c.gift_id, other.c.gift_id, func.count(), literal(now))
        .join(other, (other.c.member_id == chosen.c.member_id))
        .where(other.c.gift_id != chosen.c.gift_id)
        .group_by(chosen.c.gift_id, other.c.gift_id)
    )


def _by_tier(chosen, now: datetime):
    return (
        select(literal("tier"), Tier.code, chosen.c.gift_id, func.count(), literal(now))
        .join(Member, Member.id == chosen.c.member_id)
        .join(Tier, Tier.id == Member.tier_id)
        .group_by(Tier.code, chosen.c.gift_id)
    )


def _by_segment(chosen, now: datetime):
    return (
        select(literal("segment"), MemberSegment.segment, chosen.c.gift_id, func.count())
        .add_columns(literal(now))
        .join(MemberSegment, MemberSegment.member_id == chosen.c.member_id)
        .where(MemberSegment.segment != "none")
        .group_by(MemberSegment.segment, chosen.c.gift_id)
    )


def recompute(session: Session, now: datetime) -> int:
    """Rewrite the pairs and the popularity as of now; the rows written (the caller commits)."""
    session.execute(delete(GiftPair))
    session.execute(delete(GiftPopularity))
    chosen = _chosen(now)
    cols = ["gift_id", "other_id", "members", "computed_at"]
    written = session.execute(insert(GiftPair).from_select(cols, _pairs(chosen, now))).rowcount
    cols = ["scope", "code", "gift_id", "members", "computed_at"]
    for part in (_by_tier, _by_segment):
        stmt = insert(GiftPopularity).from_select(cols, part(_chosen(now), now))
        written += session.execute(stmt).rowcount
    return written
