"""RFM: hand-computed quintiles with ties, the brand-local 12-month window, refunds, segments."""

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import literal, select

from app.models import MemberSegment, Order, PosOrder
from app.models.types import UTCDateTime
from app.services.analytics import rfm, segments
from app.services.points import ledger
from app.timeutil import local_midnight
from tests import factories

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 2026-12-01 10:00 in Beijing
TODAY = date(2026, 12, 1)

# member: (days before TODAY of each purchase, newest first; yuan kept in all)
HISTORY = {
    "A": ([0, 20, 40, 60, 80, 100], 3000),
    "B": ([0], 800),
    "C": ([3, 50, 90], 1500),
    "D": ([10, 200], 500),
    "E": ([30, 31, 32, 33], 1500),  # the newest at 00:01 Beijing (16:01 UTC the day before)
    "F": ([30], 200),  # at 23:59 Beijing: the same brand-local day as E's, so a tie
    "G": ([60], 100),  # plus a fully refunded purchase yesterday, which does not count
    "H": ([100, 120, 140, 160, 180], 2500),
    "I": ([200, 300], 900),  # the newer: ¥550 paid, ¥100 of it refunded
    "J": ([365], 50),  # 2025-12-01 00:01 Beijing: the window's first minute
}
# Worked by hand. R ranks (oldest first): J1 I2 H3 G4 E=F5 D7 C8 A=B9 → 1 + ⌊5(rank−1)/10⌋;
# F (fewest first): B=F=G=J1 D=I5 C7 E8 H9 A10; M (least first): J G F D B I C=E7 H9 A10.
EXPECTED = {
    "A": (0, 6, 300_000, 5, 5, 5, "loyal"),
    "B": (0, 1, 80_000, 5, 1, 3, "opportunity"),
    "C": (3, 3, 150_000, 4, 4, 4, "loyal"),
    "D": (10, 2, 50_000, 4, 3, 2, "opportunity"),
    "E": (30, 4, 150_000, 3, 4, 4, "loyal"),
    "F": (30, 1, 20_000, 3, 1, 2, "opportunity"),
    "G": (60, 1, 10_000, 2, 1, 1, "random"),
    "H": (100, 5, 250_000, 2, 5, 5, "at_risk"),
    "I": (200, 2, 90_000, 1, 3, 3, "random"),
    "J": (365, 1, 5_000, 1, 1, 1, "random"),
}


def beijing(day: date, hh: int = 9, mm: int = 0) -> datetime:
    """A Beijing wall-clock time as a UTC instant."""
    return local_midnight(day) + timedelta(hours=hh, minutes=mm)


def purchase(session, member, paid_at, fen, refunded=0, channel="pos"):
    """A POS (or counter) order row as the purchases service leaves it."""
    number = session.query(PosOrder).count() + 1
    session.add(
        PosOrder(order_no=f"T{number}", member_id=member.id, store_code="SH001", channel=channel,
                 paid_fen=fen, paid_at=paid_at, lines=[], body_hash="x", points_awarded=0,
                 refunded_fen=refunded)
    )  # fmt: skip


def _history(session, member, code: str) -> None:
    days, yuan = HISTORY[code]
    each = yuan * 100 // len(days)
    for n, ago in enumerate(days):
        hh, mm = {"E": (0, 1), "F": (23, 59), "J": (0, 1)}.get(code, (9, 0)) if n == 0 else (9, 0)
        fen = yuan * 100 - each * (len(days) - 1) if n == 0 else each
        refunded = 10_000 if code == "I" and n == 0 else 0
        channel = "counter" if n % 2 else "pos"
        purchase(session, member, beijing(TODAY - timedelta(days=ago), hh, mm), fen + refunded,
                 refunded, channel)  # fmt: skip


@pytest.fixture
def fixture(session, make_member):
    """The ten scored members, a lapsed one (K), one who never bought (L), one refunded (R)."""
    people = {code: make_member() for code in [*HISTORY, "K", "L", "R"]}
    for code in HISTORY:
        _history(session, people[code], code)
    purchase(session, people["G"], beijing(TODAY - timedelta(days=1)), 9_000, refunded=9_000)
    purchase(session, people["K"], beijing(date(2025, 11, 30), 23, 59), 70_000)  # just outside
    purchase(session, people["R"], beijing(TODAY - timedelta(days=5)), 40_000, refunded=40_000)
    session.flush()
    return people


def _rows(session, people) -> dict[str, MemberSegment]:
    by_id = {s.member_id: s for s in session.scalars(select(MemberSegment))}
    return {code: by_id[m.id] for code, m in people.items()}


def test_hand_computed_scores_ties_boundary_and_refunds(session, fixture):
    assert rfm.recompute(session, NOW) == len(fixture)
    rows = _rows(session, fixture)
    got = {
        code: (r.recency_days, r.frequency, r.monetary_fen, r.r_score, r.f_score, r.m_score,
               r.segment)
        for code, r in rows.items() if code in EXPECTED
    }  # fmt: skip
    assert got == EXPECTED
    assert (rows["K"].segment, rows["K"].r_score, rows["K"].frequency) == ("lapsed", None, 0)
    assert rows["K"].last_purchase_at == beijing(date(2025, 11, 30), 23, 59)
    assert rows["L"].segment == rows["R"].segment == "none"
    assert rows["R"].last_purchase_at is None and rows["R"].monetary_fen == 0
    assert {r.computed_at for r in rows.values()} == {NOW}


def test_a_day_later_the_window_moves_and_rows_are_replaced(session, fixture):
    rfm.recompute(session, NOW)
    later = NOW + timedelta(days=1)
    assert rfm.recompute(session, later) == len(fixture)
    rows = _rows(session, fixture)
    assert rows["J"].segment == "lapsed"  # its only purchase left the window
    assert rows["A"].recency_days == 1 and rows["A"].computed_at == later
    assert session.query(MemberSegment).count() == len(fixture)


def test_everyone_alike_shares_one_score(session, make_member):
    people = [make_member() for _ in range(3)]
    for m in people:
        purchase(session, m, beijing(TODAY), 10_000)
    session.flush()
    rfm.recompute(session, NOW)
    got = {(s.r_score, s.f_score, s.m_score, s.segment) for s in session.query(MemberSegment)}
    assert got == {(1, 1, 1, "random")}  # a tie takes the lowest score it reaches


def test_balances_held_and_redemptions_are_snapshotted(session, make_member):
    buyer, saver, debtor = make_member(), make_member(), make_member()
    purchase(session, buyer, beijing(TODAY), 10_000)
    ledger.credit(session, buyer.id, "adjustment", 700, "b1", now=NOW - timedelta(days=3))
    ledger.credit(session, saver.id, "task", 40, "t-old", now=NOW - timedelta(days=120))  # expired
    ledger.credit(session, saver.id, "adjustment", 300, "s1", now=NOW - timedelta(days=1))
    ledger.credit(session, saver.id, "adjustment", 50, "s2", now=NOW + timedelta(days=2))  # pending
    debtor.debt = 30
    gift = factories.gift(session)
    for n, (m, status, days) in enumerate([(buyer, "completed", 10), (saver, "cancelled", 10),
                                           (debtor, "to_ship", 400)]):  # fmt: skip
        session.add(Order(order_no=f"R{n}", request_key=f"k{n}", member_id=m.id, gift_id=gift.id,
                          qty=1, points=100, delivery="ship", status=status,
                          created_at=NOW - timedelta(days=days)))  # fmt: skip
    session.flush()
    rfm.recompute(session, NOW)
    got = {s.member_id: (s.balance, s.held, s.redeemed) for s in session.query(MemberSegment)}
    assert got == {buyer.id: (700, 700, True), saver.id: (300, 350, False),
                   debtor.id: (0, -30, False)}  # fmt: skip


def test_summary_adds_up_per_segment(session, fixture):
    ledger.credit(session, fixture["A"].id, "adjustment", 1000, "a1", now=NOW - timedelta(days=1))
    ledger.credit(session, fixture["C"].id, "adjustment", 501, "c1", now=NOW - timedelta(days=1))
    session.flush()
    rfm.recompute(session, NOW)
    summary = segments.summary(session)
    by = {r.code: r for r in summary.rows}
    assert [r.code for r in summary.rows] == list(segments.CODES)
    assert summary.members == 13 and summary.computed_at == NOW
    assert (by["loyal"].members, by["loyal"].held, by["loyal"].average_balance) == (3, 1501, 500)
    assert str(by["loyal"].share) == "23.1" and by["none"].members == 2
    assert by["at_risk"].redemption_rate == 0 and str(by["random"].share) == "23.1"


def test_empty_summary_says_never_computed(session):
    summary = segments.summary(session)
    assert summary.computed_at is None and summary.members == 0
    assert all(r.members == 0 and r.share is None and r.redemption_rate is None
               for r in summary.rows)  # fmt: skip


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [(5, 5, 5, "loyal"), (3, 4, 3, "loyal"), (3, 3, 3, "opportunity"), (5, 1, 5, "opportunity"),
     (2, 5, 2, "at_risk"), (1, 2, 5, "at_risk"), (2, 3, 3, "random"), (1, 1, 1, "random")],
)  # fmt: skip
def test_segment_rule(r, f, m, segment):
    assert segments.segment_of(r, f, m) == segment


def test_the_sql_rule_is_the_python_rule(session):
    for r, f, m in product(range(1, 6), repeat=3):
        sql = segments.segment_case(literal(r), literal(f), literal(m))
        assert session.scalar(select(sql)) == segments.segment_of(r, f, m), (r, f, m)


@pytest.mark.parametrize(
    ("zone", "now", "moment", "days"),
    [
        ("Asia/Shanghai", NOW, beijing(TODAY, 0, 0), 0),
        ("Asia/Shanghai", NOW, beijing(TODAY, 0, 0) - timedelta(minutes=1), 1),
        ("Asia/Shanghai", NOW, beijing(date(2025, 12, 1), 0, 0), 365),
        # New York leaves daylight saving on 2026-11-01: 00:30 that day is still EDT (04:30 UTC)
        ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=UTC),
         datetime(2026, 11, 1, 4, 30, tzinfo=UTC), 2),
        ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=UTC),
         datetime(2026, 11, 1, 3, 59, tzinfo=UTC), 3),
    ],
)  # fmt: skip
def test_days_ago_is_brand_local(app, session, zone, now, moment, days):
    app.config["BRAND_TIMEZONE"] = zone
    midnights = rfm.window_midnights(now)
    assert session.scalar(select(rfm.days_ago(literal(moment, UTCDateTime), midnights))) == days
