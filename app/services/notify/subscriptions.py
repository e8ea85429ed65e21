"""'Notify me' on a gift that is sold out or not yet on sale."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Gift, GiftSubscription

REASONS = {"sold_out": "back_in_stock", "upcoming": "on_sale"}


class NotSubscribable(ValueError):
    """The gift can be redeemed now (or never again): there is nothing to wait for."""


def waiting(session: Session, member_id: int, gift_id: int) -> bool:
    """Whether the member waits to be told about this gift."""
    stmt = select(GiftSubscription.id).where(
        GiftSubscription.member_id == member_id,
        GiftSubscription.gift_id == gift_id,
        GiftSubscription.notified_at.is_(None),
    )
    return session.scalar(stmt) is not None


def subscribe(session: Session, member_id: int, gift: Gift, status: str, now: datetime) -> bool:
    """Ask to be told when the gift is back / on sale (`status`: the gift's state for the
    member); True when newly asked, False when already waiting. Raises NotSubscribable."""
    reason = REASONS.get(status)
    if reason is None:
        raise NotSubscribable(status)
    sub = session.scalar(
        select(GiftSubscription)
        .where(GiftSubscription.member_id == member_id, GiftSubscription.gift_id == gift.id)
        .with_for_update()
    )
    if sub is None:
        try:
            with session.begin_nested():  # a double tap at once: the other one asked
                session.add(GiftSubscription(member_id=member_id, gift_id=gift.id,
                                             reason=reason, created_at=now))  # fmt: skip
        except IntegrityError:
            return False
        return True
    if sub.notified_at is None:
        return False
    # told before: a new round, told once more
    sub.reason, sub.round, sub.created_at, sub.notified_at = reason, sub.round + 1, now, None
    session.flush()
    return True
