"""Demo rules history: a first version by `admin` and a clearing waiting for `admin2`.

Neither changes what anybody earns (the e2e tests share the demo database): the version keeps
the new-member gift pack as it is, and the clearing only runs once a second operator approves.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PointClearing, RuleVersion, User
from app.services.console import clearing, rules
from app.timeutil import local_date


def load(session: Session, *, now: datetime) -> None:
    """Add the demo's rules history once (idempotent)."""
    admin = session.scalar(select(User).where(User.staff_id == "admin"))
    if admin is None:
        return
    if not session.scalar(select(RuleVersion.id).where(RuleVersion.section == "gift_pack")):
        payload = rules.in_force(session, "gift_pack", now)
        rules.save(
            session, admin, "gift_pack", payload, effective_at=None, now=now,
            note="新会员礼包：注册即送积分（确认）",
        )  # fmt: skip
    if not session.scalar(select(PointClearing.id)):
        year = local_date(now).year
        clearing.request(
            session, admin, earned_before=date(year - 1, 1, 1), run_on=date(year + 1, 1, 1),
            note="年度积分清零（演示：待第二位运营审批）", now=now,
        )  # fmt: skip
