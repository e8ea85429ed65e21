"""The rollups: what the pages read (points_daily up to the cursor, the tail after it, the
part-day edges) equals the direct computation over the ledger, whatever the history and
wherever the job stopped; the job is idempotent and resumable and backfills a database."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.demo.defaults import seed_defaults
from app.extensions import db
from app.jobs.registry import JOBS
from app.models import Order, PointsDaily, PointTransaction, PosOrder, RollupCursor, Tier
from app.services.accounts import accounts
from app.services.analytics import channels, cost, figures, flows, rollups
from app.services.points import expiry, ledger, reversals
from app.timeutil import local_midnight
from tests import factories
from tests.conftest import _fresh_url

START = datetime(2027, 1, 30, 15, 0, tzinfo=UTC)  # Jan 30 23:00 in Beijing: months turn soon
F = flows.Filters
FILTERS = [
    F(),
    F(store="SH002"),
    F(tier="gold"),
    F(channel="purchase"),
    F(store="SH001", tier="silver"),
]


def job(session) -> int:
    """One run of the rollups job as the scheduler runs it (a commit per batch)."""
    done = 0
    for rows in rollups.run(session, START, START):
        done += rows
        session.commit()
    return done


class History:
    """A few members in different tiers buying in two stores, redeeming gifts (some for cash,
    one in a flash event), cancelling, refunded, signing in, expiring."""

    def __init__(self, session):
        self.session, self.clock, self.n = session, START, 0
        tiers = dict(session.execute(select(Tier.code, Tier.id)).all())
        self.members = []
        for i, code in enumerate(("silver", "gold", "silver")):
            m = accounts.create_member(
                session, f"1390000{i:04d}", "x", now=START, password_hash="x"
            )
            m.tier_id = tiers.get(code, m.tier_id)
            self.members.append(m.id)
        self.gifts = [factories.gift(session, kind=k, stock=999) for k in ("physical", "coupon")]
        self.flash = factories.flash(session, START, stock=999)
        self.earns, self.spends = [], []

    def key(self) -> str:
        self.n += 1
        return f"h{self.n}"

    def buy(self, member: int, points: int, store: str, counter: bool) -> None:
        no = self.key()
        self.session.add(
            PosOrder(order_no=no, member_id=member, store_code=store, paid_fen=points * 100,
                     paid_at=self.clock, body_hash="x", points_awarded=points,
                     channel="counter" if counter else "pos")
        )  # fmt: skip
        txn = ledger.credit(self.session, member, "purchase", points, no, now=self.clock,
                            ref=f"order:{no}")  # fmt: skip
        self.earns.append(txn)

    def redeem(self, member: int, points: int, which: int, for_cash: int) -> None:
        no, event = self.key(), self.flash if which == 2 else None
        gift = event.gift if event else self.gifts[which]
        self.session.add(
            Order(order_no=no, request_key=no, member_id=member, gift_id=gift.id, qty=1,
                  points=points, points_for_cash=min(for_cash, points), delivery="ship",
                  status="to_ship", created_at=self.clock,
                  flash_event_id=event.id if event else None)
        )  # fmt: skip
        try:
            txn = ledger.debit(self.session, member, points, no, now=self.clock, kind="redeem",
                               ref=f"redeem:{no}")  # fmt: skip
        except ledger.InsufficientPoints:
            return
        self.spends.append(txn)

    def step(self, op: str, who: int, points: int, pick: int, hours: int) -> None:
        self.clock += timedelta(hours=hours)
        member, s = self.members[who % len(self.members)], self.session
        if op == "buy":
            self.buy(member, points, ("SH001", "SH002")[pick % 2], pick % 3 == 0)
        elif op in ("signin", "adjustment"):
            ledger.credit(s, member, op, points, self.key(), now=self.clock)
        elif op == "redeem":
            self.redeem(member, points, pick % 3, (pick % 4) * points // 4)
        elif op == "cancel" and self.spends:
            txn = self.spends.pop(pick % len(self.spends))
            reversals.reverse(s, txn, self.key(), now=self.clock)
        elif op == "refund" and self.earns:
            txn = self.earns.pop(pick % len(self.earns))
            reversals.reverse(s, txn, self.key(), now=self.clock)
        elif op == "expire":
            expiry.expire(s, self.clock, now=self.clock)
        s.commit()


steps = st.lists(
    st.tuples(
        st.sampled_from(["buy", "buy", "signin", "adjustment", "redeem", "redeem", "cancel",
                         "refund", "expire", "roll"]),
        st.integers(0, 2), st.integers(1, 400), st.integers(0, 11), st.integers(0, 24 * 25),
    ),
    min_size=1, max_size=25,
)  # fmt: skip


def same_as_direct(session, first: date, last: date, instants: list[datetime]) -> None:
    """Every reader gives what the direct computation over the ledger gives."""
    for f in FILTERS:
        assert flows.monthly(session, first, last, f) == flows.monthly(
            session, first, last, f, direct=True
        )
    for since, until in zip(instants, instants[1:], strict=False):
        if since < until:
            for read in (channels.by_channel, channels.by_sink):
                assert read(session, since, until) == read(session, since, until, direct=True)
            for f in FILTERS:
                rolled = figures.total(session, since, until, f)
                assert rolled == figures.total(session, since, until, f, direct=True)
    for at in instants:
        assert flows.outstanding(session, at) == flows.outstanding(session, at, direct=True)


@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.generate, Phase.shrink])
@example(
    history=[("buy", 0, 300, 0, 0), ("redeem", 0, 100, 3, 2), ("roll", 0, 1, 0, 0),
             ("buy", 1, 200, 1, 3), ("cancel", 0, 1, 0, 30), ("refund", 1, 1, 0, 500),
             ("signin", 2, 5, 0, 2), ("expire", 0, 1, 0, 24 * 120)],
    offsets=[7, 60 * 24 * 3 + 13],
)  # fmt: skip
@given(history=steps, offsets=st.lists(st.integers(-3 * 24 * 60, 120 * 24 * 60), max_size=4))
def test_the_rollups_equal_the_direct_computation(
    database_template, tmp_path_factory, history, offsets
):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=_fresh_url(database_template, tmp_path_factory.mktemp("r")),
    )
    with app.app_context():
        session = db.session
        seed_defaults(session)
        session.commit()
        h = History(session)
        for op, *args in history:
            job(session) if op == "roll" else h.step(op, *args)
        instants = sorted(START + timedelta(minutes=m) for m in offsets)
        instants += [local_midnight(date(2027, 2, 1)), h.clock + timedelta(seconds=1)]
        first, last = date(2027, 1, 1), flows.current_month(h.clock)
        same_as_direct(session, first, last, instants)
        job(session)  # and once everything is rolled up
        same_as_direct(session, first, last, instants)
        last_id = session.scalar(select(func.max(PointTransaction.id))) or 0
        assert rollups.position(session) == last_id
        session.remove()
        db.engine.dispose()


def _history(session, make_member) -> list[int]:
    """Two members: purchases, a sign-in, a redemption cancelled, a claw-back, over two days."""
    a, b = make_member(), make_member()
    day = datetime(2027, 3, 9, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    earn = ledger.credit(session, a.id, "adjustment", 500, "k1", now=day)
    spend = ledger.debit(session, a.id, 120, "k2", now=day + timedelta(minutes=20), kind="redeem")
    ledger.credit(session, b.id, "signin", 5, "k3", now=day + timedelta(minutes=40))
    reversals.reverse(session, spend, "k4", now=day + timedelta(hours=3))
    reversals.reverse(session, earn, "k5", now=day + timedelta(days=1))
    ledger.credit(session, b.id, "adjustment", 70, "k6", now=day + timedelta(days=1, hours=2))
    session.commit()
    return [a.id, b.id]


def _table(session) -> list[tuple]:
    return [tuple(r) for r in session.execute(select(PointsDaily.__table__).order_by(
        *PointsDaily.__table__.primary_key.columns)).all()]  # fmt: skip


def test_the_job_is_idempotent_and_resumable(session, make_member, monkeypatch):
    _history(session, make_member)
    monkeypatch.setattr(rollups, "STEP", 2)  # two ids a batch
    run = rollups.run(session, START, START)
    while not next(run):  # PostgreSQL first looks (and commits) before its first batch
        session.commit()
    session.commit()  # one batch, committed; then the job stops (a crash, a deploy)
    run.close()
    assert rollups.position(session) == 2
    job(session)  # resumes after the cursor
    once = _table(session)
    assert job(session) == 0 and _table(session) == once  # a second run changes nothing
    session.query(PointsDaily).delete()
    session.query(RollupCursor).delete()
    session.commit()
    job(session)  # a run from scratch, in one go, gives the same table
    assert _table(session) == once
    last = session.scalar(select(func.max(PointTransaction.id)))
    assert rollups.position(session) == last


def test_a_brand_local_day_boundary(session, make_member):
    """23:59 and 00:01 in Beijing fall on two days; a range cut mid-day reads its edge exactly."""
    m = make_member()
    late = local_midnight(date(2027, 3, 10)) - timedelta(minutes=1)
    ledger.credit(session, m.id, "adjustment", 100, "d1", now=late)
    ledger.credit(session, m.id, "adjustment", 40, "d2", now=late + timedelta(minutes=2))
    session.commit()
    job(session)
    days = dict(session.execute(select(PointsDaily.day, PointsDaily.issued)).all())
    assert days == {date(2027, 3, 9): 100, date(2027, 3, 10): 40}
    tenth = local_midnight(date(2027, 3, 10))
    assert figures.total(session, tenth, tenth + timedelta(days=1))[0] == 40
    assert figures.total(session, late, tenth)[0] == 100  # a one-minute range, from the ledger
    assert figures.total(session, tenth - timedelta(hours=5), tenth + timedelta(hours=5))[0] == 140


def test_backfill_and_a_write_counted_the_instant_after(session, make_member):
    """An existing database: the first run rolls up its whole ledger; a write after the run is in
    every figure at once (the tail after the cursor), before the next run."""
    a, _ = _history(session, make_member)
    assert rollups.position(session) == 0 and _table(session) == []
    job(session)
    end = datetime(2027, 4, 1, tzinfo=UTC)
    assert figures.total(session, None, end) == figures.total(session, None, end, direct=True)
    before = flows.outstanding(session, end)
    ledger.credit(session, a, "adjustment", 9, "late", now=datetime(2027, 3, 20, tzinfo=UTC))
    session.commit()
    assert flows.outstanding(session, end) == before + 9
    assert cost.health(session, end) == cost.health(session, end, direct=True)
    assert "rollups" in JOBS and JOBS["rollups"].period == "minute"


def test_a_range_ending_after_the_last_write_reads_today_from_the_rollups(session, make_member):
    """`until` after every transaction (a page's now): today counts as a whole day of the
    rollups; a transaction at or after `until` brings back the exact part-day edge."""
    m = make_member()
    today = local_midnight(date(2027, 3, 10))
    ledger.credit(session, m.id, "adjustment", 100, "t1", now=today + timedelta(hours=2))
    session.commit()
    job(session)
    ledger.credit(session, m.id, "adjustment", 7, "t2", now=today + timedelta(hours=3))  # tail
    session.commit()
    noon = today + timedelta(hours=4)
    assert figures.total(session, today - timedelta(days=1), noon)[0] == 107
    ledger.credit(session, m.id, "adjustment", 40, "t3", now=noon)  # at `until`: not inside
    session.commit()
    assert figures.total(session, today - timedelta(days=1), noon)[0] == 107
    assert figures.total(session, today - timedelta(days=1), noon + timedelta(seconds=1))[0] == 147
    job(session)
    assert figures.total(session, today, noon)[0] == 107
