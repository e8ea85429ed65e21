"""Versioned rules (append-only snapshots per section) and one-off points clearings."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import User
from app.models.types import UTCDateTime
from app.timeutil import utcnow


class RuleVersion(db.Model):
    """The whole of one rules section as it stands from `effective_at` on (append-only).

    The version in force at an instant is the one with the latest `effective_at` not after it
    (the later-created wins a tie); before a section's first version, its tables are the rules.
    """

    __tablename__ = "rule_versions"
    __table_args__ = (Index("ix_rule_versions_section_effective", "section", "effective_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[str] = mapped_column(String(20))  # tiers, campaigns, behaviour …
    payload: Mapped[dict] = mapped_column(JSON)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: initial
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship()


class PointClearing(db.Model):
    """积分清零: all points earned before a brand-local day are cleared once, from `run_on` on.

    Requested by one operator and approved by another (the database refuses the same one).
    """

    __tablename__ = "point_clearings"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'approved', 'done', 'cancelled')", name="status"),
        CheckConstraint("earned_before <= run_on", name="dates"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> requested_by_id", name="four_eyes"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    earned_before: Mapped[date]  # lots earned before this day's brand-local 00:00
    run_on: Mapped[date]  # it may run from this day's brand-local 00:00
    status: Mapped[str] = mapped_column(String(10), default="requested")
    note: Mapped[str] = mapped_column(String(200), default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    preview_members: Mapped[int] = mapped_column(default=0)  # as previewed when requested
    preview_points: Mapped[int] = mapped_column(default=0)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # run or cancelled
    cleared_members: Mapped[int] = mapped_column(default=0)
    cleared_points: Mapped[int] = mapped_column(default=0)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
