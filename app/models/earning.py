"""Earning rules as data: settings, category multipliers, campaigns; sign-ins and POS orders."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.segments import SEGMENT_CHECK
from app.models.types import UTCDateTime
from app.timeutil import utcnow


class EarningSetting(db.Model):
    """A named integer rule (points per sign-in, monthly cap, …)."""

    __tablename__ = "earning_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]


class CategoryMultiplier(db.Model):
    """Purchase points multiplier (percent) for a product category."""

    __tablename__ = "category_multipliers"
    __table_args__ = (CheckConstraint("multiplier_pct >= 0", name="multiplier"),)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    multiplier_pct: Mapped[int]


class Campaign(db.Model):
    """Double/triple point days: a brand-local date window with a multiplier (percent)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("multiplier_pct > 0", name="multiplier"),
        CheckConstraint("ends_on >= starts_on", name="window"),
        CheckConstraint(SEGMENT_CHECK, name="segment"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    multiplier_pct: Mapped[int]
    segment: Mapped[str | None] = mapped_column(String(12))  # None: every member


class SignIn(db.Model):
    """One daily sign-in; unique per member and brand-local day."""

    __tablename__ = "signins"
    __table_args__ = (UniqueConstraint("member_id", "local_date", name="uq_signins_member_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    local_date: Mapped[date]
    streak: Mapped[int]
    points: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PosOrder(db.Model):
    """A paid order reported by a store system; `order_no` is the idempotency key."""

    __tablename__ = "pos_orders"
    __table_args__ = (
        CheckConstraint("paid_fen >= 0", name="paid"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= paid_fen", name="refunded"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    store_code: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10), default="pos")
    paid_fen: Mapped[int]
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    body_hash: Mapped[str] = mapped_column(String(64))
    points_awarded: Mapped[int]
    refunded_fen: Mapped[int] = mapped_column(default=0)
    points_reversed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PosRefund(db.Model):
    """A refund of part or all of a POS order; `refund_no` is the idempotency key."""

    __tablename__ = "pos_refunds"
    __table_args__ = (CheckConstraint("refund_fen > 0", name="refund"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("pos_orders.id"), index=True)
    refund_fen: Mapped[int]
    body_hash: Mapped[str] = mapped_column(String(64))
    points_reversed: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
