"""One load-test member's points, written as rows exactly as app/services/points would write them.

The same rules as ledger.py, replayed in memory for a member nobody else can touch yet: lots
spent first-to-expire first, a claw-back from the preferred lot then the balance (the rest is
debt), a credit settling debt first, one expiry transaction per due lot keyed
`expire:<lot>:<entries so far>` as the expiry job keys it, growth and upgrades as tiers.py.
Lots are written once the member's history is done, with what remains on them.
"""

from datetime import datetime, timedelta

from app.demo.bulk import Rows
from app.services.points.rules import TierRule

TXN = ("id", "member_id", "kind", "source", "points", "debt_delta", "idem_key", "ref", "memo",
       "reverses_id", "created_at")  # fmt: skip
ENTRY = ("txn_id", "member_id", "lot_id", "points", "idem_key", "created_at")
LOT = ("id", "member_id", "source", "points", "remaining", "earned_at", "available_at",
       "expires_at", "ref")  # fmt: skip
GROWTH = ("member_id", "delta", "reason", "idem_key", "occurred_at", "created_at")
TIER_CHANGE = ("member_id", "from_tier_id", "to_tier_id", "reason", "pos_order_id", "at")
JOB_DELAY = timedelta(minutes=5)  # the daily expiry job runs just after Beijing midnight


class Lot:
    """A credit of points in memory; `entries` counts its ledger entries (the expiry key)."""

    __slots__ = ("id", "source", "points", "remaining", "earned_at", "available_at",
                 "expires_at", "ref", "entries")  # fmt: skip

    def __init__(self, lot_id, source, points, earned_at, available_at, expires_at, ref):
        self.id, self.source, self.points, self.remaining = lot_id, source, points, 0
        self.earned_at, self.available_at, self.expires_at = earned_at, available_at, expires_at
        self.ref, self.entries = ref, 0

    def order(self):
        """The spending order: first to expire first, then oldest, then id."""
        return (self.expires_at is None, self.expires_at or self.earned_at, self.earned_at, self.id)


class Account:
    """A member's ledger, growth and tier while their history is generated."""

    def __init__(self, rows: Rows, ids: dict, member_id: int, tier: TierRule):
        self.rows, self.ids, self.member_id, self.tier = rows, ids, member_id, tier
        self.txns, self.entries = rows.table("point_txns", TXN), rows.table("ledger_entries", ENTRY)
        self.txn_id, self.lot_id = ids["point_txns"], ids["point_lots"]
        self.lots: list[Lot] = []
        self.debt = 0
        self.growth: list[tuple[datetime, int]] = []
        self.upgrades: list[tuple[int, int]] = []  # (pos order id, tier id before)
        self.next_expiry = None

    # ---- the ledger -------------------------------------------------------------------------
    def record(self, kind, key, moves, now, *, source=None, ref="", memo="", debt=0):
        """One transaction and an entry per (lot, points) move; the lots adjusted; its id."""
        txn_id, member_id, points = self.txn_id(), self.member_id, 0
        for index, (lot, amount) in enumerate(moves):
            lot.remaining += amount
            lot.entries += 1
            points += amount
            self.entries.append((txn_id, member_id, lot.id, amount, f"{key}#{index}", now))
        self.txns.append((txn_id, member_id, kind, source, points, debt, key, ref, memo, None, now))
        return txn_id

    def credit(self, source, points, key, now, expires, ref=""):
        """ledger.credit: a new lot (pending days from the policy), debt settled first."""
        expires_at, pending = expires
        lot = Lot(self.lot_id(), source, points, now,
                  now + timedelta(days=pending), expires_at, ref)  # fmt: skip
        self.lots.append(lot)
        if expires_at is not None and (self.next_expiry is None or expires_at < self.next_expiry):
            self.next_expiry = expires_at
        self.record("earn", key, [(lot, points)], now, source=source, ref=ref)
        if self.debt:
            amount = min(self.debt, lot.remaining)
            self.debt -= amount
            self.record("debt_settle", f"{key}:debt", [(lot, -amount)], now, debt=-amount,
                        memo="debt")  # fmt: skip
        return lot

    def spendable(self, now, exclude=()):
        """Lots with points, available and unexpired at `now`, in the spending order."""
        lots = [
            lot for lot in self.lots
            if lot.remaining > 0 and lot.available_at <= now
            and (lot.expires_at is None or lot.expires_at > now) and lot not in exclude
        ]  # fmt: skip
        return sorted(lots, key=Lot.order)

    def balance(self, now) -> int:
        """Available points at `now`."""
        return sum(lot.remaining for lot in self.spendable(now))

    @staticmethod
    def plan(lots, points):
        """Take up to `points` from lots in order: (lot, -amount) moves."""
        moves, left = [], points
        for lot in lots:
            if left == 0:
                break
            amount = min(lot.remaining, left)
            moves.append((lot, -amount))
            left -= amount
        return moves

    def debit(self, points, key, now, kind="redeem", ref=""):
        """ledger.debit (the caller made sure the balance covers it)."""
        return self.record(kind, key, self.plan(self.spendable(now), points), now, ref=ref)

    def claw_back(self, points, key, now, prefer, ref="", memo=""):
        """reversals.claw_back: the preferred lots first, then the balance; the rest is debt."""
        preferred = [
            lot for lot in prefer
            if lot.remaining > 0 and (lot.expires_at is None or lot.expires_at > now)
        ]  # fmt: skip
        moves = self.plan(preferred + self.spendable(now, exclude=preferred), points)
        shortfall = points + sum(p for _, p in moves)
        self.debt += shortfall
        self.record("clawback", key, moves, now, ref=ref, memo=memo, debt=shortfall)

    def expire_until(self, moment) -> None:
        """What the daily expiry job wrote up to `moment`: every due lot, once, in lot order."""
        if self.next_expiry is None or self.next_expiry + JOB_DELAY > moment:
            return
        due = [lot for lot in self.lots if lot.expires_at is not None and lot.remaining > 0
               and lot.expires_at + JOB_DELAY <= moment]  # fmt: skip
        for lot in sorted(due, key=lambda lot: (lot.expires_at, lot.id)):
            ran = lot.expires_at + JOB_DELAY
            self.record("expire", f"expire:{lot.id}:{lot.entries}", [(lot, -lot.remaining)],
                        ran, source=lot.source)  # fmt: skip
        later = [lot.expires_at for lot in self.lots if lot.expires_at is not None
                 and lot.remaining > 0 and lot.expires_at + JOB_DELAY > moment]  # fmt: skip
        self.next_expiry = min(later, default=None)

    def expire_all(self, now) -> None:
        """At the end: every lot due by now has been expired (the job ran at most `now`)."""
        self.expire_until(now)
        late = [
            lot
            for lot in self.lots
            if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= now
        ]
        for lot in sorted(late, key=lambda lot: (lot.expires_at, lot.id)):
            self.record("expire", f"expire:{lot.id}:{lot.entries}", [(lot, -lot.remaining)],
                        now, source=lot.source)  # fmt: skip

    # ---- growth and tiers -------------------------------------------------------------------
    def rolling_growth(self, since, now) -> int:
        """tiers.rolling_growth: growth with occurred_at in [since, now], at least 0."""
        return max(sum(d for at, d in self.growth if since <= at <= now), 0)

    def add_growth(self, delta, reason, key, occurred_at, now, day, pos_order_id=None):
        """tiers.add_growth: the event, and an upgrade at once if a threshold is reached."""
        if delta == 0:
            return
        self.growth.append((occurred_at, delta))
        self.rows.add("growth_events", GROWTH,
                      (self.member_id, delta, reason, key, occurred_at, now))  # fmt: skip
        target = tier_for(day.ladder, self.rolling_growth(day.growth_from, now))
        if target.rank > self.tier.rank:
            self.upgrades.append((pos_order_id, self.tier.id))
            self.change(target, "upgrade", now, pos_order_id)

    def change(self, to: TierRule, reason, now, pos_order_id=None) -> None:
        """A tier change, recorded."""
        self.rows.add("tier_changes", TIER_CHANGE,
                      (self.member_id, self.tier.id, to.id, reason, pos_order_id, now))  # fmt: skip
        self.tier = to

    def undo_refunded_upgrades(self, pos_order_id, now, day) -> None:
        """tiers.undo_refunded_upgrades after a refund of that POS order."""
        first = next(((o, before) for o, before in self.upgrades
                      if o is not None and o >= pos_order_id), None)  # fmt: skip
        if first is None:
            return
        ladder = day.ladder
        before = next((t for t in ladder if t.id == first[1]), ladder[0])
        supported = tier_for(ladder, self.rolling_growth(day.growth_from, now))
        target = max(before, supported, key=lambda t: t.rank)
        if target.rank < self.tier.rank:
            self.change(target, "refund", now, pos_order_id)

    def review(self, now, day) -> None:
        """tiers.review on the 1st: below the tier's threshold drops one rung."""
        if self.tier.rank == 0:
            return
        target = tier_for(day.ladder, self.rolling_growth(day.growth_from, now))
        if target.rank < self.tier.rank:
            lower = [t for t in day.ladder if t.rank < self.tier.rank][-1]
            self.change(lower, "review", now)

    def write_lots(self) -> None:
        """The lots as they stand at the end of the history."""
        for lot in self.lots:
            self.rows.add("point_lots", LOT, (lot.id, self.member_id, lot.source, lot.points,
                          lot.remaining, lot.earned_at, lot.available_at, lot.expires_at,
                          lot.ref))  # fmt: skip


def tier_for(ladder, growth: int) -> TierRule:
    """tiers.tier_for: the highest rung `growth` reaches."""
    return [t for t in ladder if t.threshold <= growth][-1]
