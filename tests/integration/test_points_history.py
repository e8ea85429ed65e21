"""/me/points: each line names what it was and links to it, expiries are lines, and the running
balance reconciles with the balance."""

import re
from datetime import timedelta

import pytest

from app.models import Campaign
from app.services.mall import orders, redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, earning, expiry, ledger, purchases
from app.timeutil import local_date, utcnow
from tests import factories
from tests.integration.test_query_budgets import statements

HX = {"HX-Request": "true"}
RUNNING = re.compile(r'data-testid="running-balance" data-points="(-?\d+)"')
DELTA = re.compile(r'class="num delta (?:plus|minus)">([+-]?[\d,]+)<')


@pytest.fixture
def history(client, login_as, member_user, session):
    """A member with a purchase in a campaign, a sign-in, a redemption and a cancelled one,
    a lot expired and written off, and one expired that the daily job has not reached yet."""
    now, member = utcnow(), member_user
    today = local_date(now)
    session.add(Campaign(name="Double days", starts_on=today - timedelta(days=3),
                         ends_on=today, multiplier_pct=200))  # fmt: skip
    session.commit()
    factories.store(session, "SH001").name = "上海恒隆广场专柜"
    factories.buy(session, member, 50_000, now - timedelta(days=2), order_no="SH001-0042")
    ledger.credit(session, member.id, "signin", 7, "old", now=now - timedelta(days=200))
    expiry.expire(session, now - timedelta(days=100), now=now)  # the old lot: written off
    ledger.credit(session, member.id, "signin", 9, "due", now=now - timedelta(days=91))
    earning.sign_in(session, member.id, now)
    gift = factories.gift(session, name="Rose Cream", names={"en": "Rose Cream"}, points_price=300)
    redemption.redeem(session, member.id, gift.id, Checkout(request_key="a"), now=now)
    cancelled = redemption.redeem(session, member.id, gift.id, Checkout(request_key="b"), now=now)
    orders.cancel(session, member.id, cancelled.id, now=now)
    session.commit()
    login_as("13700009999")
    client.set_cookie("lang", "en")
    return client, member, gift


def test_each_line_names_what_it_was_and_links_to_it(history):
    client, _, gift = history
    html = client.get("/me/points").get_data(as_text=True)
    assert "At 上海恒隆广场专柜 · order SH001-0042" in html
    assert "Double days ×2" in html and 'href="/rules#campaigns"' in html
    assert re.search(r'<a href="/orders/\d+">Redeemed: Rose Cream</a>', html)
    assert re.search(r'<a href="/orders/\d+">Points returned: Rose Cream</a>', html)
    assert '<a href="/rules#activity">Daily sign-in</a>' in html


def test_expiries_are_lines_and_an_expired_lot_never_looks_valid(history, session):
    client, member, _ = history
    html = client.get("/me/points").get_data(as_text=True)
    assert html.count('data-kind="expire"') == 2  # written off, and due (the job not run yet)
    assert html.count("Earned on") == 2
    rows = html.split('data-testid="history-row"')
    for row in rows:
        if "Daily sign-in" in row and ("+7" in row or "+9" in row):
            assert "usable until" not in row and "expired on" in row
    expired = client.get("/me/points?filter=expired").get_data(as_text=True)
    assert expired.count('data-kind="expire"') == 2


def test_the_running_balance_reconciles_with_the_balance(history, session):
    client, member, _ = history
    html = client.get("/me/points").get_data(as_text=True)
    running = [int(n) for n in RUNNING.findall(html)]
    deltas = [int(d.replace(",", "")) for d in DELTA.findall(html)]
    assert len(running) == len(deltas) > 5
    assert running[0] == balances.balance(session, member.id, utcnow())  # nothing pending
    for newer, older, delta in zip(running, running[1:], deltas, strict=False):
        assert newer == older + delta
    assert running[-1] == deltas[-1]  # the first line starts from nothing


def test_the_running_balance_holds_across_pages_and_in_the_fragment(
    client, login_as, member_user, session
):
    now = utcnow()
    for day in range(25):
        ledger.credit(session, member_user.id, "signin", 1 + day, f"s{day}",
                      now=now - timedelta(days=day, hours=1))  # fmt: skip
    session.commit()
    login_as("13700009999")
    first = client.get("/me/points").get_data(as_text=True)
    second = client.get("/me/points?page=2", headers=HX)
    body = second.get_data(as_text=True)
    assert "<html" not in body and "HX-Request" in second.headers["Vary"]
    running = [int(n) for n in RUNNING.findall(first) + RUNNING.findall(body)]
    deltas = [int(d.replace(",", "")) for d in DELTA.findall(first) + DELTA.findall(body)]
    assert running[0] == sum(range(1, 26)) and running[-1] == deltas[-1] == 25
    assert all(a == b + d for a, b, d in zip(running, running[1:], deltas, strict=False))


def test_a_refund_line_names_the_purchase_and_pending_points_are_told(
    client, login_as, member_user, session
):
    now = utcnow()
    factories.buy(session, member_user, 10_000, now - timedelta(hours=3), order_no="SH001-7")
    purchases.refund(session, order_no="SH001-7", refund_no="r1", refund_fen=10_000,
                     fingerprint="x", now=now)  # fmt: skip
    session.commit()
    login_as("13700009999")
    client.set_cookie("lang", "en")
    html = client.get("/me/points").get_data(as_text=True)
    assert html.count("At Store SH001 · order SH001-7") == 2  # the purchase and its refund


def test_the_history_is_a_few_statements(history):
    client, _, _ = history
    client.get("/me/points")
    sent = statements(client, "/me/points")
    assert len(sent) <= 5, sent  # BEGIN, user, the page, what it names, the balance
