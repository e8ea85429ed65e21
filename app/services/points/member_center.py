"""What the member center shows: overview of /me and the points history."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import Integer, and_, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from app import cache
from app.i18n import local_name
from app.models import (
    Booking,
    LedgerEntry,
    Member,
    Order,
    PointClearing,
    PointLot,
    PointTransaction,
    ServiceSlot,
    SignIn,
    Store,
)
from app.models.types import UTCDateTime
from app.services.mall import snapshot
from app.services.points import balances, earning, tiers
from app.services.points.clearing import Notice
from app.timeutil import last_valid_day, local_date, local_midnight

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


@dataclass(frozen=True)
class Appointment:
    """An upcoming appointment, as /me reminds of it."""

    order_id: int
    starts_at: datetime
    store_name: str  # in the reader's language


@dataclass(frozen=True)
class Pickup:
    """An order waiting at a counter."""

    id: int
    gift: object  # the catalogue's GiftRow


def overview(session: Session, member: Member, now: datetime) -> Overview:
    """The member center's figures, as of now, in a few queries whatever the history."""
    points = balances.current(session, member.id, now)
    expiring = points.expiring(30)
    growth, used, signin = _figures(session, member.id, now)
    cap = earning.setting(session, "behaviour_monthly_cap", at=now)
    appointments, pickups = _reminders(session, member.id, now)
    return Overview(
        balance=points.balance,
        pending=points.pending,
        debt=member.debt,
        progress=tiers.progress(session, member, now, growth=growth),
        expiring=expiring,
        expiring_total=sum(e.points for e in expiring),
        signin=signin,
        behaviour_left=max(cap - used, 0),
        appointments=appointments,
        pickups=pickups,
        clearing=_clearing(session, points),
    )


FIGURES = (
    select(tiers.GROWTH.scalar_subquery(), earning.BEHAVIOUR_USED.scalar_subquery(), SignIn)
    .select_from(Member)
    .outerjoin(SignIn, and_(SignIn.member_id == Member.id, SignIn.local_date == bindparam("today")))
    .where(Member.id == bindparam("member_id"))
)


def _figures(session: Session, member_id: int, now: datetime) -> tuple[int, int, SignIn | None]:
    """Trailing growth, behaviour points used this month and today's sign-in: one statement."""
    params = tiers.growth_params(member_id, now) | earning.behaviour_params(member_id, now)
    growth, used, signin = session.execute(FIGURES, params | {"today": local_date(now)}).one()
    return max(int(growth), 0), int(used), signin


_BOOKED = (
    select(
        literal("booking").label("kind"), Booking.order_id.label("order_id"),
        cast(null(), Integer).label("gift_id"), ServiceSlot.starts_at.label("at"),
        Store.name.label("store"), Store.names.label("store_names"),
    )
    .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
    .join(Store, Store.id == ServiceSlot.store_id)
    .where(
        Booking.member_id == bindparam("member_id"),
        Booking.status == "booked",
        ServiceSlot.ends_at > bindparam("now"),
    )
)  # fmt: skip
_WAITING = select(
    literal("pickup"), Order.id, Order.gift_id, cast(null(), UTCDateTime), null(), null()
).where(Order.member_id == bindparam("member_id"), Order.status == "to_pickup")
REMINDERS = union_all(_BOOKED, _WAITING).order_by("at", "order_id")


def _reminders(session: Session, member_id: int, now: datetime) -> tuple[list, list]:
    """Future appointments (soonest first) and orders ready for pickup: one statement."""
    appointments, pickups, gifts = [], [], snapshot.catalogue(session).gifts
    rows = session.execute(REMINDERS, {"member_id": member_id, "now": now})
    for kind, order_id, gift_id, starts_at, store, names in rows:
        if kind == "booking":
            store = local_name(SimpleNamespace(name=store, names=names or {}))
            appointments.append(Appointment(order_id, starts_at, store))
        else:
            pickups.append(Pickup(order_id, gifts[gift_id]))
    return appointments, pickups


def _clearing(session: Session, points: balances.Summary) -> Notice | None:
    """The next approved clearing that would take some of this member's points."""
    for run_on, earned_before in approved_clearings(session):
        if taken := points.earned_before(local_midnight(earned_before)):
            return Notice(run_on, earned_before, taken)
    return None


def approved_clearings(session: Session) -> tuple:
    """(run_on, earned_before) of the approved clearings, soonest first (cached)."""

    def build():
        rows = select(PointClearing.run_on, PointClearing.earned_before).where(
            PointClearing.status == "approved"
        )
        return tuple(session.execute(rows.order_by(PointClearing.run_on)).tuples())

    return cache.cached("points.clearings", build, session)


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
