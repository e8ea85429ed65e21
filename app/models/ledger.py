"""The points ledger: source policies, lots, transactions and their append-only entries."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.timeutil import utcnow


class PointSource(db.Model):
    """Where points come from, with its expiry and pending policy (data, not code)."""

    __tablename__ = "point_sources"
    __table_args__ = (
        CheckConstraint("expiry_kind IN ('year_end', 'days', 'never')", name="expiry_kind"),
        CheckConstraint("expiry_value >= 0 AND pending_days >= 0", name="non_negative"),
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    expiry_kind: Mapped[str] = mapped_column(String(10))
    # year_end: years after the earning year whose Dec 31 ends the lot; days: days after earning
    expiry_value: Mapped[int] = mapped_column(default=0)
    pending_days: Mapped[int] = mapped_column(default=0)
    behaviour: Mapped[bool] = mapped_column(default=False)


class PointLot(db.Model):
    """A credit of points, spent first-to-expire first; `remaining` is what is left of it."""

    __tablename__ = "point_lots"
    __table_args__ = (
        CheckConstraint("points > 0", name="points"),
        CheckConstraint("remaining >= 0 AND remaining <= points", name="remaining"),
        Index("ix_point_lots_member_expiry", "member_id", "expires_at"),
        # liability by expiry month and lots past expiry: only lots with points left
        Index(
            "ix_point_lots_open_expiry",
            "expires_at",
            "remaining",
            postgresql_where=text("remaining > 0"),
            sqlite_where=text("remaining > 0"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source: Mapped[str] = mapped_column(ForeignKey("point_sources.code"))
    points: Mapped[int]
    remaining: Mapped[int]
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ref: Mapped[str] = mapped_column(String(80), default="", index=True)


class PointTransaction(db.Model):
    """One business operation on a member's points (append-only); its entries say which lots."""

    __tablename__ = "point_txns"
    __table_args__ = (
        CheckConstraint("points <> 0 OR debt_delta <> 0", name="not_empty"),
        Index("ix_point_txns_member_created", "member_id", "created_at"),
        Index(
            "ix_point_txns_created_at", "created_at"
        ),  # month ranges, the analytics' part-day edges
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(ForeignKey("point_sources.code"))
    points: Mapped[int]
    debt_delta: Mapped[int] = mapped_column(default=0)
    idem_key: Mapped[str] = mapped_column(String(120), unique=True)
    ref: Mapped[str] = mapped_column(String(80), default="")
    memo: Mapped[str] = mapped_column(String(120), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("point_txns.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list["LedgerEntry"]] = relationship(
        back_populates="txn", order_by="LedgerEntry.id"
    )


class LedgerEntry(db.Model):
    """A signed movement of points on one lot (append-only, enforced by triggers)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("points <> 0", name="points"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    txn_id: Mapped[int] = mapped_column(ForeignKey("point_txns.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("point_lots.id"), index=True)
    points: Mapped[int]
    idem_key: Mapped[str] = mapped_column(String(130), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    txn: Mapped[PointTransaction] = relationship(back_populates="entries")
    lot: Mapped[PointLot] = relationship()
