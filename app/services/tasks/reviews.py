"""Gift reviews: a member reviews a gift they collected (text and a photo); an operator
approves or rejects it; only an approved review shows on the gift page and earns."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Gift, GiftReview, Order, User
from app.services.console import audit
from app.services.points import ledger, tasks

COLLECTED = "completed"
BODY_MIN, BODY_MAX = 5, 500
SHOWN = 5  # approved reviews on a gift page, newest first


class ReviewError(Exception):
    """A review that cannot be written or moderated: str() is the message key."""


def reviewable(session: Session, member_id: int) -> list[Order]:
    """The member's collected orders whose gift they have not reviewed yet (newest first)."""
    reviewed = select(GiftReview.gift_id).where(GiftReview.member_id == member_id)
    rows = session.scalars(
        select(Order)
        .where(
            Order.member_id == member_id,
            Order.status == COLLECTED,
            Order.gift_id.not_in(reviewed),
        )
        .order_by(Order.id.desc())
    ).all()
    seen, orders = set(), []
    for order in rows:  # one review per gift: offer its latest collected order
        if order.gift_id not in seen:
            seen.add(order.gift_id)
            orders.append(order)
    return orders


def order_to_review(session: Session, member_id: int, order_id: int) -> Order:
    """The member's own collected, not yet reviewed order (ReviewError otherwise)."""
    order = session.get(Order, order_id)
    if order is None or order.member_id != member_id:
        raise ReviewError("review_order")
    if order.status != COLLECTED:
        raise ReviewError("review_not_collected")
    mine = select(GiftReview.id).where(
        GiftReview.member_id == member_id, GiftReview.gift_id == order.gift_id
    )
    if session.scalar(mine) is not None:
        raise ReviewError("review_exists")
    return order


def submit(
    session: Session, member_id: int, order_id: int, body: str, photo: str, *, now: datetime
) -> GiftReview:
    """A pending review of a collected order's gift (one per member and gift)."""
    ledger.lock_member(session, member_id)
    order = order_to_review(session, member_id, order_id)
    text = body.strip()
    if not BODY_MIN <= len(text) <= BODY_MAX:
        raise ReviewError("review_length")
    review = GiftReview(
        member_id=member_id, gift_id=order.gift_id, order_id=order.id, body=text, photo=photo,
        status="pending", created_at=now,
    )  # fmt: skip
    session.add(review)
    session.flush()
    return review


def moderate(
    session: Session, actor: User, review_id: int, approve: bool, *, now: datetime
) -> tasks.Reward:
    """Approve (shown, rewarded once) or reject a pending review; audited."""
    review = session.get(GiftReview, review_id)
    if review is None:
        raise ReviewError("review_missing")
    ledger.lock_member(session, review.member_id)
    session.refresh(review)
    if review.status != "pending":
        raise ReviewError("review_moderated")
    review.status = "approved" if approve else "rejected"
    review.moderated_by_id, review.moderated_at = actor.id, now
    reward = tasks.Reward(0)
    if approve:
        reward = tasks.reward(session, review.member_id, "review_gift", str(review.id), now=now)
    audit.record(
        session, actor, f"review.{review.status}", "review", review.id, now=now,
        summary=review.body[:60], member_id=review.member_id,
        after={"status": review.status, "points": reward.points},
    )  # fmt: skip
    return reward


def shown(session: Session, gift_id: int) -> list[GiftReview]:
    """A gift's approved reviews, newest first (what every viewer of the page sees)."""
    return list(
        session.scalars(
            select(GiftReview)
            .where(GiftReview.gift_id == gift_id, GiftReview.status == "approved")
            .order_by(GiftReview.moderated_at.desc(), GiftReview.id.desc())
            .limit(SHOWN)
        )
    )


def queue(session: Session, status: str = "pending", limit: int = 50) -> list[tuple]:
    """Reviews in a status for the console, oldest pending first (newest for the others)."""
    order = GiftReview.id.asc() if status == "pending" else GiftReview.moderated_at.desc()
    return list(
        session.execute(
            select(GiftReview, Gift.name)
            .join(Gift, Gift.id == GiftReview.gift_id)
            .where(GiftReview.status == status)
            .order_by(order)
            .limit(limit)
        )
    )
