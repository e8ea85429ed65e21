"""The flash burst's front door: a loser is told in one read, before any lock and any write.

When the stock is gone (or the member's limit is reached, the window closed …) the answer does
not depend on who wins the race, so it is decided from one statement without the member's lock;
only an attempt that may still succeed goes on to `redemption.redeem_flash`, which decides again
under the lock (the conditional stock decrement picks the winners). The refusals come in the
same order as there, so a member is told the same thing either way.
"""

from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from app.models import FlashCancellation, FlashEvent, Gift, MemberFreeze, Order
from app.services.mall import catalog, usage
from app.services.mall.errors import (
    AccountFrozen,
    LimitReached,
    NotForYou,
    NotInWindow,
    SoldOut,
    TierTooLow,
)
from app.services.points import targets

_EVENT, _MEMBER = bindparam("event_id"), bindparam("member_id")
DECISION = (
    select(
        FlashEvent.stock,
        FlashEvent.starts_at,
        FlashEvent.ends_at,
        FlashEvent.per_member_limit,
        Gift.tier_codes,
        exists().where(MemberFreeze.member_id == _MEMBER),
        exists().where(FlashCancellation.event_id == _EVENT),
        select(func.coalesce(func.sum(Order.qty), 0))
        .where(
            Order.flash_event_id == _EVENT,
            Order.member_id == _MEMBER,
            Order.status.in_(usage.OPEN_STATUSES),
        )
        .scalar_subquery(),
        exists().where(Order.request_key == bindparam("request_key")),
        FlashEvent.segment,
        targets.SEGMENT_OF.scalar_subquery(),  # the member's, by primary key: no statement more
    )
    .join(Gift, Gift.id == FlashEvent.gift_id)
    .where(FlashEvent.id == _EVENT)
)


class _Gate:
    """What the tier check reads of a gift."""

    def __init__(self, tier_codes):
        self.tier_codes = tier_codes or []


def check(session: Session, member, event_id: int, *, now: datetime, request_key: str = "") -> bool:
    """False when there is no such event; raises the refusal that is already certain; True when
    the attempt may succeed (or is a replay of one that did) and must be made under the lock."""
    key = f"{member.id}:{request_key}" if request_key else ""
    params = {"event_id": event_id, "member_id": member.id, "request_key": key}
    row = session.execute(DECISION, params).first()
    if row is None:
        return False
    stock, starts_at, ends_at, limit, tier_codes, frozen, cancelled, claims, replay, *who = row
    if replay:
        return True  # redeem_flash answers with the first order
    gift = _Gate(tier_codes)
    if frozen:
        raise AccountFrozen()
    if now >= ends_at or cancelled:
        raise NotInWindow(ended=True)
    if not targets.reaches(*who):
        raise NotForYou()
    if now < starts_at:
        raise NotInWindow(starts_at=starts_at)
    if not catalog.tier_allowed(gift, member):
        raise TierTooLow(tier=catalog.gate_tier(session, gift))
    if claims >= limit:
        raise LimitReached(left=0)
    if stock <= 0:
        raise SoldOut()
    return True
