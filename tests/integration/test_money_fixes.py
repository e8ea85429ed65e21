"""Money and points over HTTP and the CLI (issue 13, points 1–9): pages, API answers, commands."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.api import routes as api_routes
from app.models import Order, Payment, PointTransaction, PosOrder, StaffAction, StoreStock, User
from app.services.accounts import accounts, apikeys
from app.services.counter import counter, member_code
from app.services.mall import bookings, redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from app.timeutil import local_date, utcnow
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


def count(session, column, *where) -> int:
    """Rows of a column's table matching `where`."""
    return session.scalar(select(func.count(column)).where(*where))


def run(app, *args):
    """Run a flask command; the result has exit_code and output."""
    return app.test_cli_runner().invoke(args=list(args))


# 1. The counter shows the cash part of a points + cash gift and records it as collected.


@pytest.fixture
def counter_client(client, session, member_user):
    """Advisor A0001 at SH001 (in English) keeping a 1,500 points + ¥300 cream; the member
    13700009999 has 2,000 points and has been looked up. Yields (client, csrf, member, cream)."""
    user = factories.advisor(session)
    user.password_hash = accounts.hash_password("secret123")
    ledger.credit(session, member_user.id, "purchase", 2_000, "seed", now=utcnow())
    cream = factories.gift(session, name="Cream", points_price=1_500, cash_fen=30_000, stock=0)
    session.add(StoreStock(store_id=user.store_id, gift_id=cream.id, stock=3))
    session.commit()
    client.set_cookie("lang", "en")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post(
        "/login", data={"identifier": "A0001", "password": "secret123", "csrf_token": token}
    )
    csrf = csrf_from(client.get("/counter/").get_data(as_text=True))
    client.post("/counter/lookup", data={"csrf_token": csrf, "query": "13700009999"})
    return client, csrf, member_user, cream


def redeem_at_counter(client, csrf, member, gift, **extra):
    """Post the counter's redeem form with a fresh request key; the page it lands on."""
    html = client.get("/counter/").get_data(as_text=True)
    data = {
        "csrf_token": csrf,
        "member_code": member_code.code_for(member, utcnow()),
        "gift_id": gift.id,
        "qty": 1,
        "request_key": re.search(r'name="request_key" value="([^"]+)"', html).group(1),
        **extra,
    }
    return client.post("/counter/redeem", data=data, follow_redirects=True).get_data(as_text=True)


def test_the_counter_shows_the_cash_part_and_the_box_to_tick(counter_client):
    client, _, _, cream = counter_client
    html = client.get("/counter/").get_data(as_text=True)
    option = re.search(rf'<option value="{cream.id}"[^>]*>([^<]+)</option>', html).group(1)
    assert "1,500 points + ¥300.00 cash" in option
    redeem_form = html.split('action="/counter/redeem"')[1].split("</form>")[0]
    assert 'name="cash_collected"' in redeem_form and "Cash part collected" in redeem_form


def test_a_counter_redeem_without_the_cash_is_refused_and_writes_nothing(counter_client, session):
    client, csrf, member, cream = counter_client
    html = redeem_at_counter(client, csrf, member, cream)
    assert (
        'data-testid="form-error"' in html and "Collect ¥300.00 first, then tick the box." in html
    )
    assert count(session, Order.id) == 0
    assert balances.balance(session, member.id, utcnow()) == 2_000
    assert session.scalars(
        select(StaffAction.result).where(StaffAction.action == "redeem")
    ).all() == ["cash_due"]


def test_a_counter_redeem_with_the_cash_collected_is_paid(counter_client, session):
    client, csrf, member, cream = counter_client
    html = redeem_at_counter(client, csrf, member, cream, cash_collected="y")
    assert "Redeemed: Cream × 1 for 1,500 points and ¥300.00 in cash." in html
    order = session.scalar(select(Order))
    assert (order.status, order.cash_due_fen, order.paid_at is not None) == (
        "completed",
        30_000,
        True,
    )
    assert session.scalar(select(Payment.amount_fen).where(Payment.provider == "counter")) == 30_000


# 2. `points expire --as-of` refuses a day after today.


def test_points_expire_refuses_a_future_date_and_writes_nothing(app, session, make_member):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=utcnow())
    session.commit()
    future = (local_date(utcnow()) + timedelta(days=120)).isoformat()
    result = run(app, "points", "expire", "--as-of", future)
    assert result.exit_code != 0
    assert f"{future} is after today" in result.output and "never runs ahead" in result.output
    assert count(session, PointTransaction.id, PointTransaction.kind == "expire") == 0
    assert balances.balance(session, member.id, utcnow()) == 10


def test_points_expire_for_today_keeps_what_is_usable_today(app, session, make_member):
    member = make_member()
    today = local_date(utcnow())
    ledger.credit(session, member.id, "signin", 10, "s", now=utcnow() - timedelta(days=90))
    session.commit()  # usable through today, the 90th day after it was earned
    result = run(app, "points", "expire", "--as-of", today.isoformat())
    assert (result.exit_code, result.output.strip()) == (0, "expired 0 lot(s)")
    assert balances.balance(session, member.id, utcnow()) == 10


# 5. Points-as-cash above the cap: the live breakdown and the confirmation both refuse it.


@pytest.fixture
def cash_shop(client, login_as, member_user, session):
    """A member (in English) with 10,000 points, a store and a 100 points + ¥100 gift."""
    factories.store(session)
    ledger.credit(session, member_user.id, "purchase", 10_000, "seed", now=utcnow())
    gift = factories.gift(session, name="Cream", points_price=100, cash_fen=10_000)
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), gift


def test_the_live_breakdown_says_the_maximum(cash_shop):
    client, _, gift = cash_shop
    url = f"/gifts/{gift.id}/breakdown?qty=1&yuan_by_points="
    html = client.get(url + "51", headers=HX).get_data(as_text=True)
    assert "You can use at most ¥50 of points." in html
    assert 'role="alert"' in html and 'value="51"' in html  # what the member typed stays
    ok = client.get(url + "50", headers=HX).get_data(as_text=True)
    assert "at most" not in ok and "¥50.00" in ok


def test_redeeming_above_the_cap_is_refused_and_writes_nothing(cash_shop, session):
    client, csrf, gift = cash_shop
    response = client.post(
        f"/gifts/{gift.id}/redeem",
        data={
            "csrf_token": csrf,
            "qty": 1,
            "delivery": "pickup",
            "yuan_by_points": 51,
            "expected_rate": 20,
            "request_key": "k1",
        },
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("You can use at most ¥50 of points.") == 1
    assert count(session, Order.id) == 0
    assert balances.balance(session, session.scalar(select(User)).member.id, utcnow()) == 10_000


# 6. The POS API refuses unknown store codes.


@pytest.fixture
def pos(client, session, now, monkeypatch, make_member):
    """A live API key, store SH001, a member and the API's clock stopped at `now`."""
    apikeys.create(session, "t", now=now, key="k")
    factories.store(session, "SH001")
    member = make_member()
    session.commit()
    monkeypatch.setattr(api_routes, "utcnow", lambda: now)
    return client, member


def pos_order(member, store_code):
    """A valid ¥123.45 order at `store_code`."""
    return {
        "order_no": "A1",
        "member_no": member.member_no,
        "store_code": store_code,
        "paid_fen": 12_345,
        "paid_at": "2026-06-15T09:00:00+08:00",
    }


def test_the_pos_api_answers_422_for_an_unknown_store(pos, session, now):
    client, member = pos
    auth = {"Authorization": "Bearer k"}
    response = client.post("/api/v1/orders", json=pos_order(member, "ZZ999"), headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unknown_store"
    assert "ZZ999" in response.json["error"]["message"]
    assert count(session, PosOrder.id) == 0 and balances.balance(session, member.id, now) == 0
    known = client.post("/api/v1/orders", json=pos_order(member, "SH001"), headers=auth)
    assert known.status_code == 201 and known.json["points_awarded"] == 123


# 7. A booked service order says so, and offers only what can still be done.


@pytest.fixture
def service_member(client, login_as, member_user, session):
    """A member (in English) with 1,000 points who redeemed a facial; yields
    (client, csrf, member, order, make_slot)."""
    factories.store(session)
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    gift = factories.gift(session, kind="service", name="Facial", points_price=300)
    order = redemption.redeem(
        session, member_user.id, gift.id, Checkout(request_key="svc"), now=utcnow()
    )
    session.commit()
    client.set_cookie("lang", "en")

    def make_slot(hours: float):
        return factories.slot(session, utcnow(), gift_item=gift, hours=hours)

    return client, login_as("13700009999"), member_user, order, make_slot


def book(session, member, order, slot):
    """Book the slot for the order, as the member would."""
    bookings.book(session, member.id, order.id, slot.id, now=utcnow())
    session.commit()


def test_a_booked_order_says_booked_once(service_member, session):
    client, _, member, order, make_slot = service_member
    book(session, member, order, make_slot(24))
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    status = html.split('data-testid="order-status"')[1].split("</p>")[0]
    assert "status-booked" in status and "Booked for" in status and "To be booked" not in status
    timeline = html.split('id="timeline-title"')[1]
    assert timeline.count("To be booked") == 1 and timeline.count(">Booked<") == 1
    assert "Change the time" in html and "Cancel the appointment and the order" in html
    listing = client.get("/orders").get_data(as_text=True)
    assert "status-booked" in listing and "To be booked" not in listing


def test_inside_the_cutoff_the_buttons_give_way_to_the_reason(service_member, session):
    client, csrf, member, order, make_slot = service_member
    book(session, member, order, make_slot(1.5))
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Change the time" not in html and "Cancel the appointment" not in html
    assert f"/orders/{order.id}/booking/cancel" not in html
    assert "Times can be changed or cancelled up to 2 hours before the appointment." in html
    assert "Cancel order" not in html
    page = client.get(f"/orders/{order.id}/book")
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/orders/{order.id}")


def test_an_unbooked_order_offers_booking_and_cancelling(service_member):
    client, _, _, order, make_slot = service_member
    make_slot(24)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="book-button"' in html and "Cancel order" in html
    assert client.get(f"/orders/{order.id}/book").status_code == 200


def test_the_booking_page_is_404_for_other_orders(service_member, session):
    client, csrf, member, _, make_slot = service_member
    slot = make_slot(24)
    coupon = factories.gift(session, kind="coupon", points_price=10, stock=1)
    wallet = redemption.redeem(
        session, member.id, coupon.id, Checkout(request_key="c"), now=utcnow()
    )
    session.commit()
    assert client.get(f"/orders/{wallet.id}/book").status_code == 404
    posted = client.post(f"/orders/{wallet.id}/book", data={"csrf_token": csrf, "slot_id": slot.id})
    assert posted.status_code == 404
    assert 'data-testid="book-button"' not in client.get(f"/orders/{wallet.id}").get_data(
        as_text=True
    )


# 8. A gift listed on Feb 29 renders its page with the countdown.


def test_a_gift_listed_on_feb_29_counts_down(client, session):
    listed = datetime(2028, 2, 29, 2, 0, tzinfo=UTC)  # Feb 29 in UTC and in Shanghai
    gift = factories.gift(session, listed_at=listed)
    session.commit()
    response = client.get(f"/gifts/{gift.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-starts-at="2028-02-29T10:00:00+08:00"' in html
    assert 'data-ends-at="2038-02-26T10:00:00+08:00"' in html


# 9. `orders refund` run twice says it was already refunded.


def test_orders_refund_twice_says_already_refunded(app, session, make_member):
    staff = factories.advisor(session)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 5_000, "seed", now=utcnow())
    gift = factories.gift(session, points_price=4_500, stock=1)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="k"), now=utcnow())
    counter.hand_over(session, staff, order.pickup_code, cash_collected=False, now=utcnow())
    session.commit()
    first = run(app, "orders", "refund", order.order_no)
    assert (first.exit_code, first.output.strip()) == (
        0,
        f"refunded {order.order_no}: 4500 points returned",
    )
    txns = count(session, PointTransaction.id)
    again = run(app, "orders", "refund", order.order_no)
    assert again.exit_code == 0
    assert again.output.startswith(f"{order.order_no} was already refunded on ")
    assert "nothing returned this time" in again.output and "4500" not in again.output
    assert count(session, PointTransaction.id) == txns
    assert balances.balance(session, member.id, utcnow()) == 5_000
    unknown = run(app, "orders", "refund", "R-NOPE")
    assert unknown.exit_code == 1 and "cannot refund R-NOPE" in unknown.output
