"""Statement budgets of the member pages: a constant number whatever the size of the catalogue.

Every SQL statement a request sends is counted (`before_cursor_execute`, BEGIN included). A page
with 200 gifts, several lots and orders must send exactly as many as with 10, and no more than
its budget once the shared catalogue is cached; an N+1 anywhere fails both.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event

from app import cache
from app.blueprints.mall import routes as mall_routes
from app.extensions import db
from app.models import HomeSection, Shelf
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import earning, ledger
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}
BUDGETS = {  # issue 9: home and shelves ≤ 6, a gift page ≤ 8, /me ≤ 6, /flash ≤ 5
    "/": 6,
    "/?kind=physical": 6,
    "/?affordable=1": 6,
    "/gifts/{plain}": 8,
    "/gifts/{limited}": 8,
    "/gifts/{gated}": 8,
    "/gifts/{cash}": 8,
    "/gifts/{service}": 8,
    "/me": 6,
    "/flash": 5,
}


@contextmanager
def counting():
    """Collect the statements sent while the block runs."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements(client, path: str, **kwargs) -> list[str]:
    """The statements of one GET (which must answer 200), in a transaction of its own as in a
    server (the tests' session outlives requests): SQLite's BEGIN counts too."""
    db.session.commit()
    with counting() as sent:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return sent


def add_gifts(session, count: int, start: int = 0) -> None:
    """`count` more gifts on two shelves: plain, gated, limited, points + cash, upcoming."""
    makeup = session.query(Shelf).filter_by(code="makeup").one()
    for i in range(start, start + count):
        fields = {"name": f"Gift {i}", "points_price": 100 + i, "stock": 3 + i % 9}
        if i % 2:
            fields["shelf"] = makeup
        if i % 5 == 1:
            fields["tier_codes"] = ["gold", "diamond"]
        if i % 7 == 2:
            fields.update(limit_count=2, limit_period=("day", "week", "month", "total")[i % 4])
        if i % 11 == 3:
            fields["cash_fen"] = 5_000
        if i % 13 == 4:
            fields["listed_at"] = utcnow() + timedelta(days=2)
        factories.gift(session, **fields)


@pytest.fixture
def mall(client, login_as, member_user, session):
    """A catalogue of 10 gifts, flash events and home sections; a member with a history."""
    now = utcnow()
    factories.store(session, "SH001")
    factories.store(session, "SH002")
    factories.gift(session, name="Seed")  # creates the `care` shelf
    session.add(Shelf(code="makeup", name="彩妆", sort=2))
    session.flush()
    gifts = {
        "plain": factories.gift(session, name="Plain", points_price=300),
        "limited": factories.gift(session, name="Limited", limit_count=3, limit_period="month"),
        "gated": factories.gift(session, name="Gated", tier_codes=["gold"]),
        "cash": factories.gift(session, name="Cash", points_price=100, cash_fen=10_000),
    }
    slot = factories.slot(session, now, hours=30, capacity=3)
    gifts["service"] = slot.gift_id
    add_gifts(session, 10 - len(gifts) - 2)
    for when, hours in ((-1, 3), (-2, 4), (3, 2)):
        factories.flash(session, now, starts=when, hours=hours, price=60)
    care = session.query(Shelf).filter_by(code="care").one()
    session.add_all(
        [
            HomeSection(kind="banner", sort=1, title="Welcome"),
            HomeSection(kind="flash", sort=2),
            HomeSection(kind="for_you", sort=3),
            HomeSection(kind="shelf", sort=4, shelf_id=care.id),
        ]
    )
    member = member_user
    for days in (1, 20, 85):  # lots of different sources and expiries
        ledger.credit(session, member.id, "signin", 10, f"s{days}", now=now - timedelta(days=days))
    ledger.credit(session, member.id, "purchase", 20_000, "p", now=now - timedelta(days=3))
    earning.sign_in(session, member.id, now)
    session.flush()
    ids = {k: (v if isinstance(v, int) else v.id) for k, v in gifts.items()}
    for key, n in (("plain", 1), ("limited", 2)):
        choice = Checkout(qty=n, request_key=f"order-{key}")
        redemption.redeem(session, member.id, ids[key], choice, now=now)
    redemption.redeem(
        session, member.id, ids["service"], Checkout(request_key="svc", slot_id=slot.id), now=now
    )
    session.commit()
    login_as("13700009999")
    return client, ids


def budgets(ids: dict) -> dict:
    """The budgets with the fixture's gift ids filled in."""
    return {path.format(**ids): budget for path, budget in BUDGETS.items()}


def cold():
    """Forget every cached value of this app (the next request builds them again)."""
    cache.bump()
    g.pop("tier_names", None)  # the tests' app context outlives requests: labels cache here


def test_member_pages_stay_within_their_statement_budget(mall):
    client, ids = mall
    for path, budget in budgets(ids).items():
        client.get(path)  # the shared catalogue and rules are built once per stamp
        sent = statements(client, path)
        assert len(sent) <= budget, (path, sent)
        assert sum("FROM point_lots" in s for s in sent) == 1, path  # the balance, once


@pytest.mark.parametrize("warm", [True, False], ids=["cached", "cold"])
def test_statements_do_not_grow_with_the_catalogue(mall, session, warm):
    client, ids = mall
    paths = list(budgets(ids))

    def measure() -> dict:
        counts = {}
        for path in paths:
            if warm:
                client.get(path)
            else:
                cold()
            counts[path] = len(statements(client, path))
        return counts

    with_10 = measure()
    add_gifts(session, 190, start=100)
    session.commit()
    assert measure() == with_10


def test_visitor_catalogue_pages_read_nothing_once_cached(client, mall):
    _, ids = mall
    visitor = client.application.test_client()
    for path in ("/", "/?kind=physical", f"/gifts/{ids['plain']}", "/flash"):
        visitor.get(path)
        assert statements(visitor, path) == [], path


def test_badge_and_stock_poll_do_no_work_they_do_not_show(mall, session, monkeypatch):
    client, _ = mall
    # the figure's life is test_page_cache's business; here the second poll must find it kept
    # however slowly a loaded machine runs the first one
    monkeypatch.setattr(mall_routes, "STOCK_POLL_SECONDS", 60)
    assert len(statements(client, "/me/balance", headers=HX)) <= 3  # BEGIN, user, balance
    event = factories.flash(session, utcnow(), stock=7)
    session.commit()
    first = statements(client, f"/flash/{event.id}/stock", headers=HX)
    assert not any("users" in s for s in first)  # the poll never loads the signed-in user
    assert statements(client, f"/flash/{event.id}/stock", headers=HX) == []  # cached (≤ 1 s)


def test_the_home_reads_the_members_own_bits_in_one_statement(mall):
    """Lots, orders, the hero's figures and the signals of "for you": one statement after the
    signed-in user's row, and the page still shows the hero and the member's picks."""
    client, _ = mall
    client.get("/")
    sent = [s for s in statements(client, "/") if not s.startswith("BEGIN")]
    assert len(sent) == 2, sent
    assert "FROM users" in sent[0] and "FROM point_lots" in sent[1] and "UNION ALL" in sent[1]
    for table in ("orders", "growth_events", "signins", "member_segments", "gift_pairs"):
        assert f"FROM {table}" in sent[1] or f"JOIN {table}" in sent[1], table
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="member-hero"' in page and 'data-testid="for-you"' in page
