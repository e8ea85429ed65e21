"""Monitoring: alerts and their handling, the rules' thresholds, and what the rules read.

The rules read tallies and observations that the alerts job keeps incrementally (a cursor per
source table), so evaluating them every minute never scans the ledger.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import User
from app.models.types import UTCDateTime

SEVERITIES = ("high", "medium", "low")
ALERT_STATUSES = ("open", "acknowledged", "resolved")
SUBJECT_TYPES = ("member", "store", "ip", "device", "gift", "advisor", "ledger")


class Alert(db.Model):
    """A rule's finding about one subject in one window: evidence, and who handled it how."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("severity IN ('high', 'medium', 'low')", name="severity"),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status"),
        CheckConstraint(
            "subject_type IN ('member', 'store', 'ip', 'device', 'gift', 'advisor', 'ledger', "
            "'account')",
            name="subject_type",
        ),
        Index("ix_alerts_status_severity", "status", "severity"),
        Index("ix_alerts_subject", "rule", "subject_type", "subject", "opened_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(8))
    subject_type: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    # the same condition in the same window is this one alert (unique even across workers)
    dedup_key: Mapped[str] = mapped_column(String(160), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledge_note: Mapped[str] = mapped_column(String(200), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_note: Mapped[str] = mapped_column(String(200), default="")

    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class AlertSetting(db.Model):
    """One rule's thresholds as an operator saved them (append-only: the latest row is in force)."""

    __tablename__ = "alert_settings"
    __table_args__ = (Index("ix_alert_settings_rule", "rule", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User] = relationship()


class AlertCursor(db.Model):
    """How far the alerts job has read a source table (its last id), or a daily rule's last day."""

    __tablename__ = "alert_cursors"
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class AlertTally(db.Model):
    """A per-day total a velocity rule compares with its baseline (brand-local days)."""

    __tablename__ = "alert_tallies"
    __table_args__ = (Index("ix_alert_tallies_metric_day", "metric", "day"),)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # points, or fen for advisors
    count: Mapped[int] = mapped_column(default=0)


class AlertObservation(db.Model):
    """One event a counting rule reads: a sign-up from a network, a redemption, a referral."""

    __tablename__ = "alert_observations"
    __table_args__ = (
        Index("ix_alert_observations_kind_at", "kind", "at"),
        Index("ix_alert_observations_kind_subject_at", "kind", "subject", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    ref: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[int] = mapped_column(default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
