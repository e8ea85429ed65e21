"""The orders console: search and filters, shipping (the member sees the tracking number),
cancel and refund through the mall's order service (exact lots, stock, cash)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Address, AuditEntry, Gift, Order, Payment, PointLot, Shipment
from app.services.accounts import accounts
from app.services.mall import orders, redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories
from tests.integration.test_console_members import relog


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the assertions read the messages' msgids."""
    client.set_cookie("lang", "en")


@pytest.fixture
def staff(session):
    """Operator admin and finance F0001."""
    factories.staff(session, "operator", "admin")
    factories.staff(session, "finance", "F0001")
    session.commit()


@pytest.fixture
def shopper(session):
    """A member who can log in (13700001111 / secret123) with 10,000 points and an address."""
    member = accounts.create_member(session, "13700001111", "secret123", now=utcnow())
    member.name = "陈知夏"
    ledger.credit(session, member.id, "purchase", 10_000, "seed", now=utcnow())
    session.add(
        Address(member_id=member.id, recipient="陈知夏", phone="13700001111",
                region="上海市 静安区", detail="南京西路 1266 号")
    )  # fmt: skip
    session.commit()
    return member


def _redeem(session, member, gift, key, **choice):
    address = session.scalar(select(Address.id).where(Address.member_id == member.id))
    order = redemption.redeem(
        session, member.id, gift.id,
        Checkout(request_key=key, address_id=address, store_id=factories.store(session).id,
                 **choice),
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    return order


@pytest.fixture
def shipped_gift(session):
    """A physical gift of 800 points, stock 5."""
    gift = factories.gift(session, name="云澜臻养面霜", points_price=800, stock=5)
    session.commit()
    return gift


def test_search_and_filters(client, session, login_as, staff, shopper, shipped_gift, make_member):
    ship = _redeem(session, shopper, shipped_gift, "a", delivery="ship")
    pickup = _redeem(session, shopper, factories.gift(session, name="Lipstick"), "b")
    login_as("F0001")
    cases = {
        ship.order_no: [ship],
        "1111": [ship, pickup],  # the phone
        shopper.member_no: [ship, pickup],
        "面霜": [ship],
    }
    for query, expected in cases.items():
        page = client.get("/admin/orders", query_string={"q": query}).get_data(as_text=True)
        for order in (ship, pickup):
            assert (order.order_no in page) == (order in expected), (query, order.order_no)
    page = client.get("/admin/orders?status=to_ship&delivery=ship").get_data(as_text=True)
    assert ship.order_no in page and pickup.order_no not in page
    page = client.get("/admin/orders?delivery=pickup").get_data(as_text=True)
    assert pickup.order_no in page and ship.order_no not in page
    today = utcnow().date().isoformat()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert ship.order_no not in client.get(f"/admin/orders?from={tomorrow}").get_data(as_text=True)
    assert ship.order_no in client.get(f"/admin/orders?to={tomorrow}&from=2000-01-01").get_data(
        as_text=True
    )
    for bad in ("from=2026-02-30", "store=abc", "status=nope", "sort=x&dir=y", f"to={today}x"):
        assert client.get(f"/admin/orders?{bad}").status_code == 200, bad
    fragment = client.get("/admin/orders?q=面霜", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)


def test_ship_and_the_member_sees_the_tracking_number(
    client, session, login_as, staff, shopper, shipped_gift
):
    order = _redeem(session, shopper, shipped_gift, "s", delivery="ship")
    token = login_as("admin")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert 'name="tracking_no"' in page
    data = {"carrier": "sf", "tracking_no": "SF1234567890", "csrf_token": token}
    assert client.post(f"/admin/orders/{order.id}/ship", data=data).status_code == 303
    assert client.post(f"/admin/orders/{order.id}/ship", data=data).status_code == 303  # twice
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Shipment)) == 1
    order = session.get(Order, order.id)
    assert order.status == "completed" and order.shipment.tracking_no == "SF1234567890"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "order.ship"))
    assert entry.after["tracking_no"] == "SF1234567890" and entry.member_id == shopper.id

    relog(client, login_as, "13700001111")
    mine = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="order-tracking"' in mine and "SF1234567890" in mine


@pytest.mark.parametrize(
    "fields", [{"tracking_no": ""}, {"tracking_no": "12"}, {"tracking_no": "SF 123 456"},
               {"carrier": "pigeon"}, {"tracking_no": "SF123\n456"}]
)  # fmt: skip
def test_bad_shipping_details_are_refused(
    client, session, login_as, staff, shopper, shipped_gift, fields
):
    order = _redeem(session, shopper, shipped_gift, "s", delivery="ship")
    token = login_as("admin")
    data = {"carrier": "sf", "tracking_no": "SF1234567890", "csrf_token": token, **fields}
    response = client.post(f"/admin/orders/{order.id}/ship", data=data)
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Order, order.id).status == "to_ship"
    assert session.scalar(select(func.count()).select_from(Shipment)) == 0


def test_only_a_shipping_order_waiting_to_ship_ships(client, session, login_as, staff, shopper):
    order = _redeem(session, shopper, factories.gift(session), "p")  # pickup
    token = login_as("admin")
    data = {"carrier": "sf", "tracking_no": "SF1234567890", "csrf_token": token}
    response = client.post(f"/admin/orders/{order.id}/ship", data=data)
    assert response.status_code == 422 and "Only a shipping order" in response.get_data(
        as_text=True
    )
    assert client.post("/admin/orders/999999/ship", data=data).status_code == 404


def test_refund_through_the_console_returns_the_exact_lots(
    client, session, login_as, staff, shopper
):
    early = ledger.credit(session, shopper.id, "signin", 300, "early", now=utcnow())
    session.commit()
    gift = factories.gift(session, name="Mask", points_price=500, stock=3)
    order = _redeem(session, shopper, gift, "r")
    orders.complete(session, order, utcnow(), "handed over")
    session.commit()
    lots = {lot.id: lot.remaining for lot in session.scalars(select(PointLot))}
    before = balances.balance(session, shopper.id, utcnow())
    assert lots[early.entries[0].lot_id] == 0  # the sign-in lot expires first: spent first
    token = login_as("admin")
    close = f"/admin/orders/{order.id}/refund"
    refused = client.post(close, data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and 'data-testid="form-error"' in refused.get_data(
        as_text=True
    )
    assert client.post(close, data={"csrf_token": token, "reason": "退货"}).status_code == 303
    assert client.post(close, data={"csrf_token": token, "reason": "退货"}).status_code in (
        303,
        422,
    )
    session.expire_all()
    assert session.get(Order, order.id).status == "refunded"
    assert balances.balance(session, shopper.id, utcnow()) == before + 500
    restored = session.get(PointLot, early.entries[0].lot_id)
    assert restored.remaining == 300  # the very lot the redemption took from
    assert session.get(Gift, gift.id).stock == 3
    refunds = session.scalars(select(AuditEntry).where(AuditEntry.action == "order.refund")).all()
    assert len(refunds) == 1 and refunds[0].reason == "退货"


def test_cancel_an_open_order_with_cash(client, session, login_as, staff, shopper):
    gift = factories.gift(session, name="Cream", points_price=200, cash_fen=5_000, stock=2)
    order = _redeem(session, shopper, gift, "c", delivery="ship")
    orders.complete_payment(session, shopper.id, order.id, now=utcnow())
    session.commit()
    before = balances.balance(session, shopper.id, utcnow())
    token = login_as("admin")
    refund = client.post(f"/admin/orders/{order.id}/refund", data={"csrf_token": token,
                                                                   "reason": "x"})  # fmt: skip
    assert refund.status_code == 422  # not fulfilled yet: cancel, not refund
    data = {"csrf_token": token, "reason": "缺货"}
    assert client.post(f"/admin/orders/{order.id}/cancel", data=data).status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).status == "cancelled"
    assert balances.balance(session, shopper.id, utcnow()) == before + 200
    assert session.scalar(select(Payment.status).where(Payment.order_id == order.id)) == (
        "refunded"
    )
    assert session.get(Gift, gift.id).stock == 2
    assert session.scalar(select(AuditEntry.reason).where(AuditEntry.action == "order.cancel"))


def test_finance_reads_orders_and_is_refused_every_order_write(
    client, session, login_as, staff, shopper, shipped_gift
):
    order = _redeem(session, shopper, shipped_gift, "f", delivery="ship")
    token = login_as("F0001")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert order.order_no in page and 'name="tracking_no"' not in page
    for action in ("ship", "cancel", "refund"):
        data = {"carrier": "sf", "tracking_no": "SF1234567890", "reason": "x", "csrf_token": token}
        assert client.post(f"/admin/orders/{order.id}/{action}", data=data).status_code == 403
    session.expire_all()
    assert session.get(Order, order.id).status == "to_ship"
