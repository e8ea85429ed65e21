"""Redemption orders, their timeline, the member's address book and payments."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

ORDER_STATUSES = (
    "pending_payment",
    "to_pickup",
    "to_ship",
    "to_book",
    "completed",
    "cancelled",
    "refunded",
)


class Address(db.Model):
    """A shipping address in the member's address book."""

    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    region: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(String(120))


class Order(db.Model):
    """One redemption: gift, quantity, points and cash, delivery, status."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty"),
        CheckConstraint("points >= 0 AND points_for_cash >= 0", name="points"),
        CheckConstraint("cash_fen >= 0 AND cash_due_fen >= 0", name="cash"),
        CheckConstraint("delivery IN ('pickup', 'ship', 'wallet', 'service')", name="delivery"),
        CheckConstraint(
            "status IN ('pending_payment', 'to_pickup', 'to_ship', 'to_book', 'completed', "
            "'cancelled', 'refunded')",
            name="status",
        ),
        Index("ix_orders_member_gift", "member_id", "gift_id", "created_at"),
        Index("ix_orders_pending", "status", "pay_by"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(24), unique=True)
    request_key: Mapped[str] = mapped_column(String(80), unique=True)  # a double tap is one order
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    flash_event_id: Mapped[int | None] = mapped_column(ForeignKey("flash_events.id"), index=True)
    qty: Mapped[int]
    points: Mapped[int]  # the points price, all units
    cash_fen: Mapped[int] = mapped_column(default=0)  # the cash price before points-as-cash
    points_for_cash: Mapped[int] = mapped_column(default=0)
    cash_rate: Mapped[int | None]  # points per yuan applied to points_for_cash
    cash_due_fen: Mapped[int] = mapped_column(default=0)
    delivery: Mapped[str] = mapped_column(String(8))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    address: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    pickup_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    gift: Mapped["Gift"] = relationship()  # noqa: F821
    store: Mapped["Store | None"] = relationship()  # noqa: F821
    events: Mapped[list["OrderEvent"]] = relationship(order_by="OrderEvent.id")
    codes: Mapped[list["GiftCode"]] = relationship(order_by="GiftCode.id")  # noqa: F821

    @property
    def total_points(self) -> int:
        """Every point the order took."""
        return self.points + self.points_for_cash


class OrderEvent(db.Model):
    """The order's timeline."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Payment(db.Model):
    """The cash part of an order, paid through a provider (the built-in sandbox here)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("status IN ('pending', 'paid', 'cancelled', 'refunded')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
