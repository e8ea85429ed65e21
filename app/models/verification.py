"""One-time SMS codes (registration, password reset) and the sandbox provider's outbox."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

PURPOSES = ("register", "reset")


class VerificationCode(db.Model):
    """The live code for one phone and purpose; a new code replaces the row, only a hash is kept."""

    __tablename__ = "verification_codes"
    __table_args__ = (
        UniqueConstraint("phone", "purpose", name="uq_verification_codes_phone_purpose"),
        CheckConstraint("purpose IN ('register', 'reset')", name="purpose"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("expires_at > created_at", name="expiry"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 keyed with SECRET_KEY
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsMessage(db.Model):
    """A text the sandbox provider 'sent' (shown at /dev/outbox); real providers write none."""

    __tablename__ = "sms_messages"
    __table_args__ = (Index("ix_sms_messages_to_id", "to", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
