"""Demo rows for the members and orders console: a shipping order waiting to be shipped and an
adjustment waiting for the second operator (admin2) to approve. Idempotent."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Address, Gift, Member, User
from app.services.console import adjustments
from app.services.mall import redemption
from app.services.mall.errors import RedeemError

SHIPPER = "13800000003"  # the Diamond member: a gift set to be shipped
COMPLAINT = "13800000002"  # the Gold member: a goodwill credit above the threshold


def _member(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).join(User).where(User.phone == phone))


def _shipping_order(session: Session, now: datetime) -> None:
    member = _member(session, SHIPPER)
    gift = session.scalar(select(Gift).where(Gift.name == "金卡尊享修护礼盒"))
    if member is None or gift is None:
        return
    address = session.scalar(select(Address).where(Address.member_id == member.id))
    if address is None:
        address = Address(
            member_id=member.id, recipient="许清欢", phone=SHIPPER, region="上海市 徐汇区",
            detail="衡山路 10 号 3 单元 502 室",
        )  # fmt: skip
        session.add(address)
        session.flush()
    choice = redemption.Checkout(delivery="ship", address_id=address.id, request_key="demo-ship")
    try:
        redemption.redeem(session, member.id, gift.id, choice, now=now)
    except RedeemError:
        pass  # sold out or short of points on a later run: the demo goes on without it


def _pending_adjustment(session: Session, now: datetime) -> None:
    member = _member(session, COMPLAINT)
    admin = session.scalar(select(User).where(User.staff_id == "admin"))
    if member is None or admin is None:
        return
    req = adjustments.Request(
        2_000, "complaint", "专柜缺货致会员两次白跑，补偿积分", "客服工单 CS-20261128-017",
        request_key="demo-adjustment",
    )  # fmt: skip
    adjustments.request(session, admin, member, req, now=now)


def load(session: Session, *, now: datetime) -> None:
    """The console's member and order demo rows (once)."""
    _shipping_order(session, now)
    _pending_adjustment(session, now)
    session.flush()
