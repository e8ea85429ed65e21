"""The console's figures: the home KPIs, the analytics page and its CSV exports."""

from datetime import date, timedelta

import pytest

from app.services.points import ledger
from app.timeutil import local_midnight, utcnow
from tests import factories


def at(day: date, hours: int = 12):
    """Noon (by default) of a Beijing day, as a UTC instant."""
    return local_midnight(day) + timedelta(hours=hours)


def test_monthly_csv_follows_the_contract(client, session, make_member, operator):
    m = make_member()
    ledger.credit(session, m.id, "adjustment", 200, "a1", now=at(date(2026, 3, 10)))
    ledger.credit(session, m.id, "adjustment", 300, "a2", now=at(date(2026, 5, 10)))
    ledger.debit(session, m.id, 50, "d1", now=at(date(2026, 5, 11)), kind="redeem")
    session.commit()
    body = client.get("/admin/analytics/monthly.csv?from=2026-03&to=2026-05").get_data(as_text=True)
    assert body.splitlines() == [
        "month,issued,consumed,expired,issued_growth_pct,consumed_growth_pct,expired_growth_pct",
        "2026-03,200,0,0,,,",
        "2026-04,0,0,0,-100.0,,",
        "2026-05,300,50,0,,,",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-13&to=x",
        "from=9999-99",
        "store=%00&tier=zz&channel=<script>",
        "from=2027-01&to=2026-01",
    ],
)
def test_bad_filters_never_break_the_page(client, operator, query):
    assert client.get(f"/admin/analytics?{query}").status_code == 200
    assert client.get(f"/admin/analytics/monthly.csv?{query}").status_code == 200


def test_home_shows_outstanding_liability_and_health(client, session, make_member, operator):
    m = make_member()
    gift = factories.gift(session, points_price=1500, cost_fen=320_000)
    now = utcnow()
    ledger.credit(session, m.id, "adjustment", 3000, "h1", now=now - timedelta(days=3))
    from app.services.mall import redemption

    store = factories.store(session)
    checkout = redemption.Checkout(store_id=store.id, request_key="k")
    redemption.redeem(session, m.id, gift.id, checkout, now=now - timedelta(days=2))
    session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="kpi-outstanding">1,500<' in page
    # ¥3,200 for 1,500 points: ¥2.1333… a point; 1,500 outstanding → ¥3,200.00
    assert 'data-testid="kpi-liability">3,200.00<' in page
    assert 'data-testid="kpi-health">50.0 %<' in page


def test_finance_reads_the_analytics(client, session, login_as):
    factories.staff(session, "finance", "F0001")
    session.commit()
    login_as("F0001")
    assert client.get("/admin/analytics").status_code == 200
    assert client.get("/admin/analytics/channels.csv").status_code == 200
