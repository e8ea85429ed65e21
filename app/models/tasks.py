"""Tasks (任务中心), birthday points, gift reviews and member days: rules as rows, and what
each member has done (one row per reward, unique, so a task pays at most once per ref)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import User
from app.models.catalog import Gift
from app.models.member import Member
from app.models.types import UTCDateTime
from app.timeutil import utcnow


class TaskRule(db.Model):
    """A task's reward as operators set it (`monthly_max`: rewards per brand-local month, 0 =
    no count limit; the behaviour cap applies on top)."""

    __tablename__ = "task_rules"
    __table_args__ = (
        CheckConstraint("points >= 0 AND points <= 100000", name="points"),
        CheckConstraint("monthly_max >= 0", name="monthly_max"),
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    points: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    monthly_max: Mapped[int] = mapped_column(default=0)
    sort: Mapped[int] = mapped_column(default=0)
    # the birthday's reward may be a gift (a coupon or virtual goods) instead of points
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("gifts.id"))


class TaskCompletion(db.Model):
    """One reward of a task to a member (`ref`: the gift, the review, the year …)."""

    __tablename__ = "task_completions"
    __table_args__ = (
        UniqueConstraint("member_id", "task_code", "ref", name="uq_task_completions_once"),
        CheckConstraint("points >= 0", name="points"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    task_code: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(40))
    points: Mapped[int]  # what was granted (0 when the monthly cap had no room left)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GiftReview(db.Model):
    """A member's review of a gift they collected: text and a photo, shown once approved."""

    __tablename__ = "gift_reviews"
    __table_args__ = (
        UniqueConstraint("member_id", "gift_id", name="uq_gift_reviews_member_gift"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    body: Mapped[str] = mapped_column(String(500))
    photo: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    gift: Mapped[Gift] = relationship()
    moderated_by: Mapped[User | None] = relationship()


class MemberDay(db.Model):
    """The member day (会员日): weekly (`day` 0 = Monday) or monthly (`day` 1–28), brand-local."""

    __tablename__ = "member_days"
    __table_args__ = (
        CheckConstraint("kind IN ('weekly', 'monthly')", name="kind"),
        CheckConstraint(
            "(kind = 'weekly' AND day BETWEEN 0 AND 6) OR "
            "(kind = 'monthly' AND day BETWEEN 1 AND 28)",
            name="day",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="weekly")
    day: Mapped[int] = mapped_column(default=2)
    enabled: Mapped[bool] = mapped_column(default=False)


class MemberDayPrice(db.Model):
    """A gift's points price for one tier on the member day."""

    __tablename__ = "member_day_prices"
    __table_args__ = (
        UniqueConstraint("gift_id", "tier_code", name="uq_member_day_prices_gift_tier"),
        CheckConstraint("points_price > 0", name="points_price"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    tier_code: Mapped[str] = mapped_column(String(10))
    points_price: Mapped[int]

    gift: Mapped[Gift] = relationship()
