"""The daily reminders (the `reminders` job): points expiring, appointments, campaigns.

Days are brand-local. Points whose last usable day is L are reminded on the day D with
L − D = 30, 7 and 1 — or, when the member only got them later (or the job missed a day), on the
first day inside the window (30 → 8..30 days left, 7 → 2..7, 1 → 0..1): each window once per
member and last day, by the notification's unique key.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Booking,
    Gift,
    Member,
    MemberSegment,
    Order,
    PointLot,
    ServiceSlot,
    Store,
    Tier,
)
from app.services.notify.outbox import Draft, enqueue, unsent
from app.services.points.rules import CampaignRule, rules_at
from app.timeutil import last_valid_day, local_date, local_midnight

BATCH = 2_000  # members per batch: one commit each
WINDOWS = (1, 7, 30)  # days before the last usable day


def occasion(days_left: int) -> str | None:
    """The reminder due with this many days left ('d1', 'd7', 'd30'), or None."""
    for n in WINDOWS:
        if days_left <= n:
            return f"d{n}"
    return None


def names(gift_name: str, gift_names: dict) -> dict:
    """A gift's names in every language it has (the text picks the reader's)."""
    return {"zh_Hans": gift_name, **(gift_names or {})}


def expiring(session: Session, now: datetime, members: tuple[int, int]) -> list[Draft]:
    """Reminders of available points expiring within 30 days, per member and last day."""
    today = local_date(now)
    horizon = local_midnight(today + timedelta(days=WINDOWS[-1] + 1))
    stmt = select(PointLot.member_id, PointLot.expires_at, PointLot.remaining).where(
        PointLot.member_id >= members[0],
        PointLot.member_id < members[1],
        PointLot.remaining > 0,
        PointLot.available_at <= now,
        PointLot.expires_at > now,
        PointLot.expires_at <= horizon,
    )
    totals: dict[tuple[int, date], int] = {}
    for member_id, expires_at, remaining in session.execute(stmt):
        key = (member_id, last_valid_day(expires_at))
        totals[key] = totals.get(key, 0) + remaining
    drafts = []
    for (member_id, day), points in sorted(totals.items()):
        days = (day - today).days
        params = {"points": points, "day": day.isoformat(), "days": days}
        drafts.append(Draft(member_id, "points_expiring", f"points:{day}", occasion(days), params))
    return drafts


def appointments(session: Session, now: datetime) -> list[Draft]:
    """Reminders of tomorrow's appointments (brand-local) not made yet, a batch at most."""
    tomorrow = local_date(now) + timedelta(days=1)
    stmt = (
        select(Booking.id, Booking.member_id, Booking.order_id, ServiceSlot.starts_at,
               Store.name, Gift.name, Gift.names)
        .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
        .join(Store, Store.id == ServiceSlot.store_id)
        .join(Order, Order.id == Booking.order_id)
        .join(Gift, Gift.id == Order.gift_id)
        .where(
            Booking.status == "booked",
            ServiceSlot.starts_at >= local_midnight(tomorrow),
            ServiceSlot.starts_at < local_midnight(tomorrow + timedelta(days=1)),
            unsent(("appointment",), "booking:", Booking.member_id, Booking.id, str(tomorrow)),
        )
        .order_by(Booking.id)
        .limit(BATCH)
    )  # fmt: skip
    return [
        Draft(member_id, "appointment", f"booking:{booking_id}", tomorrow.isoformat(),
              {"order_id": order_id, "at": starts.isoformat(), "store": store,
               "gift": names(gift_name, gift_names)})
        for booking_id, member_id, order_id, starts, store, gift_name, gift_names
        in session.execute(stmt)
    ]  # fmt: skip


def starting(session: Session, now: datetime) -> list[CampaignRule]:
    """The campaigns whose first brand-local day is today."""
    today = local_date(now)
    return [c for c in rules_at(session, now).campaigns() if c.starts_on == today]


def campaign(session: Session, rule: CampaignRule, members: tuple[int, int]) -> list[Draft]:
    """'Campaign starts' for the members of its tiers (all tiers when it names none) and of its
    segment, if it is for one."""
    stmt = select(Member.id).where(Member.id >= members[0], Member.id < members[1])
    if rule.tiers:
        stmt = stmt.join(Tier, Tier.id == Member.tier_id).where(Tier.code.in_(rule.tiers))
    if rule.segment:
        stmt = stmt.join(MemberSegment, MemberSegment.member_id == Member.id).where(
            MemberSegment.segment == rule.segment
        )
    params = {"name": rule.name, "pct": rule.multiplier_pct, "day": rule.ends_on.isoformat()}
    subject, day = f"campaign:{rule.id}", rule.starts_on.isoformat()
    return [Draft(m, "campaign", subject, day, params) for m in session.scalars(stmt)]


def run(session: Session, _period_start: datetime, now: datetime) -> Iterator[int]:
    """The `reminders` job: today's reminders, a batch of members at a time."""
    last = session.scalar(select(func.max(Member.id))) or 0
    for low in range(0, last + 1, BATCH):
        yield enqueue(session, expiring(session, now, (low, low + BATCH)), now)
    while drafts := appointments(session, now):
        yield enqueue(session, drafts, now)
        if len(drafts) < BATCH:
            break
    for rule in starting(session, now):
        for low in range(0, last + 1, BATCH):
            yield enqueue(session, campaign(session, rule, (low, low + BATCH)), now)
