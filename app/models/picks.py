"""What "for you" reads and counts: co-redemption pairs, popularity per tier and segment (both
rewritten by every recompute), and the shelves' daily impressions, clicks and redemptions."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class GiftPair(db.Model):
    """Members who redeemed `gift_id` and also `other_id` (both ways: one row per direction)."""

    __tablename__ = "gift_pairs"
    # No foreign keys on purpose: the table is rewritten whole by INSERT … SELECT FROM orders.
    gift_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    other_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    members: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GiftPopularity(db.Model):
    """Members of a tier (scope `tier`, code = tier code) or a segment (scope `segment`) who
    redeemed a gift."""

    __tablename__ = "gift_popularity"
    __table_args__ = (CheckConstraint("scope IN ('tier', 'segment')", name="scope"),)
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    gift_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    members: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShelfDaily(db.Model):
    """One brand-local day of a kind of shelf (`for_you` or `shelf`): its impressions, clicks
    and redemptions, flushed from the request counters by the shelf-stats job."""

    __tablename__ = "shelf_daily"
    __table_args__ = (CheckConstraint("via IN ('for_you', 'shelf')", name="via"),)
    day: Mapped[date] = mapped_column(primary_key=True)
    via: Mapped[str] = mapped_column(String(8), primary_key=True)
    impressions: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    redemptions: Mapped[int] = mapped_column(default=0)
