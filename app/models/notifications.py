"""Notifications (the in-app centre), their outbox per channel, preferences and "notify me"."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from app.extensions import db
from app.models.console_members import Shipment
from app.models.member import Member, TierChange
from app.models.types import UTCDateTime

KINDS = (
    "points_expiring",
    "pickup_ready",
    "shipped",
    "appointment",
    "back_in_stock",
    "on_sale",
    "tier_up",
    "tier_down",
    "campaign",
    "birthday",
)
MARKETING = ("back_in_stock", "on_sale", "campaign")  # the ones a member may turn off
_KIND_LIST = ", ".join(f"'{k}'" for k in KINDS)


class Notification(db.Model):
    """One reminder to one member, sent once: unique per member, kind, subject and occasion."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("member_id", "kind", "subject", "occasion", name="uq_notifications_once"),
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind"),
        Index("ix_notifications_member_id", "member_id", "id"),
        # the header's unread count reads only these rows
        Index(
            "ix_notifications_unread",
            "member_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(40))  # what it is about: order:12, gift:3 …
    occasion: Mapped[str] = mapped_column(String(20))  # which time: d30, 2026-12-24, ready …
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # what the text and link need
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def marketing(self) -> bool:
        """Whether the member may opt out of this kind."""
        return self.kind in MARKETING


class OutboxMessage(db.Model):
    """A notification to deliver on a channel other than the app (SMS), once."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_notification_outbox_once"),
        CheckConstraint("channel IN ('sms')", name="channel"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_notification_outbox_due", "status", "not_before"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(8))
    to: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)  # quiet hours: not at night
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(200))


class NotificationPreference(db.Model):
    """A member's channels: service messages always in the app (SMS optional), offers optional."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint("service IN ('app_sms', 'app')", name="service"),
        CheckConstraint("marketing IN ('app_sms', 'app', 'off')", name="marketing"),
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(8), default="app_sms")
    marketing: Mapped[str] = mapped_column(String(8), default="app")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GiftSubscription(db.Model):
    """'Notify me' on a sold-out or not-yet-listed gift; `round` counts re-subscriptions."""

    __tablename__ = "gift_subscriptions"
    __table_args__ = (
        UniqueConstraint("member_id", "gift_id", name="uq_gift_subscriptions_member_gift"),
        CheckConstraint("reason IN ('back_in_stock', 'on_sale')", name="reason"),
        Index("ix_gift_subscriptions_open", "notified_at", "gift_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    reason: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# the event reminders look back a few days by time: these reads stay on an index
Index("ix_shipments_shipped_at", Shipment.shipped_at)
Index("ix_tier_changes_at", TierChange.at)

# the header's unread badge: loaded with the signed-in member (signed_in.ROW selects it),
# so no page spends a statement of its own on it
Member.unread_notifications = column_property(
    select(func.count(Notification.id))
    .where(Notification.member_id == Member.id, Notification.read_at.is_(None))
    .correlate_except(Notification)
    .scalar_subquery(),
    deferred=True,
)
