"""What the POS API answers: look-ups and the JSON bodies built from the services' results."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import reads
from app.blueprints.api.schemas import LIMITS, is_text
from app.models import Member, PosOrder, PosRefund, User
from app.services.points import balances, purchases, tiers

EXPIRING_DAYS = 90  # the member look-up lists points expiring within this many days


class MemberNotFound(Exception):
    """No member with that member_no or phone."""


BY_MEMBER_NO = select(Member).where(Member.member_no == bindparam("member_no"))
BY_PHONE = select(Member).join(User).where(User.phone == bindparam("phone"))
# what an order needs of its member before the service locks (and loads) it: a light row
_REF = select(Member.id, Member.member_no, Member.referred_by_id)
REF_BY_MEMBER_NO = reads.hot(_REF.where(Member.member_no == bindparam("member_no")))
REF_BY_PHONE = reads.hot(_REF.join(User).where(User.phone == bindparam("phone")))


def _lookup(by_member_no, by_phone, member_no: str | None, phone: str | None):
    """The statement and parameters that find a member by member_no or phone."""
    # Values that cannot be stored cannot match, and PostgreSQL rejects some of them (NUL).
    if member_no is not None and is_text(member_no, LIMITS["member_no"]):
        return by_member_no, {"member_no": member_no}
    if phone is not None and is_text(phone, LIMITS["phone"]):
        return by_phone, {"phone": phone}
    raise MemberNotFound()


def _found(member):
    if member is None:
        raise MemberNotFound()
    return member


def find_member(
    session: Session, *, member_no: str | None = None, phone: str | None = None
) -> Member:
    """The member with this member_no or phone, else MemberNotFound."""
    return _found(session.scalar(*_lookup(BY_MEMBER_NO, BY_PHONE, member_no, phone)))


def member_ref(session: Session, *, member_no: str | None = None, phone: str | None = None):
    """The id, member_no and referrer of the member with this member_no or phone (a row, for
    a service that locks the member itself), else MemberNotFound."""
    statement, params = _lookup(REF_BY_MEMBER_NO, REF_BY_PHONE, member_no, phone)
    return _found(reads.execute(session, statement, params).first())


def order(session: Session, order: PosOrder, now: datetime) -> dict:
    """An order's award with the member's current balance and tier; a frozen member's award
    is held: points_awarded 0, `held` true and `points_held` what waits for the unfreeze."""
    member = session.get(Member, order.member_id)
    balance, held = balances.balance_and_held(session, member.id, now, f"order:{order.order_no}")
    body = {
        "order_no": order.order_no,
        "points_awarded": order.points_awarded,
        "balance": balance,
        "tier": tiers.tier_code(session, member),
    }
    if held:
        body |= {"points_awarded": 0, "held": True, "points_held": held}
    return body


def refund(session: Session, order: PosOrder, refund_no: str, now: datetime) -> dict:
    """A refund's reversal with the member's current balance and tier."""
    done = session.scalar(select(PosRefund).where(PosRefund.refund_no == refund_no))
    member = session.get(Member, order.member_id)
    return {
        "order_no": order.order_no,
        "refund_no": refund_no,
        "points_reversed": done.points_reversed,
        "balance": balances.balance(session, member.id, now),
        "tier": member.tier.code,
    }


def member(session: Session, member: Member, now: datetime) -> dict:
    """The member card a till shows."""
    return {
        "member_no": member.member_no,
        "phone": member.user.phone,
        "balance": balances.balance(session, member.id, now),
        "tier": member.tier.code,
        "growth": tiers.rolling_growth(session, member.id, now),
        "expiring": [
            {"points": item.points, "expires_on": item.last_day.isoformat()}
            for item in balances.expiring(session, member.id, now, days=EXPIRING_DAYS)
        ],
    }


def raced_order(session: Session, order_no: str, fingerprint: str) -> purchases.Recorded | None:
    """After a lost insert race: the winner's order as a replay, Conflict if its body differs."""
    found = session.scalar(select(PosOrder).where(PosOrder.order_no == order_no))
    if found is None:
        return None
    if found.body_hash != fingerprint:
        raise purchases.Conflict(order_no)
    return purchases.Recorded(found, True)


def raced_refund(
    session: Session, order_no: str, refund_no: str, fingerprint: str
) -> purchases.Recorded | None:
    """After a lost insert race: the winner's refund as a replay, Conflict if its body differs."""
    found = session.scalar(select(PosRefund).where(PosRefund.refund_no == refund_no))
    if found is None:
        return None
    order = session.get(PosOrder, found.order_id)
    if order.order_no != order_no or found.body_hash != fingerprint:
        raise purchases.Conflict(refund_no)
    return purchases.Recorded(order, True)
