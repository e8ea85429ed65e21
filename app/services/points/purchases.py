"""Paid orders and refunds from store systems: points and growth, exactly once."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import reads, writes
from app.cache import cached
from app.models import Member, PointLot, PosOrder, PosRefund, Store
from app.services.points import earning, issuing, ledger, reversals, tiers


class Conflict(Exception):
    """The idempotency key was used before with a different body."""


class RefundTooLarge(Exception):
    """Refunds would exceed what was paid."""


class OrderNotFound(Exception):
    """No order with that number."""


class UnknownStore(Exception):
    """The order names a store code the brand does not have."""


@dataclass(frozen=True)
class Recorded:
    """An order or refund and whether this call only replayed it."""

    order: PosOrder
    replay: bool


def body_hash(body: dict) -> str:
    """A stable fingerprint of a request body, to tell a replay from a conflicting reuse."""
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def record_purchase(
    session: Session,
    member,
    *,
    order_no: str,
    store_code: str,
    paid_fen: int,
    paid_at: datetime,
    lines: list[dict],
    fingerprint: str,
    now: datetime,
    channel: str = "pos",
) -> Recorded:
    """Award purchase points and growth for a paid order (`member`: its `id` and
    `referred_by_id` are enough); a replay returns the first result."""
    locked = ledger.lock_members(session, [member.id, member.referred_by_id])  # the referrer too
    member = locked[member.id]
    if replay := _replay(session, order_no, fingerprint):
        return replay
    if store_code not in cached("store-codes", lambda: _store_codes(session), session):
        raise UnknownStore(store_code)
    order = {"order_no": order_no, "member_id": member.id, "store_code": store_code}
    order |= {"channel": channel, "paid_fen": paid_fen, "paid_at": paid_at, "lines": lines}
    return _record_new(session, member, order | {"body_hash": fingerprint}, now)


def _store_codes(session: Session) -> frozenset[str]:
    """Every store's code, open or closed (an order may come from a store closed since)."""
    return frozenset(session.scalars(select(Store.code)))


def _record_new(session: Session, member: Member, row: dict, now: datetime) -> Recorded:
    """A new order (`row`: its columns): its points (within the issue cap), its growth, a first
    order's referral."""
    # a referred member's first order rewards the referrer: only then is "first" worth asking
    first = bool(member.referred_by_id) and (
        session.scalar(select(PosOrder.id).where(PosOrder.member_id == member.id).limit(1)) is None
    )
    points = earning.purchase_points(session, member, row["paid_fen"], row["lines"], row["paid_at"])
    issuing.require(session, points, now)  # the brand's monthly issue cap, if one is set
    row |= {"points_awarded": points, "refunded_fen": 0, "points_reversed": 0, "created_at": now}
    order = writes.add_loaded(session, PosOrder, row)
    _award(session, member, order, now)
    if first and member.referred_by_id:
        _reward_referrer(session, member, order, now)
    return Recorded(order, False)


# a Core row, not an entity: most orders are new, and a replay loads the order by id after
BY_ORDER_NO = reads.hot(
    select(PosOrder.id, PosOrder.body_hash).where(PosOrder.order_no == bindparam("order_no"))
)


def _replay(session: Session, order_no: str, fingerprint: str) -> Recorded | None:
    """The first result of an order number seen before; Conflict if the body differs."""
    existing = reads.execute(session, BY_ORDER_NO, {"order_no": order_no}).first()
    if existing is None:
        return None
    if existing.body_hash != fingerprint:
        raise Conflict(order_no)
    return Recorded(session.get(PosOrder, existing.id), True)


def _award(session: Session, member: Member, order: PosOrder, now: datetime) -> None:
    """The order's purchase points and its growth (which may upgrade the member at once)."""
    # both keys are named after the order just written, so neither can have been used
    if order.points_awarded:
        ledger.credit_new(
            session,
            member.id,
            "purchase",
            order.points_awarded,
            f"purchase:{order.order_no}",
            now=now,
            ref=f"order:{order.order_no}",
        )
    tiers.add_growth(
        session,
        member,
        order.paid_fen // earning.FEN_PER_YUAN,
        "purchase",
        f"growth:{order.order_no}",
        occurred_at=order.paid_at,
        now=now,
        pos_order_id=order.id,
        new_key=True,
    )


def _reward_referrer(session: Session, member: Member, order: PosOrder, now: datetime) -> None:
    """The referral reward for a referred member's first order (under the behaviour cap)."""
    earning.award_behaviour(
        session,
        member.referred_by_id,
        "referral",
        earning.setting(session, "referral_points", at=now),
        f"referral:{member.id}",
        now=now,
        ref=f"order:{order.order_no}",
    )


def refund(
    session: Session,
    *,
    order_no: str,
    refund_no: str,
    refund_fen: int,
    fingerprint: str,
    now: datetime,
) -> Recorded:
    """Reverse the points and growth of the refunded share; idempotent on refund_no."""
    order, member = _locked_order(session, order_no)
    if replay := _refund_replay(session, order, refund_no, fingerprint):
        return replay
    if order.refunded_fen + refund_fen > order.paid_fen:
        raise RefundTooLarge(order.paid_fen - order.refunded_fen)
    points = _take_back(session, member, order, refund_fen, refund_no, now)
    session.add(
        PosRefund(
            refund_no=refund_no,
            order_id=order.id,
            refund_fen=refund_fen,
            body_hash=fingerprint,
            points_reversed=points,
        )
    )
    if order.refunded_fen == order.paid_fen:
        _reverse_referral(session, member, order, now)
    session.flush()
    return Recorded(order, False)


def _locked_order(session: Session, order_no: str) -> tuple[PosOrder, Member]:
    """The order and its member, locked with the referrer (in id order) and reloaded."""
    order = session.scalar(select(PosOrder).where(PosOrder.order_no == order_no))
    if order is None:
        raise OrderNotFound(order_no)
    member = session.get(Member, order.member_id)
    ledger.lock_members(session, [member.id, member.referred_by_id])  # reloads member too
    session.refresh(order)
    return order, member


def _take_back(
    session: Session, member: Member, order: PosOrder, refund_fen: int, refund_no: str, now
) -> int:
    """The refunded share's points and growth go; the order counts the refund; the points."""
    before, after = order.refunded_fen, order.refunded_fen + refund_fen
    points = _claw_back_share(session, member, order, after, refund_no, now)
    _take_back_growth(session, member, order, before, after, refund_no, now)
    order.refunded_fen, order.points_reversed = after, order.points_reversed + points
    return points


def _refund_replay(
    session: Session, order: PosOrder, refund_no: str, fingerprint: str
) -> Recorded | None:
    """The first result of a refund number seen before; Conflict if it differs."""
    done = session.scalar(select(PosRefund).where(PosRefund.refund_no == refund_no))
    if done is None:
        return None
    if done.order_id != order.id or done.body_hash != fingerprint:
        raise Conflict(refund_no)
    return Recorded(order, True)


def _claw_back_share(
    session: Session, member: Member, order: PosOrder, after: int, refund_no: str, now: datetime
) -> int:
    """Take back the points of the refunded share (the order's own lot first); how many."""
    points = order.points_awarded * after // order.paid_fen - order.points_reversed
    if points:
        lots = session.scalars(
            select(PointLot.id).where(
                PointLot.ref == f"order:{order.order_no}", PointLot.source == "purchase"
            )
        ).all()
        reversals.claw_back(
            session,
            member.id,
            points,
            f"refund:{refund_no}",
            now=now,
            prefer_lots=lots,
            ref=f"order:{order.order_no}",
            memo="refund",
        )
    return points


def _take_back_growth(
    session: Session,
    member: Member,
    order: PosOrder,
    before: int,
    after: int,
    refund_no: str,
    now: datetime,
) -> None:
    """Growth of the refunded share goes, and with it any upgrade that rested on it."""
    growth = order.paid_fen // earning.FEN_PER_YUAN
    tiers.add_growth(
        session,
        member,
        growth * before // order.paid_fen - growth * after // order.paid_fen,
        "refund",
        f"growth:refund:{refund_no}",
        occurred_at=now,
        now=now,
    )
    tiers.undo_refunded_upgrades(session, member, order.id, now)


def _reverse_referral(session: Session, member: Member, order: PosOrder, now: datetime) -> None:
    """A referral reward stands only while the referee's first order does."""
    reward = ledger.find(session, f"referral:{member.id}")
    # the reward names the order that earned it: only refunding that order takes it back
    if reward is not None and reward.ref == f"order:{order.order_no}":
        reversals.reverse(
            session, reward, f"referral-reversal:{member.id}", now=now, memo="referral"
        )
