"""The console's task settings: each task's reward, the birthday points, the member day and
its tier prices. Every change is checked (a refusal writes nothing) and audit-logged."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Gift, MemberDay, MemberDayPrice, Tier, User
from app.models import TaskRule as Rule
from app.services.console import audit
from app.services.points.tasks import BIRTHDAY
from app.services.tasks.birthday import GIFT_KINDS

MAX_POINTS = 100_000
MAX_COUNT = 1_000
DAY_RANGE = {"weekly": (0, 6), "monthly": (1, 28)}


class TaskSettingsError(Exception):
    """A setting out of bounds: str() is the message key."""


def rules(session: Session) -> list[Rule]:
    """Every task rule, in the task centre's order."""
    return list(session.scalars(select(Rule).order_by(Rule.sort, Rule.code)))


def member_day(session: Session) -> MemberDay:
    """The member day's rule (the one row)."""
    return session.get(MemberDay, 1) or MemberDay(id=1, kind="weekly", day=2, enabled=False)


def prices(session: Session) -> list[tuple]:
    """Every member-day price with its gift's name, by gift then tier."""
    stmt = (
        select(MemberDayPrice, Gift.name, Gift.points_price)
        .join(Gift, Gift.id == MemberDayPrice.gift_id)
        .order_by(MemberDayPrice.gift_id, MemberDayPrice.tier_code)
    )
    return list(session.execute(stmt))


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def birthday_gifts(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every gift the birthday may give instead of points (coupons, virtual)."""
    stmt = select(Gift.id, Gift.name).where(Gift.kind.in_(GIFT_KINDS)).order_by(Gift.id)
    return [tuple(row) for row in session.execute(stmt)]


def _gift_for(session: Session, code: str, gift_id: int | None) -> int | None:
    """The birthday's gift, checked: a coupon or virtual goods (no other task gives a gift)."""
    if gift_id is None:
        return None
    gift = session.get(Gift, gift_id)
    if code != BIRTHDAY or gift is None or gift.kind not in GIFT_KINDS:
        raise TaskSettingsError("birthday_gift")
    return gift_id


def save_task(
    session: Session, actor: User, code: str, points: int, enabled: bool, monthly_max: int,
    *, now: datetime, gift_id: int | None = None,
) -> Rule:  # fmt: skip
    """Change one task's reward, switch and monthly count (the birthday's: or its gift)."""
    rule = session.get(Rule, code, with_for_update=True)
    if rule is None:
        raise TaskSettingsError("task_unknown")
    if not 0 <= points <= MAX_POINTS or not 0 <= monthly_max <= MAX_COUNT:
        raise TaskSettingsError("task_bounds")
    fields = ("points", "enabled", "monthly_max", "gift_id")
    before = _snapshot(rule, fields)
    rule.gift_id = _gift_for(session, code, gift_id)
    rule.points, rule.enabled, rule.monthly_max = points, enabled, monthly_max
    old, new = audit.changes(before, _snapshot(rule, fields))
    if new:
        audit.record(session, actor, "task.update", "task", code, now=now, summary=code,
                     before=old, after=new)  # fmt: skip
    return rule


def save_member_day(
    session: Session, actor: User, kind: str, day: int, enabled: bool, *, now: datetime
) -> MemberDay:
    """Set the member day: weekly (0 = Monday … 6) or monthly (1–28), on or off."""
    low, high = DAY_RANGE.get(kind, (1, 0))
    if not low <= day <= high:
        raise TaskSettingsError("member_day_bounds")
    row = session.get(MemberDay, 1, with_for_update=True)
    if row is None:
        row = MemberDay(id=1)
        session.add(row)
    fields = ("kind", "day", "enabled")
    before = _snapshot(row, fields) if row.kind else {}
    row.kind, row.day, row.enabled = kind, day, enabled
    old, new = audit.changes(before, _snapshot(row, fields))
    if new:
        audit.record(session, actor, "member_day.update", "member_day", 1, now=now,
                     summary=f"{kind} {day}", before=old, after=new)  # fmt: skip
    return row


def set_price(
    session: Session, actor: User, gift_id: int, tier_code: str, points: int, *, now: datetime
) -> None:
    """A gift's member-day price for a tier (0 removes it)."""
    if session.get(Gift, gift_id) is None:
        raise TaskSettingsError("price_gift")
    if session.scalar(select(Tier.id).where(Tier.code == tier_code)) is None:
        raise TaskSettingsError("price_tier")
    if not 0 <= points <= MAX_POINTS:
        raise TaskSettingsError("price_bounds")
    row = session.scalar(
        select(MemberDayPrice)
        .where(MemberDayPrice.gift_id == gift_id, MemberDayPrice.tier_code == tier_code)
        .with_for_update()
    )
    before = {"points": row.points_price} if row else {"points": 0}
    if points and row:
        row.points_price = points
    elif points:
        session.add(MemberDayPrice(gift_id=gift_id, tier_code=tier_code, points_price=points))
    elif row:
        session.delete(row)
    if before["points"] != points:
        audit.record(session, actor, "member_day.price", "gift", gift_id, now=now,
                     summary=tier_code, before=before, after={"points": points})  # fmt: skip
    session.flush()
