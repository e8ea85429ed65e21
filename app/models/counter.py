"""The counter: staff audit log, per-store counter stock, service slots and bookings, benefits."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.segments import SEGMENT_CHECK
from app.models.types import UTCDateTime


class StaffAction(db.Model):
    """Every advisor action: who, which store, when, what, which member, the result."""

    __tablename__ = "staff_actions"
    __table_args__ = (Index("ix_staff_actions_store_at", "store_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    action: Mapped[str] = mapped_column(String(24))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    target: Mapped[str] = mapped_column(String(80), default="")
    result: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821


class StoreStock(db.Model):
    """Units of a gift kept at one store's counter, for redemptions made at the counter."""

    __tablename__ = "store_stock"
    __table_args__ = (
        UniqueConstraint("store_id", "gift_id", name="uq_store_stock_store_gift"),
        CheckConstraint("stock >= 0", name="stock"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    stock: Mapped[int]

    gift: Mapped["Gift"] = relationship()  # noqa: F821


class ServiceSlot(db.Model):
    """A bookable time at one store for an in-store service, with capacity."""

    __tablename__ = "service_slots"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked"),
        CheckConstraint("ends_at > starts_at", name="window"),
        Index("ix_service_slots_store_start", "store_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed: no new bookings

    store: Mapped["Store"] = relationship()  # noqa: F821

    @property
    def free(self) -> int:
        """Seats left."""
        return self.capacity - self.booked


class Booking(db.Model):
    """A member's appointment for a service order."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('booked', 'checked_in', 'no_show', 'cancelled')", name="status"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("service_slots.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="booked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[ServiceSlot] = relationship()
    order: Mapped["Order"] = relationship()  # noqa: F821
    member: Mapped["Member"] = relationship()  # noqa: F821


class Benefit(db.Model):
    """A tier benefit: verified by the system, or handed out by staff once per period."""

    __tablename__ = "benefits"
    __table_args__ = (
        CheckConstraint("verification IN ('system', 'offline')", name="verification"),
        CheckConstraint("period IN ('month', 'quarter', 'year')", name="period"),
        CheckConstraint(SEGMENT_CHECK, name="segment"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    tier_codes: Mapped[list] = mapped_column(JSON, default=list)
    verification: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8), default="quarter")
    segment: Mapped[str | None] = mapped_column(String(12))  # None: every member of its tiers


class BenefitUse(db.Model):
    """An offline benefit handed out; unique per member and period, so it cannot be used twice."""

    __tablename__ = "benefit_uses"
    __table_args__ = (
        UniqueConstraint("benefit_id", "member_id", "period_key", name="uq_benefit_uses_once"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    period_key: Mapped[str] = mapped_column(String(8))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
