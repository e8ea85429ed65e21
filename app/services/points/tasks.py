"""Task and occasion rewards: ledger credits, once per (member, task, ref), idempotent.

A behaviour task (first redemption, sharing a gift, an approved review) is granted through
`earning.award_behaviour`, so it is cut to what the 300-a-month cap leaves exactly like the
daily sign-in: the completion is recorded with the points actually granted (0 when the cap is
full), and it never pays again. The birthday is an occasion: outside the behaviour cap, once
per member per brand-local year, in the birthday month.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Member, TaskCompletion, TaskRule
from app.services.points import earning, issuing, ledger
from app.timeutil import local_date, month_bounds

BEHAVIOUR_TASKS = ("first_redemption", "share_gift", "review_gift")
BIRTHDAY = "birthday"
BIRTHDAY_SOURCE = "campaign"  # non-behaviour points that expire like other bonuses (90 days)


@dataclass(frozen=True)
class Reward:
    """A task's outcome: the points granted, whether the cap cut them, whether already done."""

    points: int
    capped: bool = False
    already: bool = False
    order_id: int | None = None  # a birthday gift's order


def done(session: Session, member_id: int, code: str, ref: str) -> TaskCompletion | None:
    """The completion of a task for `ref`, if any."""
    return session.scalar(
        select(TaskCompletion).where(
            TaskCompletion.member_id == member_id,
            TaskCompletion.task_code == code,
            TaskCompletion.ref == ref,
        )
    )


def count_this_month(session: Session, member_id: int, code: str, now: datetime) -> int:
    """Rewards of a task the member got this brand-local month."""
    start, end = month_bounds(now)
    return session.scalar(
        select(func.count(TaskCompletion.id)).where(
            TaskCompletion.member_id == member_id,
            TaskCompletion.task_code == code,
            TaskCompletion.created_at >= start,
            TaskCompletion.created_at < end,
        )
    )


def reward(session: Session, member_id: int, code: str, ref: str, *, now: datetime) -> Reward:
    """Grant a behaviour task once per ref (None-like Reward(0) when off or over its count)."""
    ledger.lock_member(session, member_id)
    if found := done(session, member_id, code, ref):
        return Reward(found.points, already=True)
    rule = session.get(TaskRule, code)
    if rule is None or not rule.enabled or not rule.points:
        return Reward(0)
    if rule.monthly_max and count_this_month(session, member_id, code, now) >= rule.monthly_max:
        return Reward(0, capped=True)
    award = earning.award_behaviour(
        session, member_id, "task", rule.points, f"task:{code}:{member_id}:{ref}", now=now,
        ref=f"task:{code}:{ref}",
    )  # fmt: skip
    complete(session, member_id, code, ref, award.points, now)
    return Reward(award.points, award.capped)


def complete(session: Session, member_id: int, code: str, ref: str, points: int, now) -> None:
    """Record that the member got a task's reward for `ref` (unique: it never pays again)."""
    session.add(
        TaskCompletion(member_id=member_id, task_code=code, ref=ref, points=points, created_at=now)
    )
    session.flush()


def birthday_due_now(session: Session, member_id: int, now: datetime) -> tuple[str, Reward | None]:
    """Lock the member; (this brand-local year, None) when their birthday reward is due now,
    else ("", the answer): not their birthday month, or already given this year."""
    member = ledger.lock_member(session, member_id)
    today = local_date(now)
    if member.birthday is None or member.birthday.month != today.month:
        return "", Reward(0)
    year = str(today.year)
    if found := done(session, member_id, BIRTHDAY, year):
        return "", Reward(found.points, already=True)
    return year, None


def birthday(session: Session, member_id: int, *, now: datetime) -> Reward:
    """The birthday points, once per brand-local year, only in the brand-local birthday month."""
    year, answer = birthday_due_now(session, member_id, now)
    if answer:
        return answer
    rule = session.get(TaskRule, BIRTHDAY)
    if rule is None or not rule.enabled or not rule.points:
        return Reward(0)
    points = min(rule.points, issuing.room(session, now))
    if not points:  # the brand's own cap is full: try again on a later day of the month
        return Reward(0, capped=True)
    ledger.credit(
        session, member_id, BIRTHDAY_SOURCE, points, f"birthday:{member_id}:{year}", now=now,
        ref=f"birthday:{year}", memo="birthday",
    )  # fmt: skip
    complete(session, member_id, BIRTHDAY, year, points, now)
    return Reward(points, points < rule.points)


def birthday_due(session: Session, now: datetime, limit: int, after: int = 0) -> list[int]:
    """Members (ids above `after`) whose birthday month this is, without this year's points."""
    today = local_date(now)
    month = func.extract("month", Member.birthday)
    given = select(TaskCompletion.id).where(
        TaskCompletion.member_id == Member.id,
        TaskCompletion.task_code == BIRTHDAY,
        TaskCompletion.ref == str(today.year),
    )
    stmt = (
        select(Member.id)
        .where(Member.id > after, Member.birthday.is_not(None), month == today.month)
        .where(~given.exists())
        .order_by(Member.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))
