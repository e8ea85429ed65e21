"""Fixed-window counters shared by every worker (login throttle, SMS and registration limits)."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class RateCounter(db.Model):
    """How many times `key` was hit in the window that began at `window_start`."""

    __tablename__ = "rate_counters"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
