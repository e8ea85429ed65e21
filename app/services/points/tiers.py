"""Tiers from growth value (成长值).

Policy: a member's tier is the highest rung whose threshold is at most the growth earned in the
trailing 12 months. Upgrades happen the moment growth reaches a threshold. Downgrades happen
only at the monthly review (`flask tiers review`, run on the 1st, brand-local) and drop at most
one rung per review, so a member who slips gets a month's notice per rung.

One exception: a refund undoes at once the upgrades that rested on the refunded growth. When a
refund of POS order O is recorded and an upgrade was made by O or by a later order (whose
threshold O's growth helped to reach), the member drops to the tier the remaining trailing
growth supports, never below the tier they held before the first of those upgrades and never
up; the change is recorded with reason "refund" and O. A tier reached before O is kept.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from app import reads, writes
from app.models import GrowthEvent, Member, Tier, TierChange
from app.services.points.rules import TierRule, rules_at
from app.timeutil import add_months, local_date, local_midnight, month_bounds, utcnow

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Progress:
    """Where a member stands on the ladder."""

    growth: int
    tier: TierRule
    next_tier: TierRule | None
    needed: int

    @property
    def bar(self) -> int:
        """The progress bar's value: the growth, at most the next tier's threshold."""
        return min(self.growth, self.next_tier.threshold) if self.next_tier else self.growth


def ladder(session: Session, at: datetime | None = None) -> list[TierRule]:
    """The tiers, lowest first, as the rules in force at `at` (default: now) define them."""
    return rules_at(session, at or utcnow()).ladder()


def rung_of(rungs: list[TierRule], member: Member) -> TierRule | None:
    """The member's current rung on a ladder (None for a tier the ladder lacks): read from the
    cached rules, where `member.tier` may cost a query."""
    return next((t for t in rungs if t.id == member.tier_id), None)


def tier_code(session: Session, member: Member) -> str:
    """The member's tier code, from the cached ladder when it has the tier."""
    rung = rung_of(ladder(session), member)
    return rung.code if rung is not None else member.tier.code


def tier_for(tiers: list[TierRule], growth: int) -> TierRule:
    """The highest tier whose threshold `growth` reaches."""
    return [t for t in tiers if t.threshold <= growth][-1]


def window_start(now: datetime) -> datetime:
    """Start of the trailing growth window (brand-local midnight, 12 months back)."""
    return local_midnight(add_months(local_date(now), -WINDOW_MONTHS))


# the sum of the trailing 12 months' growth events (may be negative: see rolling_growth)
GROWTH = reads.baked(
    select(func.coalesce(func.sum(GrowthEvent.delta), 0)).where(
        GrowthEvent.member_id == bindparam("member_id"),
        GrowthEvent.occurred_at >= bindparam("growth_from"),
        GrowthEvent.occurred_at <= bindparam("now"),
    )
)


GROWTH_BY_KEY = select(GrowthEvent.id).where(GrowthEvent.idem_key == bindparam("key"))
NEW_GROWTH = reads.hot(insert(GrowthEvent))


def growth_params(member_id: int, now: datetime) -> dict:
    """The parameters of GROWTH for a member at an instant."""
    return {"member_id": member_id, "growth_from": window_start(now), "now": now}


def rolling_growth(session: Session, member_id: int, now: datetime) -> int:
    """Growth earned in the trailing 12 months (refunds already netted out)."""
    return max(int(reads.execute(session, GROWTH, growth_params(member_id, now)).scalar()), 0)


def _change(
    session: Session,
    member: Member,
    to: TierRule,
    reason: str,
    now: datetime,
    pos_order_id: int | None = None,
) -> None:
    session.add(
        TierChange(
            member_id=member.id,
            from_tier_id=member.tier_id,
            to_tier_id=to.id,
            reason=reason,
            pos_order_id=pos_order_id,
            at=now,
        )
    )
    member.tier = session.get(Tier, to.id)
    member.tier_id = to.id  # at once, not at the flush: `rung_of` reads it


def add_growth(
    session: Session,
    member: Member,
    delta: int,
    reason: str,
    key: str,
    *,
    occurred_at: datetime,
    now: datetime,
    pos_order_id: int | None = None,
    new_key: bool = False,
) -> None:
    """Record a growth change (idempotent on key) and upgrade at once if a threshold is reached.

    `new_key`: the caller has just written the row the key is named after (a POS order), so
    the key is unused and the event is written as a Core INSERT (see `app.writes`)."""
    if delta == 0 or (not new_key and session.scalar(GROWTH_BY_KEY, {"key": key})):
        return
    event = {"member_id": member.id, "delta": delta, "reason": reason, "idem_key": key}
    writes.execute(session, NEW_GROWTH, event | {"occurred_at": occurred_at, "created_at": now})
    rungs = ladder(session, now)
    target = tier_for(rungs, rolling_growth(session, member.id, now))
    current = rung_of(rungs, member)
    if target.rank > (current.rank if current is not None else member.tier.rank):
        _change(session, member, target, "upgrade", now, pos_order_id)


def undo_refunded_upgrades(session: Session, member: Member, pos_order_id: int, now: datetime):
    """After a refund of a POS order: drop the upgrades that rested on its growth (see above)."""
    first = session.scalar(
        select(TierChange)
        .where(
            TierChange.member_id == member.id,
            TierChange.reason == "upgrade",
            TierChange.pos_order_id >= pos_order_id,  # this order, or a later one
        )
        .order_by(TierChange.id)
        .limit(1)
    )
    if first is None:
        return
    tiers = ladder(session, now)
    before = next((t for t in tiers if t.id == first.from_tier_id), tiers[0])
    supported = tier_for(tiers, rolling_growth(session, member.id, now))
    target = max(before, supported, key=lambda t: t.rank)
    if target.rank < member.tier.rank:
        _change(session, member, target, "refund", now, pos_order_id)
        session.flush()


BATCH = 2_000  # members locked per review transaction


def review(session: Session, now: datetime) -> int:
    """Monthly review: members below their tier's threshold drop one rung; returns how many."""
    return sum(review_in_batches(session, now))


def review_in_batches(session: Session, now: datetime, batch: int = BATCH) -> Iterator[int]:
    """The review `batch` members at a time (the caller may commit after every yield): one query
    finds who may drop, then each batch locks its members, decides again and writes."""
    rungs = ladder(session, now)
    threshold = case({t.id: t.threshold for t in rungs}, value=Member.tier_id, else_=0)
    growth = (
        select(func.coalesce(func.sum(GrowthEvent.delta), 0))
        .where(GrowthEvent.member_id == Member.id, *_window(now))
        .scalar_subquery()
    )
    above = [t.id for t in rungs if t.rank > 0]
    candidates = session.scalars(
        select(Member.id)
        .where(Member.tier_id.in_(above), growth < threshold, Member.id.not_in(_reviewed(now)))
        .order_by(Member.id)
    ).all()
    for start in range(0, len(candidates), batch):
        yield _review_batch(session, candidates[start : start + batch], rungs, now)


def _window(now: datetime):
    return GrowthEvent.occurred_at >= window_start(now), GrowthEvent.occurred_at <= now


def _reviewed(now: datetime):
    month_start, _ = month_bounds(now)
    return select(TierChange.member_id).where(
        TierChange.reason == "review", TierChange.at >= month_start
    )


def _review_batch(session: Session, ids: list[int], rungs: list[TierRule], now: datetime) -> int:
    """Lock the members, decide under the lock as `tier_for` does, drop one rung each."""
    locked = session.execute(
        select(Member.id, Member.tier_id)
        .where(Member.id.in_(ids), Member.id.not_in(_reviewed(now)))
        .order_by(Member.id)
        .with_for_update()
    ).all()
    growth = dict(
        session.execute(
            select(GrowthEvent.member_id, func.sum(GrowthEvent.delta))
            .where(GrowthEvent.member_id.in_(ids), *_window(now))
            .group_by(GrowthEvent.member_id)
        ).all()
    )
    changes = _drops(locked, growth, rungs)
    if changes:
        session.execute(insert(TierChange), [
            {"member_id": m, "from_tier_id": f, "to_tier_id": t, "reason": "review", "at": now}
            for m, f, t in changes
        ])  # fmt: skip
        session.execute(update(Member), [{"id": m, "tier_id": t} for m, _, t in changes])
        session.expire_all()  # members loaded before see their new tier
    return len(changes)


def _drops(locked, growth: dict, rungs: list[TierRule]) -> list[tuple[int, int, int]]:
    """(member, from tier, to tier) for each member below their tier: one rung down."""
    by_id, changes = {t.id: t for t in rungs}, []
    for member_id, tier_id in locked:
        current = by_id.get(tier_id)
        target = tier_for(rungs, max(int(growth.get(member_id, 0)), 0))
        if current is not None and target.rank < current.rank:
            lower = [t for t in rungs if t.rank < current.rank][-1]
            changes.append((member_id, tier_id, lower.id))
    return changes


def progress(
    session: Session, member: Member, now: datetime, growth: int | None = None
) -> Progress:
    """Growth, current tier, the next tier and the growth still needed to reach it."""
    growth = rolling_growth(session, member.id, now) if growth is None else growth
    rungs = ladder(session, now)
    higher = [t for t in rungs if t.rank > member.tier.rank]
    nxt = higher[0] if higher else None
    tier = next(t for t in rungs if t.id == member.tier_id)
    return Progress(growth, tier, nxt, max(nxt.threshold - growth, 0) if nxt else 0)
