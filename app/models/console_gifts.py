"""The gift console's own tables: the gift library (templates) and stock movements."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import local_name
from app.models.account import User
from app.models.catalog import Gift, Shelf
from app.models.types import UTCDateTime


class GiftTemplate(db.Model):
    """A gift the brand keeps ready in its library (礼品库): listed in one click, then edited."""

    __tablename__ = "gift_templates"
    __table_args__ = (
        CheckConstraint("kind IN ('physical', 'coupon', 'virtual', 'service')", name="kind"),
        CheckConstraint("points_price > 0", name="points_price"),
        CheckConstraint("cash_fen >= 0 AND cost_fen >= 0", name="money"),
        CheckConstraint("limit_count IS NULL OR limit_count > 0", name="limit_count"),
        CheckConstraint("per_order_max > 0", name="per_order_max"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # stable, for idempotent loads
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    descriptions: Mapped[dict] = mapped_column(JSON, default=dict)
    image: Mapped[str] = mapped_column(String(20), default="bottle")
    shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))
    sort: Mapped[int] = mapped_column(default=0)
    badges: Mapped[list] = mapped_column(JSON, default=list)
    points_price: Mapped[int]
    cash_fen: Mapped[int] = mapped_column(default=0)
    cost_fen: Mapped[int] = mapped_column(default=0)
    tier_codes: Mapped[list] = mapped_column(JSON, default=list)
    limit_count: Mapped[int | None]
    limit_period: Mapped[str | None] = mapped_column(String(8))
    per_order_max: Mapped[int] = mapped_column(default=5)

    shelf: Mapped[Shelf | None] = relationship()

    def label(self, locale: str) -> str:
        """The template's name in a locale."""
        return local_name(self, locale)


class StockMovement(db.Model):
    """One change of a gift's stock by an operator: +N received, −N written off, with a reason."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta"),
        CheckConstraint("stock_after >= 0", name="stock_after"),
        Index("ix_stock_movements_gift_at", "gift_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    stock_after: Mapped[int]

    gift: Mapped[Gift] = relationship()
    actor: Mapped[User] = relationship()
