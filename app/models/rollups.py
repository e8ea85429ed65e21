"""Rollups of the points ledger the analytics read: daily figures, kept by the rollups job."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

FLOWS = ("issue", "spend", "expire", "other")


class PointsDaily(db.Model):
    """One brand-local day's issued, consumed and expired points for one combination of flow,
    channel (an issue's earning channel, a spend's sink), source, store and tier.

    The figures are the README's (app/services/analytics/definitions.py), summed over the
    transactions whose id the cursor has passed; `for_cash` is the part of `consumed` that paid
    cash (points-as-cash). tier_id 0: the member had no tier.
    """

    __tablename__ = "points_daily"
    __table_args__ = (
        CheckConstraint("flow IN ('issue', 'spend', 'expire', 'other')", name="flow"),
        Index("ix_points_daily_store_day", "store", "day"),
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    flow: Mapped[str] = mapped_column(String(8), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    store: Mapped[str] = mapped_column(String(16), primary_key=True)
    tier_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    issued: Mapped[int] = mapped_column(BigInteger, default=0)
    consumed: Mapped[int] = mapped_column(BigInteger, default=0)
    expired: Mapped[int] = mapped_column(BigInteger, default=0)
    for_cash: Mapped[int] = mapped_column(BigInteger, default=0)


class RollupCursor(db.Model):
    """How far the rollups job has read a table (`position`: every id up to it is rolled up),
    and on PostgreSQL the watermark it waits on: ids up to `pending_upto` are settled once
    every transaction older than `pending_xmax` has finished."""

    __tablename__ = "rollup_cursors"
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_upto: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_xmax: Mapped[int] = mapped_column(BigInteger, default=0)
