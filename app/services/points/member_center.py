"""What the member center shows: overview of /me and the points history."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LedgerEntry, Member, Order, PointLot, PointTransaction, SignIn
from app.services.mall import bookings
from app.services.points import balances, earning, tiers
from app.services.points.clearing import Notice, notice_for
from app.timeutil import last_valid_day

PAGE_SIZE = 20
FILTERS = {
    "all": None,
    "earned": PointTransaction.points > 0,
    "spent": PointTransaction.kind.in_(("spend", "redeem", "clawback", "debt_settle")),
    "expired": PointTransaction.kind.in_(("expire", "clear")),
}


@dataclass(frozen=True)
class Overview:
    """Everything /me shows about the member's points and tier."""

    balance: int
    pending: int
    debt: int
    progress: tiers.Progress
    expiring: list[balances.Expiring]
    expiring_total: int
    signin: SignIn | None
    behaviour_left: int
    appointments: list
    pickups: list
    clearing: Notice | None = None  # an approved points clearing ahead


@dataclass(frozen=True)
class HistoryRow:
    """One line of the points history."""

    txn: PointTransaction
    expires_on: object  # date | None: the last usable day of the points this line earned


def overview(session: Session, member: Member, now: datetime) -> Overview:
    """The member center's figures, as of now."""
    expiring = balances.expiring(session, member.id, now, days=30)
    cap = earning.setting(session, "behaviour_monthly_cap", at=now)
    return Overview(
        balance=balances.balance(session, member.id, now),
        pending=balances.pending(session, member.id, now),
        debt=member.debt,
        progress=tiers.progress(session, member, now),
        expiring=expiring,
        expiring_total=sum(e.points for e in expiring),
        signin=earning.signed_in_today(session, member.id, now),
        behaviour_left=max(cap - earning.behaviour_used(session, member.id, now), 0),
        appointments=bookings.upcoming(session, member.id, now),
        pickups=list(
            session.scalars(
                select(Order).where(Order.member_id == member.id, Order.status == "to_pickup")
            )
        ),
        clearing=notice_for(session, member.id, now),
    )


def history(
    session: Session, member_id: int, kind: str, page: int
) -> tuple[list[HistoryRow], bool]:
    """One page of the member's transactions, newest first, and whether more follow."""
    stmt = select(PointTransaction).where(PointTransaction.member_id == member_id)
    if FILTERS.get(kind) is not None:
        stmt = stmt.where(FILTERS[kind])
    stmt = stmt.order_by(PointTransaction.created_at.desc(), PointTransaction.id.desc())
    txns = list(session.scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    more, txns = len(txns) > PAGE_SIZE, txns[:PAGE_SIZE]
    earn_ids = [t.id for t in txns if t.kind == "earn"]
    expiry = (
        dict(
            session.execute(
                select(LedgerEntry.txn_id, PointLot.expires_at)
                .join(PointLot, PointLot.id == LedgerEntry.lot_id)
                .where(LedgerEntry.txn_id.in_(earn_ids))
            ).all()
        )
        if earn_ids
        else {}
    )
    rows = [HistoryRow(t, last_valid_day(expiry[t.id]) if expiry.get(t.id) else None) for t in txns]
    return rows, more
