"""What operators do to members and orders: adjustments (four-eyes), freezes, held credits,
shipments."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.account import User
from app.models.types import UTCDateTime

ADJUSTMENT_REASONS = ("goodwill", "correction", "complaint", "campaign", "other")
ADJUSTMENT_STATUSES = ("pending", "applied", "rejected")


class PointAdjustment(db.Model):
    """A manual credit or debit: applied at once up to the threshold, else after a second
    operator approves it. `request_key` makes a double submit one adjustment."""

    __tablename__ = "point_adjustments"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points"),
        CheckConstraint("status IN ('pending', 'applied', 'rejected')", name="status"),
        CheckConstraint(
            "reason_code IN ('goodwill', 'correction', 'complaint', 'campaign', 'other')",
            name="reason_code",
        ),
        Index("ix_point_adjustments_status", "status", "requested_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    points: Mapped[int]  # signed: credit > 0, debit < 0
    reason_code: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10))
    request_key: Mapped[str] = mapped_column(String(80), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(String(200), default="")
    txn_id: Mapped[int | None] = mapped_column(ForeignKey("point_txns.id"))

    member: Mapped["Member"] = relationship()  # noqa: F821
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class MemberFreeze(db.Model):
    """A member frozen for suspected fraud: they may look, but earn (held) and spend nothing."""

    __tablename__ = "member_freezes"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    frozen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    frozen_by: Mapped[User] = relationship()


class HeldLot(db.Model):
    """A lot credited while its member was frozen: unavailable until the freeze is lifted."""

    __tablename__ = "held_lots"
    __table_args__ = (Index("ix_held_lots_member_open", "member_id", "released_at"),)
    lot_id: Mapped[int] = mapped_column(ForeignKey("point_lots.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)  # by the source's own policy
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lot: Mapped["PointLot"] = relationship()  # noqa: F821


class Shipment(db.Model):
    """How a shipping order left the warehouse: carrier and tracking number (the member sees it)."""

    __tablename__ = "shipments"
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(16))
    tracking_no: Mapped[str] = mapped_column(String(40))
    shipped_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # `order.shipment` without touching the Order model
    order: Mapped["Order"] = relationship(  # noqa: F821
        backref=backref("shipment", uselist=False, lazy="select")
    )
    shipped_by: Mapped[User] = relationship()
