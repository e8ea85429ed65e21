"""Members, tiers and growth value."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import local_name
from app.models.types import UTCDateTime
from app.timeutil import utcnow


class Tier(db.Model):
    """A rung of the tier ladder; thresholds and multipliers are data."""

    __tablename__ = "tiers"
    __table_args__ = (
        CheckConstraint("threshold >= 0", name="threshold"),
        CheckConstraint("multiplier_pct > 0", name="multiplier"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    rank: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    threshold: Mapped[int]
    multiplier_pct: Mapped[int] = mapped_column(default=100)

    def display_name(self, locale: str) -> str:
        """The tier's name in a locale, falling back to the default name."""
        return local_name(self, locale)


class Member(db.Model):
    """A member's profile and point account; its row is the lock every ledger write takes."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint("debt >= 0", name="debt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    member_no: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    birthday: Mapped[date | None]
    referral_code: Mapped[str] = mapped_column(String(12), unique=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    debt: Mapped[int] = mapped_column(default=0)
    profile_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the counter the member last chose for pickups (the flash card offers it, changed there)
    pickup_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))

    user: Mapped["User"] = relationship(back_populates="member")  # noqa: F821
    tier: Mapped[Tier] = relationship()
    referred_by: Mapped["Member | None"] = relationship(remote_side=[id])


class GrowthEvent(db.Model):
    """A change of growth value (成长值): +1 per yuan paid, negative on refunds."""

    __tablename__ = "growth_events"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta"),
        Index("ix_growth_events_member_at", "member_id", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    idem_key: Mapped[str] = mapped_column(String(120), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TierChange(db.Model):
    """The tier history: every upgrade and downgrade with its reason (upgrade, review, refund)."""

    __tablename__ = "tier_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    to_tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    reason: Mapped[str] = mapped_column(String(20))
    # the POS order whose growth made an upgrade (or whose refund undid one)
    pos_order_id: Mapped[int | None] = mapped_column(ForeignKey("pos_orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
