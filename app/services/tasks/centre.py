"""The task centre (任务中心): each task with its reward, progress and whether it is done."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Gift, Member, TaskRule
from app.services.points import earning, tasks
from app.services.points.rules import rules_at
from app.services.tasks import reviews, shares
from app.timeutil import local_date


@dataclass(frozen=True)
class TaskView:
    """One task as the member sees it: `count`/`of` is the progress (of = 0: no count)."""

    code: str
    points: int
    done: bool
    count: int = 0
    of: int = 0
    claimable: bool = False  # done by the member, its reward waiting to be claimed
    gift: Gift | None = None  # the birthday's gift, given instead of points


@dataclass(frozen=True)
class Centre:
    """The tasks, the behaviour cap's room this month, and what can be reviewed."""

    tasks: list
    cap: int
    used: int
    reviewable: list
    birthday_month: bool

    @property
    def room(self) -> int:
        """Behaviour points the member can still earn this month."""
        return max(self.cap - self.used, 0)


def _rules(session: Session) -> dict:
    return {r.code: r for r in session.scalars(select(TaskRule).order_by(TaskRule.sort))}


def _counted(session: Session, member_id: int, rule: TaskRule, now: datetime) -> TaskView:
    count = tasks.count_this_month(session, member_id, rule.code, now)
    most = rule.monthly_max
    return TaskView(rule.code, rule.points, bool(most) and count >= most, count, most)


def centre(session: Session, member: Member, now: datetime) -> Centre:
    """Every enabled task for the member, in the console's order."""
    rules, found = rules_at(session, now), _rules(session)
    signed = earning.signed_in_today(session, member.id, now) is not None
    views = [
        TaskView("signin", rules.setting("signin_points"), signed),
        TaskView("profile", rules.setting("profile_points"), bool(member.profile_completed_at)),
    ]
    if (rule := found.get("first_redemption")) and rule.enabled:
        first = tasks.done(session, member.id, rule.code, "first") is not None
        claim = not first and shares.has_redeemed(session, member.id)
        views.append(TaskView(rule.code, rule.points, first, claimable=claim))
    for code in ("share_gift", "review_gift"):
        if (rule := found.get(code)) and rule.enabled:
            views.append(_counted(session, member.id, rule, now))
    birthday = member.birthday is not None and member.birthday.month == local_date(now).month
    if (rule := found.get("birthday")) and rule.enabled:
        given = tasks.done(session, member.id, "birthday", str(local_date(now).year))
        gift = session.get(Gift, rule.gift_id) if rule.gift_id else None
        views.append(TaskView("birthday", 0 if gift else rule.points, given is not None, gift=gift))
    return Centre(
        views, rules.setting("behaviour_monthly_cap"),
        earning.behaviour_used(session, member.id, now),
        reviews.reviewable(session, member.id), birthday,
    )  # fmt: skip
