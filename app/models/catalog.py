"""The gift catalogue: shelves, gifts, code pools, home sections, flash events, cash rates."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import local_name
from app.models.segments import SEGMENT_CHECK
from app.models.types import UTCDateTime

GIFT_KINDS = ("physical", "coupon", "virtual", "service")
LIMIT_PERIODS = ("total", "day", "week", "month")


class Shelf(db.Model):
    """A category of gifts shown as one shelf."""

    __tablename__ = "shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    sort: Mapped[int] = mapped_column(default=0)


class Gift(db.Model):
    """Something a member can redeem: its price, stock, listing window, tier gate and limits."""

    __tablename__ = "gifts"
    __table_args__ = (
        CheckConstraint("kind IN ('physical', 'coupon', 'virtual', 'service')", name="kind"),
        CheckConstraint("points_price > 0", name="points_price"),
        CheckConstraint("cash_fen >= 0 AND cost_fen >= 0", name="money"),
        CheckConstraint("stock >= 0", name="stock"),
        CheckConstraint("limit_count IS NULL OR limit_count > 0", name="limit_count"),
        CheckConstraint("per_order_max > 0", name="per_order_max"),
        CheckConstraint(
            "limit_period IS NULL OR limit_period IN ('total', 'day', 'week', 'month')",
            name="limit_period",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    descriptions: Mapped[dict] = mapped_column(JSON, default=dict)
    image: Mapped[str] = mapped_column(String(20), default="bottle")
    photo: Mapped[str | None] = mapped_column(String(64))  # uploaded image (content hash)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelves.id"), index=True)
    sort: Mapped[int] = mapped_column(default=0)
    badges: Mapped[list] = mapped_column(JSON, default=list)
    points_price: Mapped[int]
    cash_fen: Mapped[int] = mapped_column(default=0)
    cost_fen: Mapped[int] = mapped_column(default=0)
    stock: Mapped[int] = mapped_column(default=0)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tier_codes: Mapped[list] = mapped_column(JSON, default=list)  # empty: every tier
    limit_count: Mapped[int | None]
    limit_period: Mapped[str | None] = mapped_column(String(8))
    per_order_max: Mapped[int] = mapped_column(default=5)

    shelf: Mapped[Shelf] = relationship()

    def label(self, locale: str) -> str:
        """The gift's name in a locale."""
        return local_name(self, locale)


class GiftCode(db.Model):
    """A pre-loaded coupon or virtual-goods code; each goes to exactly one order."""

    __tablename__ = "gift_codes"
    __table_args__ = (
        UniqueConstraint("gift_id", "code", name="uq_gift_codes_gift_code"),
        Index("ix_gift_codes_free", "gift_id", "order_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    code: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))


class FlashEvent(db.Model):
    """A limited-time redemption: window, special price, own stock, per-member limit."""

    __tablename__ = "flash_events"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock"),
        CheckConstraint("points_price > 0 AND cash_fen >= 0", name="price"),
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("per_member_limit > 0", name="limit"),
        CheckConstraint(SEGMENT_CHECK, name="segment"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"), index=True)
    title: Mapped[str] = mapped_column(String(80), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points_price: Mapped[int]
    cash_fen: Mapped[int] = mapped_column(default=0)
    stock: Mapped[int]
    initial_stock: Mapped[int]
    per_member_limit: Mapped[int] = mapped_column(default=1)
    segment: Mapped[str | None] = mapped_column(String(12))  # None: everyone, visitors too

    gift: Mapped[Gift] = relationship()


class CashRate(db.Model):
    """Points-as-cash rate calendar: a default, date ranges (campaigns) and a weekly member day."""

    __tablename__ = "cash_rates"
    __table_args__ = (
        CheckConstraint("kind IN ('default', 'range', 'weekly')", name="kind"),
        CheckConstraint("points_per_yuan > 0", name="rate"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40))
    points_per_yuan: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    weekday: Mapped[int | None]  # Monday = 0, brand-local


class HomeSection(db.Model):
    """An operator-arranged block of the mall home: banner, flash strip, a shelf or "for you"."""

    __tablename__ = "home_sections"
    __table_args__ = (
        CheckConstraint("kind IN ('banner', 'flash', 'shelf', 'for_you')", name="kind"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="window"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    sort: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(60), default="")
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))
    image: Mapped[str] = mapped_column(String(120), default="")  # static, or a gift photo
    link: Mapped[str] = mapped_column(String(120), default="")
    visible: Mapped[bool] = mapped_column(default=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # shown from (None: always)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # shown until (exclusive)
