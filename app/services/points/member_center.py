"""What the member center shows: overview of /me and the points history."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cache, reads
from app.i18n import local_name
from app.models import (
    LedgerEntry,
    Member,
    PointClearing,
    PointLot,
    PointTransaction,
)
from app.services.counter.benefits import period_key
from app.services.mall import snapshot
from app.services.points import balances, guide, member_reads, targets, tiers
from app.services.points.clearing import Notice
from app.services.points.member_reads import FIGURES, figures_params
from app.services.points.rules import BenefitRule, rules_at
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
    signin: "TodaySignIn | None"
    behaviour_left: int
    appointments: list
    pickups: list
    clearing: Notice | None = None  # an approved points clearing ahead
    benefits: tuple = ()  # MemberBenefit of the member's tier
    occasions: tuple = ()  # guide.Occasion: campaigns and member days running or ahead


@dataclass(frozen=True)
class MemberBenefit:
    """A benefit of the member's tier: `usable` (the system applies it), `counter` (show at the
    counter, not used this period) or `used` (handed out this period, on `used_at`)."""

    benefit: BenefitRule
    state: str
    used_at: datetime | None = None


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
    """The member center's figures, as of now, from one statement whatever the history."""
    bits = member_reads.read_me(session, member.id, now)
    points = bits.points
    expiring = points.expiring(30)
    growth, used, signin, segment = figures_from(bits.figures)
    rules = rules_at(session, now)
    cap = rules.setting("behaviour_monthly_cap")
    appointments, pickups, uses = reminders_from(session, bits.reminders)
    tier = member.tier.code
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
        benefits=member_benefits(rules.benefits(), tier, uses, now, segment),
        occasions=guide.occasions(rules, local_date(now), guide.AHEAD_DAYS, tier, segment),
    )


def member_benefits(
    benefits: list, tier: str, uses: dict, now: datetime, segment: str | None = None
) -> tuple:
    """The benefits of a tier (and of the member's segment) as they stand for a member: `uses`
    maps a benefit id to the (period key, time) of its uses this year."""
    found = []
    for b in benefits:
        if (b.tier_codes and tier not in b.tier_codes) or not targets.reaches(b.segment, segment):
            continue
        if b.verification == "system":
            found.append(MemberBenefit(b, "usable"))
            continue
        key = period_key(b.period, now)
        used = next((at for k, at in uses.get(b.id, ()) if k == key), None)
        found.append(MemberBenefit(b, "used" if used else "counter", used))
    return tuple(found)


@dataclass(frozen=True)
class Standing:
    """The home hero's figures: the member's points, tier progress and today's sign-in."""

    name: str
    balance: int
    progress: tiers.Progress
    streak: int | None  # today's sign-in streak (None: not signed in today)
    signin_points: int


def standing(
    session: Session, member: Member, now: datetime, figures: tuple | None = None
) -> Standing:
    """The hero's figures: the balance this request read, and one statement for the rest (none
    when the caller read the `figures` with something else)."""
    growth, _, signin, _ = figures or _figures(session, member.id, now)
    return Standing(
        name=member.name or "",
        balance=balances.current(session, member.id, now).balance,
        progress=tiers.progress(session, member, now, growth=growth),
        streak=signin.streak if signin else None,
        signin_points=rules_at(session, now).setting("signin_points"),
    )


@dataclass(frozen=True)
class TodaySignIn:
    """The member's sign-in of today (as the overview and the hero show it)."""

    streak: int


def _figures(session: Session, member_id: int, now: datetime) -> tuple:
    """Trailing growth, behaviour points used this month, today's sign-in and the member's
    segment (None: not scored yet): one statement."""
    return figures_from(reads.execute(session, FIGURES, figures_params(member_id, now)).one())


def figures_from(row) -> tuple:
    """`_figures` of a row of FIGURES: (growth, behaviour used, today's streak, segment)."""
    growth, used, streak, segment = row
    signin = TodaySignIn(streak) if streak is not None else None
    return max(int(growth), 0), int(used), signin, segment


def reminders_from(session: Session, rows) -> tuple[list, list, dict]:
    """Future appointments (soonest first), orders ready for pickup and this year's benefit
    uses (benefit id -> [(period key, at)]) from rows of `member_reads.REMINDERS`: (kind, id,
    gift id, at, text, store names)."""
    appointments, pickups, uses = [], [], {}
    gifts = snapshot.catalogue(session).gifts
    for kind, ref_id, gift_id, at, text, names in rows:
        if kind == "booking":
            store = local_name(SimpleNamespace(name=text, names=names or {}))
            appointments.append(Appointment(ref_id, at, store))
        elif kind == "pickup":
            pickups.append(Pickup(ref_id, gifts[gift_id]))
        else:
            uses.setdefault(ref_id, []).append((text, at))
    return appointments, pickups, uses


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
