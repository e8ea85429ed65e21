"""What the console adds to flash events: the record of a cancellation."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import User
from app.models.catalog import FlashEvent
from app.models.types import UTCDateTime


class FlashCancellation(db.Model):
    """A flash event an operator called off: when, by whom, why (orders already placed stand)."""

    __tablename__ = "flash_cancellations"
    event_id: Mapped[int] = mapped_column(ForeignKey("flash_events.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[FlashEvent] = relationship()
    actor: Mapped[User] = relationship()
