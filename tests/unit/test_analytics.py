"""Points analytics: one definition per figure, brand-local months, growth, books that close."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.services.analytics import flows
from app.services.points import expiry, ledger, reversals
from app.timeutil import local_midnight


def at(day: str, hh: int = 12, mm: int = 0) -> datetime:
    """A Beijing wall-clock time as a UTC instant."""
    return local_midnight(date.fromisoformat(day)) + timedelta(hours=hh, minutes=mm)


@pytest.mark.parametrize(
    ("current", "prior", "expected"),
    [(150, 100, Decimal("50.0")), (0, 100, Decimal("-100.0")), (100, 0, None), (0, 0, None),
     (1, 3, Decimal("-66.7")), (2, 3, Decimal("-33.3")), (1001, 1000, Decimal("0.1"))],
)  # fmt: skip
def test_growth_rate_edges(current, prior, expected):
    assert flows.growth(current, prior) == expected


def test_months_are_brand_local_at_the_boundary(session, make_member):
    member = make_member()
    # 23:59 on Jan 31 in Beijing is 15:59 UTC the same day; 00:01 on Feb 1 is 16:01 UTC Jan 31.
    ledger.credit(session, member.id, "adjustment", 100, "a", now=at("2027-01-31", 23, 59))
    ledger.credit(session, member.id, "adjustment", 40, "b", now=at("2027-02-01", 0, 1))
    rows = flows.monthly(session, date(2027, 1, 1), date(2027, 2, 1))
    assert [(r.label, r.issued) for r in rows] == [("2027-01", 100), ("2027-02", 40)]
    assert rows[1].issued_growth == Decimal("-60.0") and rows[0].issued_growth is None


def test_a_hand_computed_quarter(session, make_member):
    """Jan: +1000 earned, −300 redeemed. Feb: the redemption cancelled (+300 back), −500 redeemed,
    a refund claws back 800 of the 1000 when only 500 are left (300 become debt). Mar: +200 earned
    (pays the 300 debt down to 100: no flow); another member's December sign-in expires."""
    m, other = make_member(), make_member()
    ledger.credit(session, other.id, "signin", 5, "s1", now=at("2026-12-01"))  # 90 days
    earn = ledger.credit(session, m.id, "purchase", 1000, "p1", now=at("2027-01-05"))
    spend = ledger.debit(session, m.id, 300, "r1", now=at("2027-01-20"), kind="redeem")
    reversals.reverse(session, spend, "x1", now=at("2027-02-02"))
    ledger.debit(session, m.id, 500, "r2", now=at("2027-02-10"), kind="redeem")
    reversals.claw_back(
        session, m.id, 800, "c1", now=at("2027-02-20"), prefer_lots=[earn.entries[0].lot_id]
    )
    ledger.credit(session, m.id, "purchase", 200, "p2", now=at("2027-03-03"))
    expiry.expire(session, at("2027-03-31", 23, 59), now=at("2027-03-31", 23, 59))
    rows = flows.monthly(session, date(2027, 1, 1), date(2027, 3, 1))
    got = [(r.label, r.issued, r.consumed, r.expired) for r in rows]
    assert got == [("2027-01", 1000, 300, 0), ("2027-02", -800, 200, 0), ("2027-03", 200, 0, 5)]
    opening = flows.outstanding(session, local_midnight(date(2027, 1, 1)))
    closing = flows.outstanding(session, local_midnight(date(2027, 4, 1)))
    assert opening == 5  # December's sign-in
    assert opening + sum(r.issued - r.consumed - r.expired for r in rows) == closing == -100
    assert rows[1].consumed_growth == Decimal("-33.3") and rows[2].consumed_growth == Decimal(
        "-100.0"
    )


def test_year_over_year_needs_a_year_of_data(session, make_member):
    m = make_member()
    ledger.credit(session, m.id, "adjustment", 100, "y1", now=at("2026-03-10"))
    ledger.credit(session, m.id, "adjustment", 150, "y2", now=at("2027-03-10"))
    rows = flows.monthly(session, date(2027, 3, 1), date(2027, 4, 1))
    assert rows[0].issued_yoy == Decimal("50.0") and rows[1].issued_yoy is None


def test_filters_narrow_to_a_tier_and_a_channel(session, make_member):
    a, b = make_member(), make_member()
    from sqlalchemy import select

    from app.models import Tier

    b.tier_id = session.scalar(select(Tier.id).where(Tier.code == "gold"))
    ledger.credit(session, a.id, "signin", 5, "f1", now=at("2027-05-02"))
    ledger.credit(session, b.id, "adjustment", 70, "f2", now=at("2027-05-03"))
    gold = flows.monthly(session, date(2027, 5, 1), date(2027, 5, 1), flows.Filters(tier="gold"))
    signin = flows.monthly(
        session, date(2027, 5, 1), date(2027, 5, 1), flows.Filters(channel="signin")
    )
    assert gold[0].issued == 70 and signin[0].issued == 5


def test_the_range_is_bounded():
    assert len(flows.months(date(1900, 1, 1), date(2100, 1, 1))) == flows.MAX_MONTHS
    assert flows.months(date(2027, 5, 9), date(2027, 3, 1)) == []
    assert UTC  # the module's instants are UTC


def test_points_audit_says_when_the_books_do_not_close(session, make_member):
    from sqlalchemy import update

    from app.models import Member
    from app.services.points.audit import audit

    m = make_member()
    ledger.credit(session, m.id, "adjustment", 100, "b1", now=at("2027-01-05"))
    assert audit(session) == []
    session.execute(update(Member).values(debt=7))  # a debt the ledger never recorded
    problems = audit(session)
    assert any("books do not close" in p for p in problems)
