"""Stock movements: every change of a gift's stock by an operator is a row, never an overwrite."""

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from app.inputs import MAX_INT
from app.models import Gift, StockMovement, User
from app.services.console import audit
from app.services.console.gift_errors import GiftError

MAX_MOVE = 1_000_000  # one delivery or write-off; larger is a typing mistake
REASON_MAX = 200


def _apply(session: Session, gift_id: int, delta: int) -> int | None:
    """Conditional update, like the checkout's: the stock never goes below 0 (None if it would)."""
    # compared with a bound, never by computing stock + delta (which could overflow INTEGER)
    bound = Gift.stock >= -delta if delta < 0 else Gift.stock <= MAX_INT - delta
    row = session.execute(
        update(Gift)
        .where(Gift.id == gift_id, bound)
        .values(stock=Gift.stock + delta)
        .returning(Gift.stock)
        .execution_options(synchronize_session=False)
    ).first()
    return None if row is None else row[0]


def record(
    session: Session, actor: User, gift: Gift, delta: int, reason: str, *, now: datetime
) -> StockMovement:
    """Move `gift`'s stock by `delta` (+ received, − written off) with a reason, audited."""
    reason = reason.strip()
    if delta == 0 or abs(delta) > MAX_MOVE:
        raise GiftError("stock_delta", max=MAX_MOVE)
    if not reason or len(reason) > REASON_MAX:
        raise GiftError("stock_reason")
    after = _apply(session, gift.id, delta)
    if after is None:
        stock = session.scalar(select(Gift.stock).where(Gift.id == gift.id))
        raise GiftError(
            "stock_below_zero" if delta < 0 else "stock_overflow", stock=stock, delta=delta
        )
    session.expire(gift, ["stock"])
    movement = StockMovement(
        gift_id=gift.id, delta=delta, reason=reason, actor_id=actor.id, at=now, stock_after=after
    )
    session.add(movement)
    audit.record(
        session, actor, "gift.stock", "gift", gift.id, now=now,
        summary=f"{gift.name}: {delta:+d} → {after}", before={"stock": after - delta},
        after={"stock": after}, reason=reason,
    )  # fmt: skip
    return movement


def move(
    session: Session, actor: User, gift_id: int, delta: int, reason: str, *, now: datetime
) -> StockMovement:
    """A movement on the gift with this id (GiftError `not_found` when there is none)."""
    gift = session.get(Gift, gift_id)
    if gift is None:
        raise GiftError("not_found")
    return record(session, actor, gift, delta, reason, now=now)


def history(gift_id: int, limit: int = 20) -> Select:
    """The gift's latest movements, newest first."""
    return (
        select(StockMovement)
        .where(StockMovement.gift_id == gift_id)
        .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        .limit(limit)
    )
