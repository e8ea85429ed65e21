"""Sharing a gift, and claiming the first redemption's reward.

Sharing: the member follows the gift page's share button, which records the share
(one reward per gift per member, at most the task's monthly count, under the behaviour cap) and
gives the link to send, carrying the member's referral code."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Gift, Member, Order
from app.services.points import tasks

TASK = "share_gift"


class ShareError(Exception):
    """A share or claim that cannot go ahead: str() is the message key."""


def share(session: Session, member: Member, gift_id: int, *, now: datetime) -> tasks.Reward:
    """Record that the member shared a gift; the task's reward once per gift."""
    if session.get(Gift, gift_id) is None:
        raise ShareError("share_gift")
    return tasks.reward(session, member.id, TASK, str(gift_id), now=now)


def has_redeemed(session: Session, member_id: int) -> bool:
    """Whether the member has redeemed anything that was not cancelled (a gift given, such as
    the birthday's, took no points: it is not a redemption)."""
    stmt = select(Order.id).where(
        Order.member_id == member_id,
        Order.status.not_in(("cancelled", "pending_payment")),
        Order.points + Order.points_for_cash > 0,
    )
    return session.scalar(stmt.limit(1)) is not None


def claim_first_redemption(session: Session, member_id: int, *, now: datetime) -> tasks.Reward:
    """The first-redemption reward, claimed once from the task centre after a redemption."""
    if not has_redeemed(session, member_id):
        raise ShareError("first_redemption_missing")
    return tasks.reward(session, member_id, "first_redemption", "first", now=now)
