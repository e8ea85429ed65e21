"""Stateful property test: random earn/spend/undo/expire sequences against a model of the lots."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.demo.defaults import POINT_SOURCES, seed_defaults
from app.extensions import db
from app.models import LedgerEntry, Member, PointLot, PointSource, PointTransaction
from app.services.accounts import accounts
from app.services.analytics import definitions as d
from app.services.analytics import flows
from app.services.points import balances, expiry, ledger, reversals
from app.services.points.audit import audit
from tests.conftest import _fresh_url

START = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
SOURCES = [code for code, *_ in POINT_SOURCES]
POLICY = {code: (kind, value) for code, _, kind, value, _, _ in POINT_SOURCES}
# Hypothesis favours small integers: name the long jumps too, past the 90-day and year-end expiries.
CLOCK_STEPS = st.one_of(
    st.integers(1, 72).map(lambda h: timedelta(hours=h)),
    st.integers(1, 400).map(lambda d: timedelta(days=d)),
    st.sampled_from([91, 366, 400]).map(lambda d: timedelta(days=d)),
)
# Now and then a refund comes after the points expired; not so often that balances never build up.
LATE = st.sampled_from([False, False, False, True])


@dataclass
class Lot:
    """The model of a point lot."""

    id: int
    member: int
    points: int
    remaining: int
    earned_at: datetime
    available_at: datetime
    expires_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Not expired by time at `now`."""
        return self.expires_at is None or self.expires_at > now

    def spendable(self, now: datetime) -> bool:
        """Counted in the balance at `now`."""
        return self.remaining > 0 and self.available_at <= now and self.usable(now)

    def order(self) -> tuple:
        """First to expire first, then oldest, then by id (the ledger's spending order)."""
        return (self.expires_at is None, self.expires_at or START, self.earned_at, self.id)


@dataclass
class Txn:
    """An earn or spend the machine may undo later."""

    id: int
    member: int
    kind: str
    points: int
    moves: list[tuple[int, int]]
    refunded: int = 0
    reversed: bool = False


@dataclass
class Model:
    """Expected lots and debts, written independently of the ledger's code."""

    tz: ZoneInfo
    lots: dict[int, Lot] = field(default_factory=dict)
    debt: dict[int, int] = field(default_factory=dict)

    def expiry(self, source: str, at: datetime) -> datetime | None:
        """The source's expiry policy, from the brand-local day of earning."""
        kind, value = POLICY[source]
        day = at.astimezone(self.tz).date()
        if kind == "never":
            return None
        end = date(day.year + value + 1, 1, 1) if kind == "year_end" else day + timedelta(value + 1)
        return datetime.combine(end, time.min, tzinfo=self.tz).astimezone(UTC)

    def end_of_day(self, moment: datetime) -> datetime:
        """The instant the brand-local day of `moment` ends."""
        day = moment.astimezone(self.tz).date() + timedelta(days=1)
        return datetime.combine(day, time.min, tzinfo=self.tz).astimezone(UTC)

    def spendable(self, member: int, now: datetime, exclude=()) -> list[Lot]:
        """The member's lots in spending order."""
        lots = [lot for lot in self.lots.values() if lot.member == member and lot.spendable(now)]
        return sorted((lot for lot in lots if lot.id not in exclude), key=Lot.order)

    def balance(self, member: int, now: datetime) -> int:
        """Spendable points."""
        return sum(lot.remaining for lot in self.spendable(member, now))

    def pending(self, member: int, now: datetime) -> int:
        """Points not available yet."""
        return sum(
            lot.remaining
            for lot in self.lots.values()
            if lot.member == member and lot.available_at > now
        )

    def credit(self, lot: Lot) -> None:
        """A new lot; any debt is settled from it at once."""
        self.lots[lot.id] = lot
        settled = min(self.debt[lot.member], lot.remaining)
        lot.remaining -= settled
        self.debt[lot.member] -= settled

    def take(self, lots: list[Lot], points: int) -> list[tuple[int, int]]:
        """Take up to `points` from lots in order; the (lot id, points taken) moves."""
        moves = []
        for lot in lots:
            amount = min(lot.remaining, points - sum(taken for _, taken in moves))
            if amount:
                lot.remaining -= amount
                moves.append((lot.id, amount))
        return moves

    def claw_back(self, member: int, points: int, prefer: list[int], now: datetime) -> None:
        """Take from the preferred lots (if still usable), then the balance; the rest is debt."""
        preferred = sorted(
            (self.lots[i] for i in prefer if self.lots[i].remaining and self.lots[i].usable(now)),
            key=lambda lot: lot.id,
        )
        others = self.spendable(member, now, exclude={lot.id for lot in preferred})
        taken = sum(points for _, points in self.take(preferred + others, points))
        self.debt[member] += points - taken

    def restore(self, moves: list[tuple[int, int]], now: datetime) -> None:
        """Put a spend back on its lots; what lands on an expired lot expires at once."""
        for lot_id, points in moves:
            self.lots[lot_id].remaining += points
        for lot_id, _ in moves:
            lot = self.lots[lot_id]
            if not lot.usable(now):
                lot.remaining = 0

    def expire(self, as_of: datetime) -> int:
        """Zero every lot expired by `as_of`; the number of lots touched."""
        due = [
            lot
            for lot in self.lots.values()
            if lot.remaining and lot.expires_at is not None and lot.expires_at <= as_of
        ]
        for lot in due:
            lot.remaining = 0
        return len(due)


class LedgerMachine(RuleBasedStateMachine):
    """Drives the ledger for a few members and checks it against the model after every step."""

    def __init__(self, url: str):
        super().__init__()
        self.app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.session = db.session
        seed_defaults(self.session)
        self.session.commit()
        self.model = Model(ZoneInfo(self.app.config["BRAND_TIMEZONE"]))
        self.clock = START
        self.members: list[int] = []
        self.earns: list[Txn] = []
        self.spends: list[Txn] = []
        self.keys = 0

    def teardown(self):
        """Release the database before the next example reuses it."""
        self.session.remove()
        db.engine.dispose()
        self.ctx.pop()

    def key(self, kind: str) -> str:
        """A fresh idempotency key."""
        self.keys += 1
        return f"{kind}-{self.keys}"

    @initialize(count=st.integers(2, 3), pending_days=st.sampled_from([0, 0, 7]))
    def open_accounts(self, count, pending_days):
        """A few members with their registration bonus; purchase points may wait a week."""
        self.session.get(PointSource, "purchase").pending_days = pending_days
        for n in range(count):
            member = accounts.create_member(
                self.session, f"1370000{n:04d}", "x", now=START, password_hash="x"
            )
            self.members.append(member.id)
            self.model.debt[member.id] = 0
            self.credit(member.id, "registration", 100, f"registration:{member.id}")
        self.session.commit()

    def credit(self, member: int, source: str, points: int, key: str) -> int:
        """ledger.credit at the clock, mirrored in the model; the transaction's id."""
        now = self.clock
        txn = ledger.credit(self.session, member, source, points, key, now=now)
        lot = txn.entries[0].lot
        assert (txn.points, lot.expires_at) == (points, self.model.expiry(source, now))
        self.model.credit(
            Lot(lot.id, member, points, points, now, lot.available_at, lot.expires_at)
        )
        self.earns.append(Txn(txn.id, member, "earn", points, [(lot.id, points)]))
        return txn.id

    def replay(self, call, txn_id: int) -> None:
        """Calling again with the same key returns the first transaction and writes nothing."""
        before = self.snapshot()
        assert call().id == txn_id
        self.session.commit()
        assert self.snapshot() == before

    def snapshot(self) -> tuple:
        """Everything a write could change."""
        count, rows = self.session.scalar, self.session.execute
        return (
            count(select(func.count(PointTransaction.id))),
            count(select(func.count(LedgerEntry.id))),
            tuple(rows(select(PointLot.id, PointLot.remaining).order_by(PointLot.id))),
            tuple(rows(select(Member.id, Member.debt).order_by(Member.id))),
        )

    # Hypothesis favours the rules with the fewest arguments, by name: earning comes first, so
    # `earn` takes one argument and draws the rest, which keeps balances worth spending around.
    @rule(data=st.data())
    def earn(self, data):
        """Credit points from any source."""
        member, key, now = data.draw(st.sampled_from(self.members)), self.key("earn"), self.clock
        source, points = data.draw(st.sampled_from(SOURCES)), data.draw(st.integers(1, 500))
        txn_id = self.credit(member, source, points, key)
        self.session.commit()
        self.replay(
            lambda: ledger.credit(self.session, member, source, points, key, now=now), txn_id
        )

    @rule(data=st.data(), kind=st.sampled_from(["spend", "redeem"]))
    def spend(self, data, kind):
        """Spend: refused exactly when the model's balance is short (tried at the edge too)."""
        member, key, now = data.draw(st.sampled_from(self.members)), self.key(kind), self.clock
        available = self.model.balance(member, now)
        edge = st.sampled_from(sorted({max(available, 1), available + 1}))
        points = data.draw(st.one_of(st.integers(1, 400), edge))
        if available < points:
            with pytest.raises(ledger.InsufficientPoints) as err:
                ledger.debit(self.session, member, points, key, now=now, kind=kind)
            assert (err.value.needed, err.value.available) == (points, available)
            self.session.rollback()
            assert ledger.find(self.session, key) is None
            return
        txn = ledger.debit(self.session, member, points, key, now=now, kind=kind)
        moves = self.model.take(self.model.spendable(member, now), points)
        assert sorted((e.lot_id, -e.points) for e in txn.entries) == sorted(moves)
        self.spends.append(Txn(txn.id, member, kind, points, moves))
        self.session.commit()
        self.replay(lambda: ledger.debit(self.session, member, points, key, now=now), txn.id)

    @precondition(lambda self: self.spends)
    @rule(data=st.data(), late=st.booleans())
    def reverse_spend(self, data, late):
        """Undo a spend, maybe once its lots expired: the points come back (and expire at once)."""
        spend = data.draw(st.sampled_from(self.spends))
        if late:
            self.wait_for_expiry(spend.moves)
        self.undo(spend, lambda: self.model.restore(spend.moves, self.clock))

    @precondition(lambda self: any(earn.refunded < earn.points for earn in self.earns))
    @rule(data=st.data(), whole=st.booleans(), late=LATE)
    def refund_earn(self, data, whole, late):
        """Take an earn back, whole (reverse) or in part (claw_back); a shortfall becomes debt."""
        earn = data.draw(st.sampled_from([e for e in self.earns if e.refunded < e.points]))
        if late:
            self.wait_for_expiry(earn.moves)
        lots, now = [lot_id for lot_id, _ in earn.moves], self.clock
        if whole and not earn.refunded:
            self.undo(earn, lambda: self.model.claw_back(earn.member, earn.points, lots, now))
            earn.refunded = earn.points
            return
        points, key = data.draw(st.integers(1, earn.points - earn.refunded)), self.key("refund")
        txn = reversals.claw_back(self.session, earn.member, points, key, now=now, prefer_lots=lots)
        self.model.claw_back(earn.member, points, lots, now)
        earn.refunded += points
        self.session.commit()
        again = {"now": now, "prefer_lots": lots}
        self.replay(
            lambda: reversals.claw_back(self.session, earn.member, points, key, **again), txn.id
        )

    def undo(self, original: Txn, expect) -> None:
        """reversals.reverse on an earn or spend, or AlreadyReversed if it was undone before."""
        txn = self.session.get(PointTransaction, original.id)
        key, now = self.key("reverse"), self.clock
        if original.reversed:
            with pytest.raises(ledger.AlreadyReversed):
                reversals.reverse(self.session, txn, key, now=now)
            self.session.rollback()
            return
        reversal = reversals.reverse(self.session, txn, key, now=now)
        assert reversal.reverses_id == original.id
        expect()
        original.reversed = True
        self.session.commit()
        self.replay(lambda: reversals.reverse(self.session, txn, key, now=now), reversal.id)

    def wait_for_expiry(self, moves: list[tuple[int, int]]) -> None:
        """Move the clock to the instant the first of these lots expires, if still ahead."""
        ends = [self.model.lots[lot_id].expires_at for lot_id, _ in moves]
        if ends := [end for end in ends if end is not None]:
            self.clock = max(self.clock, min(ends))

    @rule(step=CLOCK_STEPS)
    def tick(self, step):
        """Time passes: lots expire by time before the job has run."""
        self.clock += step

    @precondition(lambda self: self.due_later())
    @rule(data=st.data(), early=st.sampled_from([timedelta(0), timedelta(microseconds=1)]))
    def tick_to_expiry(self, data, early):
        """Time passes to exactly a lot's expiry instant, or just before it: the boundary."""
        self.clock = data.draw(st.sampled_from(self.due_later())) - early

    def due_later(self) -> list[datetime]:
        """Expiry instants still ahead of the clock."""
        return sorted(
            {
                lot.expires_at
                for lot in self.model.lots.values()
                if lot.expires_at is not None and lot.expires_at > self.clock
            }
        )

    @rule(tonight_first=st.booleans())
    def run_expiry(self, tonight_first):
        """The expiry job as of now; asked for tonight first, it refuses and writes nothing
        (never ahead of time: lots usable until midnight stay usable); a re-run does nothing."""
        if tonight_first:
            before = self.snapshot()
            with pytest.raises(expiry.ExpiryAhead):
                expiry.expire(self.session, self.model.end_of_day(self.clock), now=self.clock)
            self.session.rollback()
            assert self.snapshot() == before
        as_of = self.clock
        count = expiry.expire(self.session, as_of, now=self.clock)
        assert count == self.model.expire(as_of)
        self.session.commit()
        before = self.snapshot()
        assert expiry.expire(self.session, as_of, now=self.clock) == 0
        self.session.commit()
        assert self.snapshot() == before

    @invariant()
    def ledger_adds_up(self):
        """Audit clean; every lot, balance, pending sum and debt as the model says."""
        session, now = self.session, self.clock
        assert audit(session) == []
        lots = {lot.id: lot for lot in session.scalars(select(PointLot))}
        assert {i: lot.remaining for i, lot in lots.items()} == {
            i: lot.remaining for i, lot in self.model.lots.items()
        }
        for member in self.members:
            balance = balances.balance(session, member, now)
            usable = sum(
                lot.remaining
                for lot in lots.values()
                if lot.member_id == member
                and lot.available_at <= now
                and (lot.expires_at is None or lot.expires_at > now)
            )
            debt = session.get(Member, member).debt
            assert balance == usable == self.model.balance(member, now) >= 0
            assert debt == self.model.debt[member] >= 0
            assert balances.pending(session, member, now) == self.model.pending(member, now)
        session.commit()

    @invariant()
    def books_close(self):
        """issued − consumed − expired = outstanding = Σ balances + pending − debt (+ lots past
        their expiry that the job has not processed yet), and the months add up to the whole."""
        session, now = self.session, self.clock
        issued, consumed, expired = session.execute(
            select(d.total(d.issued), d.total(d.consumed), d.total(d.expired))
        ).one()
        lots = list(session.scalars(select(PointLot)))
        debt = sum(session.get(Member, m).debt for m in self.members)
        held = sum(
            balances.balance(session, m, now) + balances.pending(session, m, now)
            for m in self.members
        )
        unprocessed = sum(
            lot.remaining for lot in lots if lot.expires_at is not None and lot.expires_at <= now
        )
        outstanding = flows.outstanding(session, now + timedelta(microseconds=1))
        assert issued - consumed - expired == outstanding
        assert outstanding == sum(lot.remaining for lot in lots) - debt
        assert outstanding == held - debt + unprocessed
        first, last = flows.local_date(START), flows.local_date(now)
        if len(flows.months(first, last)) < flows.MAX_MONTHS:
            rows = flows.monthly(session, first, last)
            assert sum(r.issued - r.consumed - r.expired for r in rows) == outstanding
        session.commit()


def test_ledger_state_machine(database_template, tmp_path_factory):
    """Random earn, spend, undo, refund, clock and expiry steps keep every ledger invariant."""
    run_state_machine_as_test(
        lambda: LedgerMachine(_fresh_url(database_template, tmp_path_factory.mktemp("ledger"))),
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None),
    )
