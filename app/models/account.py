"""Accounts: users of every role, stores, signed-in sessions, POS API keys."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.timeutil import utcnow

ROLES = ("member", "advisor", "operator", "finance")


class Store(db.Model):
    """A brand counter in a department store."""

    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict] = mapped_column(JSON, default=dict)  # en, zh_Hant (zh_Hans is `name`)
    city: Mapped[str] = mapped_column(String(40), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed: no new pickups


class User(UserMixin, db.Model):
    """Anyone who logs in: members by phone, staff by staff ID."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'advisor', 'operator', 'finance')", name="role"),
        CheckConstraint("phone IS NOT NULL OR staff_id IS NOT NULL", name="identifier"),
        CheckConstraint("role <> 'advisor' OR store_id IS NOT NULL", name="advisor_store"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    staff_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    store: Mapped[Store | None] = relationship()
    member: Mapped["Member | None"] = relationship(back_populates="user")  # noqa: F821

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Deactivated accounts cannot log in."""
        return self.active

    @property
    def is_staff(self) -> bool:
        """Advisors and operators."""
        return self.role != "member"


class UserSession(db.Model):
    """A signed-in browser: its cookie names this row, and deleting the row ends the session."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, kept in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(db.Model):
    """A POS API key; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(8))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
