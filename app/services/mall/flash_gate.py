"""The flash burst's front door: a loser is told in one read, before any lock and any write.

When the stock is gone (or the member's limit is reached, the window closed …) the answer does
not depend on who wins the race, so it is decided from one statement without the member's lock;
only an attempt that may still succeed goes on to `redemption.redeem_flash`, which decides again
under the lock (the conditional stock decrement picks the winners). The refusals come in the
same order as there, so a member is told the same thing either way.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import reads
from app.models import FlashCancellation, FlashEvent, Gift, Member, MemberFreeze, Order, Store
from app.services.mall import catalog, usage
from app.services.mall.errors import (
    AccountFrozen,
    LimitReached,
    NotForYou,
    NotInWindow,
    SoldOut,
    TierTooLow,
)
from app.services.points import balances, targets

_EVENT, _MEMBER = bindparam("event_id"), bindparam("member_id")
_CANCELLED = exists().where(FlashCancellation.event_id == _EVENT)
_CLAIMS = (  # units of the event the member holds (a cancelled order gives the right back)
    select(func.coalesce(func.sum(Order.qty), 0))
    .where(
        Order.flash_event_id == _EVENT,
        Order.member_id == _MEMBER,
        Order.status.in_(usage.OPEN_STATUSES),
    )
    .scalar_subquery()
)
_SEGMENT = targets.SEGMENT_OF.scalar_subquery()  # the member's, by primary key
DECISION = reads.baked(
    select(
        FlashEvent.stock,
        FlashEvent.starts_at,
        FlashEvent.ends_at,
        FlashEvent.per_member_limit,
        Gift.tier_codes,
        exists().where(MemberFreeze.member_id == _MEMBER),
        _CANCELLED,
        _CLAIMS,
        exists().where(Order.request_key == bindparam("request_key")),
        FlashEvent.segment,
        _SEGMENT,
    )
    .join(Gift, Gift.id == FlashEvent.gift_id)
    .where(FlashEvent.id == _EVENT)
)

# Under the member's lock, what `redemption.redeem_flash` decides from and places with, in one
# statement: the event, its gift, the member's pickup counter (the remembered one while open,
# else the first open one: `pickup.shown`'s rule), whether the event was cancelled, the units
# the member holds, their balance and segment. Five ORM loads and two queries before; the
# ORM's load of one entity costs several times its statement.
_OPEN = Store.__table__.alias("open_stores")
_COUNTER = func.coalesce(
    select(_OPEN.c.id)
    .where(_OPEN.c.id == bindparam("store_id"), _OPEN.c.closed_at.is_(None))
    .scalar_subquery(),
    select(func.min(_OPEN.c.id)).where(_OPEN.c.closed_at.is_(None)).scalar_subquery(),
)
_LOADED = (FlashEvent, Gift, Store)
_KEYS = tuple(tuple(c.key for c in model.__table__.columns) for model in _LOADED)
UNDER_LOCK = reads.baked(
    select(
        *(column for model in _LOADED for column in model.__table__.columns),
        _CANCELLED,
        _CLAIMS,
        balances.BALANCE_OF,
        _SEGMENT,
    )
    .select_from(
        FlashEvent.__table__.join(Gift.__table__, Gift.id == FlashEvent.gift_id).outerjoin(
            Store.__table__, Store.id == _COUNTER
        )
    )
    .where(FlashEvent.id == _EVENT)
)


@dataclass(frozen=True)
class Seen:
    """What the member's attempt is decided on, read under their lock."""

    event: FlashEvent
    store: Store | None  # where a pickup is collected (None: no counter is open)
    cancelled: bool
    claims: int
    balance: int
    segment: str | None


def under_lock(session: Session, member: Member, event_id: int, now: datetime) -> Seen | None:
    """The event as the member's locked attempt sees it, or None when there is no such event.
    The event, gift and store come as entities (those the session holds, else made from the
    row as a query would load them)."""
    params = {"event_id": event_id, "member_id": member.id, "now": now}
    params["store_id"] = member.pickup_store_id
    row = reads.execute(session, UNDER_LOCK, params).first()
    if row is None:
        return None
    start, loaded = 0, []
    for model, keys in zip(_LOADED, _KEYS, strict=True):
        values = dict(zip(keys, row[start : start + len(keys)], strict=True))
        start += len(keys)
        loaded.append(None if values["id"] is None else reads.loaded(session, model, values))
    event, gift, store = loaded
    set_committed_value(event, "gift", gift)  # held: the identity map alone would let it go
    cancelled, claims, balance, segment = row[start:]
    return Seen(event, store, bool(cancelled), int(claims), int(balance), segment)


class _Gate:
    """What the tier check reads of a gift."""

    def __init__(self, tier_codes):
        self.tier_codes = tier_codes or []


def check(session: Session, member, event_id: int, *, now: datetime, request_key: str = "") -> bool:
    """False when there is no such event; raises the refusal that is already certain; True when
    the attempt may succeed (or is a replay of one that did) and must be made under the lock."""
    key = f"{member.id}:{request_key}" if request_key else ""
    params = {"event_id": event_id, "member_id": member.id, "request_key": key}
    row = reads.execute(session, DECISION, params).first()
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
