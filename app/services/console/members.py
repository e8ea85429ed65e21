"""Members in the console: search, the full picture of one member, freeze and unfreeze.

Every figure comes from the member services (balances, member_center, tiers): the console
never has a definition of the balance of its own.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.inputs import is_ascii_digits
from app.models import (
    Benefit,
    BenefitUse,
    Booking,
    HeldLot,
    Member,
    MemberFreeze,
    Order,
    PointLot,
    PointTransaction,
    SignIn,
    Tier,
    User,
)
from app.services.console import adjustments, audit
from app.services.errors import DomainError
from app.services.points import balances, ledger, member_center

RECENT = 20  # orders, bookings, sign-ins … shown on the detail page


class MemberError(DomainError):
    """A member change that cannot go ahead; `code` says why."""


@dataclass(frozen=True)
class Row:
    """One line of the member list."""

    member: Member
    balance: int
    frozen: bool


@dataclass(frozen=True)
class Detail:
    """Everything the member page shows."""

    member: Member
    view: member_center.Overview
    held: int
    held_lots: set[int]
    freeze: MemberFreeze | None
    lots: list[PointLot]
    orders: list[Order]
    bookings: list[Booking]
    benefits: list  # (BenefitUse, Benefit)
    signins: list[SignIn]
    signin_count: int
    referrals: list[Member]
    adjustments: list


def query(search: str = "", tier: str = "") -> Select:
    """Members matching a phone (part of it), a member number (its start) or a name."""
    stmt = (
        select(Member).join(User, User.id == Member.user_id).join(Tier, Tier.id == Member.tier_id)
    )
    search = search.strip()
    if search:
        by_name = Member.name.contains(search, autoescape=True)
        if is_ascii_digits(search):
            stmt = stmt.where(
                or_(
                    User.phone.contains(search, autoescape=True),
                    Member.member_no.startswith(search, autoescape=True),
                    by_name,
                )
            )
        else:
            stmt = stmt.where(by_name)
    if tier:
        stmt = stmt.where(Tier.code == tier)
    return stmt


def rows(session: Session, members: list[Member], now: datetime) -> list[Row]:
    """The list's lines: each member with their available balance and frozen state."""
    ids = [m.id for m in members]
    frozen = set(
        session.scalars(select(MemberFreeze.member_id).where(MemberFreeze.member_id.in_(ids)))
    )
    return [Row(m, balances.balance(session, m.id, now), m.id in frozen) for m in members]


def by_number(session: Session, member_no: str) -> Member | None:
    """The member with this member number."""
    if not is_ascii_digits(member_no) or len(member_no) > 12:
        return None
    return session.scalar(select(Member).where(Member.member_no == member_no))


def _recent(session: Session, stmt) -> list:
    return list(session.scalars(stmt.limit(RECENT)))


def _activity(session: Session, member_id: int) -> dict:
    """The latest orders, bookings, benefits used, sign-ins and referrals of a member."""
    return {
        "orders": _recent(
            session, select(Order).where(Order.member_id == member_id).order_by(Order.id.desc())
        ),
        "bookings": _recent(
            session,
            select(Booking).where(Booking.member_id == member_id).order_by(Booking.id.desc()),
        ),
        "benefits": list(
            session.execute(
                select(BenefitUse, Benefit)
                .join(Benefit, Benefit.id == BenefitUse.benefit_id)
                .where(BenefitUse.member_id == member_id)
                .order_by(BenefitUse.at.desc())
                .limit(RECENT)
            ).all()
        ),
        "signins": _recent(
            session,
            select(SignIn).where(SignIn.member_id == member_id).order_by(SignIn.local_date.desc()),
        ),
        "signin_count": session.scalar(
            select(func.count(SignIn.id)).where(SignIn.member_id == member_id)
        ),
        "referrals": _recent(
            session, select(Member).where(Member.referred_by_id == member_id).order_by(Member.id)
        ),
    }


def detail(session: Session, member: Member, now: datetime) -> Detail:
    """The member's tier, growth, points, lots, orders, bookings, benefits, sign-ins, referrals."""
    lots = select(PointLot).where(PointLot.member_id == member.id, PointLot.remaining > 0)
    held = select(HeldLot.lot_id).where(
        HeldLot.member_id == member.id, HeldLot.released_at.is_(None)
    )
    return Detail(
        member=member,
        view=member_center.overview(session, member, now),
        held=balances.held(session, member.id),
        held_lots=set(session.scalars(held)),
        freeze=session.get(MemberFreeze, member.id),
        lots=list(session.scalars(lots.order_by(PointLot.expires_at.nulls_last(), PointLot.id))),
        adjustments=adjustments.for_member(session, member.id),
        **_activity(session, member.id),
    )


def ledger_page(session: Session, member_id: int, kind: str, page: int):
    """One page of the member's full ledger (the member center's history, every kind)."""
    kind = kind if kind in member_center.FILTERS else "all"
    return member_center.history(session, member_id, kind, page)


def transaction_count(session: Session, member_id: int) -> int:
    """How many ledger transactions the member has."""
    return session.scalar(
        select(func.count(PointTransaction.id)).where(PointTransaction.member_id == member_id)
    )


def freeze(session: Session, actor: User, member: Member, reason: str, *, now: datetime):
    """Freeze for suspected fraud: from now on credits are held and spending is refused."""
    if not reason.strip():
        raise MemberError("reason")
    ledger.lock_member(session, member.id)
    if session.get(MemberFreeze, member.id) is not None:
        raise MemberError("already_frozen")
    session.add(
        MemberFreeze(
            member_id=member.id, reason=reason.strip(), frozen_by_id=actor.id, frozen_at=now
        )
    )
    session.flush()
    audit.record(
        session, actor, "member.freeze", "member", member.member_no, now=now,
        before={"frozen": False}, after={"frozen": True}, reason=reason.strip(),
        member_id=member.id,
    )  # fmt: skip


def unfreeze(session: Session, actor: User, member: Member, reason: str, *, now: datetime) -> int:
    """Lift the freeze: the held credits become available now; returns how many points."""
    if not reason.strip():
        raise MemberError("reason")
    ledger.lock_member(session, member.id)
    found = session.get(MemberFreeze, member.id, populate_existing=True)
    if found is None:
        raise MemberError("not_frozen")
    session.delete(found)
    session.flush()
    released = ledger.release_held(session, member.id, now=now)
    audit.record(
        session, actor, "member.unfreeze", "member", member.member_no, now=now,
        summary=f"{released:,} held points released", before={"frozen": True},
        after={"frozen": False, "released": released}, reason=reason.strip(),
        member_id=member.id,
    )  # fmt: skip
    return released
