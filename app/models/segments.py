"""Member segments: each member's latest RFM scores and segment, and each segment's totals;
both rewritten by every recompute."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

SEGMENTS = ("loyal", "opportunity", "random", "at_risk", "lapsed", "none")
# what a campaign, benefit or flash event may be targeted at (NULL: everyone)
SEGMENT_CHECK = "segment IS NULL OR segment IN (" + ", ".join(f"'{s}'" for s in SEGMENTS) + ")"


class MemberSegment(db.Model):
    """One member's recency/frequency/monetary figures and 1–5 scores, segment and snapshot."""

    __tablename__ = "member_segments"
    __table_args__ = (
        CheckConstraint(
            "segment IN ('loyal', 'opportunity', 'random', 'at_risk', 'lapsed', 'none')",
            name="segment",
        ),
        CheckConstraint(
            "(r_score IS NULL AND f_score IS NULL AND m_score IS NULL) OR "
            "(r_score BETWEEN 1 AND 5 AND f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5)",
            name="scores",
        ),
        CheckConstraint("frequency >= 0 AND monetary_fen >= 0", name="figures"),
        Index("ix_member_segments_segment", "segment", "monetary_fen"),
    )
    # No foreign key on purpose: the rows are only ever written by INSERT … SELECT FROM members
    # (members are never deleted), and a per-row key check would be a third of a 1 M-row rewrite.
    member_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    segment: Mapped[str] = mapped_column(String(12))
    # over the trailing 12 brand-local months; scores are NULL for members without a purchase in it
    recency_days: Mapped[int | None]
    frequency: Mapped[int] = mapped_column(default=0)
    monetary_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    r_score: Mapped[int | None] = mapped_column(SmallInteger)
    f_score: Mapped[int | None] = mapped_column(SmallInteger)
    m_score: Mapped[int | None] = mapped_column(SmallInteger)
    last_purchase_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # ever, not refunded
    # the member's points when computed: available, and available + pending − debt
    balance: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    redeemed: Mapped[bool] = mapped_column(default=False)  # a standing redemption in 12 months
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SegmentTotal(db.Model):
    """One segment's totals as of the recompute (the console reads these, not a million rows)."""

    __tablename__ = "segment_totals"
    segment: Mapped[str] = mapped_column(String(12), primary_key=True)
    members: Mapped[int]
    balance: Mapped[int] = mapped_column(BigInteger)  # Σ available points
    held: Mapped[int] = mapped_column(BigInteger)  # Σ available + pending − debt
    redeemed: Mapped[int]  # members with a standing redemption in the last 12 months
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
