"""The birthday occasion: the console's birthday points, or instead a gift — a coupon or
virtual goods, handed to the member's wallet as an order that takes no points. Either comes
once per member per brand-local year, in the birthday month, and a notification tells them."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Gift, Member, TaskRule
from app.services.mall.errors import SoldOut
from app.services.mall.placing import Placement, place, take_stock
from app.services.notify.outbox import Draft, enqueue
from app.services.notify.reminders import names
from app.services.points import tasks
from app.services.points.tasks import BIRTHDAY, Reward
from app.timeutil import local_date

GIFT_KINDS = ("coupon", "virtual")  # what a birthday gift may be: it arrives at once, anywhere


def give(session: Session, member_id: int, *, now: datetime) -> Reward:
    """This year's birthday reward if it is due now (points, or the console's birthday gift)."""
    rule = session.get(TaskRule, BIRTHDAY)
    if rule is None or rule.gift_id is None:
        reward = tasks.birthday(session, member_id, now=now)
    else:
        reward = _gift(session, member_id, rule, now)
    if (reward.points or reward.order_id) and not reward.already:
        _tell(session, member_id, reward, rule, now)
    return reward


def _gift(session: Session, member_id: int, rule: TaskRule, now: datetime) -> Reward:
    """The birthday gift as an order of no points; none left (stock or codes): another day."""
    year, answer = tasks.birthday_due_now(session, member_id, now)
    if answer or not rule.enabled:
        return answer or Reward(0)
    gift = session.get(Gift, rule.gift_id)
    what = Placement(qty=1, points=0, cash_fen=0, delivery="wallet", key=f"{BIRTHDAY}:{year}")
    try:
        with session.begin_nested():  # codes run out after the stock is taken: undo both
            take_stock(session, Gift, gift.id, 1)
            order = place(session, session.get(Member, member_id), gift, what, now=now)
    except SoldOut:
        return Reward(0, capped=True)
    tasks.complete(session, member_id, BIRTHDAY, year, 0, now)
    return Reward(0, order_id=order.id)


def _tell(session: Session, member_id: int, reward: Reward, rule: TaskRule, now) -> None:
    params: dict = {"points": reward.points}
    if reward.order_id:
        gift = session.get(Gift, rule.gift_id)
        params = {"order_id": reward.order_id, "gift": names(gift.name, gift.names)}
    year = str(local_date(now).year)
    enqueue(session, [Draft(member_id, "birthday", f"{BIRTHDAY}:{member_id}", year, params)], now)
