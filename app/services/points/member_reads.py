"""The member center's statements, and /me's own bits in one: lots, figures, reminders.

`FIGURES` (trailing growth, behaviour points used this month, today's sign-in, the segment) and
`REMINDERS` (appointments ahead, orders waiting at a counter, this year's benefit uses) each
serve a page alone; /me needs both and the open lots (its balance and expiring points), so
`ME_BITS` sends them as one `UNION ALL`, each row laid out as (part, three instants, four
integers, two texts, the store's names) — /me sends one statement after the signed-in user's.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app import reads
from app.models import BenefitUse, Booking, Member, Order, ServiceSlot, SignIn, Store
from app.models.types import UTCDateTime
from app.services.points import balances, earning, targets, tiers
from app.timeutil import local_date, local_midnight

FIGURES = reads.baked(
    select(
        tiers.GROWTH.scalar_subquery(),
        earning.BEHAVIOUR_USED.scalar_subquery(),
        SignIn.streak,  # NULL: not signed in today
        targets.SEGMENT_OF.scalar_subquery(),  # a primary-key look-up: no statement of its own
    )
    .select_from(Member)
    .outerjoin(SignIn, and_(SignIn.member_id == Member.id, SignIn.local_date == bindparam("today")))
    .where(Member.id == bindparam("member_id"))
)


def figures_params(member_id: int, now: datetime) -> dict:
    """The parameters of FIGURES for a member at an instant."""
    params = tiers.growth_params(member_id, now) | earning.behaviour_params(member_id, now)
    return params | {"today": local_date(now)}


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
_USED = select(  # offline benefits handed out this brand-local year (the longest period)
    literal("benefit"),
    BenefitUse.benefit_id,
    cast(null(), Integer),
    BenefitUse.at,
    BenefitUse.period_key,
    null(),
).where(BenefitUse.member_id == bindparam("member_id"), BenefitUse.at >= bindparam("year"))
REMINDERS = reads.baked(union_all(_BOOKED, _WAITING, _USED).order_by("at", "order_id"))


def reminders_params(member_id: int, now: datetime) -> dict:
    """The parameters of REMINDERS: the member, now and the start of the brand-local year."""
    year = local_midnight(local_date(now).replace(month=1, day=1))
    return {"member_id": member_id, "now": now, "year": year}


LOTS, FIGURE, REMINDER = range(3)  # ME_BITS' parts


def _row(part: int, instants=(), integers=(), texts=(), names=None) -> list:
    """One branch's columns in the common layout (typed NULLs where a branch has nothing)."""
    names = () if names is None else (names,)
    return reads.branch_row(
        part, (instants, 3, UTCDateTime), (integers, 4, Integer), (texts, 2, String),
        (names, 1, JSON),
    )  # fmt: skip


def _reminder(branch) -> list:
    """A REMINDERS branch of (kind, id, gift id, at, text, store names) in the common layout."""
    kind, ref, gift, at, text, names = branch.selected_columns
    return _row(REMINDER, (at,), (ref, gift), (kind, text), names)


_lots, _figures = balances.OPEN_LOTS.selected_columns, FIGURES.selected_columns
ME_BITS = reads.baked(
    union_all(
        balances.OPEN_LOTS.with_only_columns(*_row(LOTS, _lots[:3], _lots[3:])),
        FIGURES.with_only_columns(*_row(FIGURE, integers=_figures[:3], texts=_figures[3:])),
        *(branch.with_only_columns(*_reminder(branch)) for branch in REMINDERS.selects),
    )
)


@dataclass(frozen=True)
class MeBits:
    """/me's reads: the points summary (remembered for the request), a FIGURES row and the
    REMINDERS rows in REMINDERS' order."""

    points: balances.Summary
    figures: tuple
    reminders: list


def read_me(session: Session, member_id: int, now: datetime) -> MeBits:
    """The member's lots, figures and reminders from one statement."""
    params = figures_params(member_id, now) | reminders_params(member_id, now)
    lots, figures, reminders = [], None, []
    for part, *v in reads.execute(session, ME_BITS, params).tuples():
        if part == LOTS:
            lots.append((v[0], v[1], v[2], v[3]))
        elif part == FIGURE:
            figures = (v[3], v[4], v[5], v[7])
        else:
            reminders.append((v[7], v[3], v[4], v[0], v[8], v[9]))
    reminders.sort(key=lambda r: (r[3] is not None, r[3] or now, r[1]))  # REMINDERS' order
    points = balances.Summary(now, tuple(lots))
    balances.remember(member_id, points)
    return MeBits(points, figures, reminders)
