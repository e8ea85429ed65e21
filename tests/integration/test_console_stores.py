"""The stores console: create, edit, close; counter stock movements; service slots in bulk and
closing a slot (booked members are told on their order page)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Booking, Order, ServiceSlot, Store, StoreStock
from app.services.accounts import accounts
from app.services.mall import bookings, redemption
from app.services.mall.errors import BadRequest
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from app.timeutil import local_date, utcnow
from tests import factories
from tests.integration.test_console_members import relog


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the assertions read the messages' msgids."""
    client.set_cookie("lang", "en")


@pytest.fixture
def operator(session, login_as):
    """Signed in as operator admin (finance F0001 exists too); the CSRF token."""
    factories.staff(session, "operator", "admin")
    factories.staff(session, "finance", "F0001")
    factories.store(session, "SH001")
    session.commit()
    return login_as("admin")


@pytest.fixture
def facial(session):
    """A service gift (a facial, 300 points)."""
    gift = factories.gift(session, kind="service", name="Facial", points_price=300)
    session.commit()
    return gift


def _store(session, code="SH001"):
    return session.scalar(select(Store).where(Store.code == code))


def test_create_and_edit_a_store(client, session, operator):
    data = {"code": "hz001", "name": "杭州万象城专柜", "city": "杭州", "csrf_token": operator}
    assert client.post("/admin/stores", data=data).status_code == 303
    store = _store(session, "HZ001")
    assert store.name == "杭州万象城专柜"
    again = client.post("/admin/stores", data=data)
    assert again.status_code == 422 and "already in use" in again.get_data(as_text=True)
    for bad in ("H1", "HZ0001", "杭州001", ""):
        response = client.post("/admin/stores", data={**data, "code": bad})
        assert response.status_code == 422 and 'data-testid="form-error"' in response.get_data(
            as_text=True
        )
    assert session.scalar(select(func.count(Store.id))) == 2
    edit = {"name": "杭州万象城", "city": "杭州", "csrf_token": operator}
    assert client.post(f"/admin/stores/{store.id}", data=edit).status_code == 303
    session.expire_all()
    assert _store(session, "HZ001").name == "杭州万象城"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "store.update"))
    assert entry.before == {"name": "杭州万象城专柜"} and entry.after == {"name": "杭州万象城"}
    listing = client.get("/admin/stores").get_data(as_text=True)
    assert "HZ001" in listing and "SH001" in listing


def test_counter_stock_moves_and_never_goes_below_zero(client, session, operator):
    gift = factories.gift(session, name="Lipstick")
    session.commit()
    store = _store(session)
    url = f"/admin/stores/{store.id}/stock"
    base = {"gift_id": str(gift.id), "reason": "到货", "csrf_token": operator}
    assert client.post(url, data={**base, "delta": "10"}).status_code == 303
    refused = client.post(url, data={**base, "delta": "-11"})
    assert refused.status_code == 422 and "only 10" in refused.get_data(as_text=True)
    for bad in ({"delta": "0"}, {"delta": "x"}, {"delta": "-3", "reason": ""},
                {"delta": "3", "gift_id": "99999"}, {"delta": str(10**9)}):  # fmt: skip
        assert client.post(url, data={**base, **bad}).status_code == 422, bad
    assert client.post(url, data={**base, "delta": "-3", "reason": "破损"}).status_code == 303
    session.expire_all()
    assert session.scalar(select(StoreStock.stock)) == 7
    moves = session.scalars(select(AuditEntry).where(AuditEntry.action == "store.stock")).all()
    assert [(m.before["stock"], m.after["stock"]) for m in moves] == [(0, 10), (10, 7)]
    assert "Lipstick" in client.get(f"/admin/stores/{store.id}").get_data(as_text=True)


def _plan(facial, first, last, **fields):
    return {
        "gift_id": str(facial.id),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "times": "10:00, 14:30",
        "minutes": "60",
        "capacity": "2",
        **fields,
    }


def test_slots_in_bulk_skip_the_ones_that_exist(client, session, operator, facial):
    store = _store(session)
    first = local_date(utcnow()) + timedelta(days=1)
    last = first + timedelta(days=13)
    weekdays = sum(1 for n in range(14) if (first + timedelta(days=n)).weekday() < 5)
    data = {**_plan(facial, first, last), "csrf_token": operator}
    assert client.post(f"/admin/stores/{store.id}/slots", data=data).status_code == 303
    assert session.scalar(select(func.count(ServiceSlot.id))) == weekdays * 2
    assert client.post(f"/admin/stores/{store.id}/slots", data=data).status_code == 303
    assert session.scalar(select(func.count(ServiceSlot.id))) == weekdays * 2
    slot = session.scalar(select(ServiceSlot).order_by(ServiceSlot.starts_at))
    assert slot.capacity == 2 and slot.ends_at - slot.starts_at == timedelta(minutes=60)
    assert f"{slot.starts_at.astimezone(local_tz()):%H:%M}" == "10:00"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "slot.bulk_create"))
    assert [e.after["created"] for e in entries] == [weekdays * 2, 0]


def local_tz():
    """The brand's time zone."""
    from app.timeutil import brand_tz

    return brand_tz()


@pytest.mark.parametrize(
    "fields",
    [
        {"weekdays": []},
        {"times": "25:00"},
        {"times": ""},
        {"capacity": "0"},
        {"minutes": "5"},
        {"last_day": "2000-01-01"},
        {"first_day": "2020-01-01"},
        {"times": ", ".join(f"{h:02d}:00" for h in range(8, 24))},  # 16 a day × 92 days > 500
        {"gift_id": "0"},
    ],
)
def test_bad_slot_plans_create_nothing(client, session, operator, facial, fields):
    store = _store(session)
    first = local_date(utcnow()) + timedelta(days=1)
    plan = _plan(facial, first, first + timedelta(days=91), **fields)
    plan["weekdays"] = fields.get("weekdays", ["0", "1", "2", "3", "4", "5", "6"])
    response = client.post(f"/admin/stores/{store.id}/slots", data={**plan, "csrf_token": operator})
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(ServiceSlot.id))) == 0


@pytest.fixture
def booked(session, facial):
    """A member (13700002222 / secret123) booked on a slot tomorrow: (member, order, slot)."""
    member = accounts.create_member(session, "13700002222", "secret123", now=utcnow())
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=utcnow())
    slot = factories.slot(session, utcnow(), gift_item=facial, hours=26, capacity=2)
    order = redemption.redeem(
        session, member.id, facial.id, Checkout(request_key="svc", slot_id=slot.id), now=utcnow()
    )
    session.commit()
    assert bookings.current(session, order.id).slot_id == slot.id
    return member, order, slot


def test_closing_a_slot_cancels_its_bookings_and_tells_the_member(
    client, session, login_as, operator, booked
):
    member, order, slot = booked
    url = f"/admin/stores/slots/{slot.id}/close"
    assert client.post(url, data={"csrf_token": operator, "reason": ""}).status_code == 422
    assert (
        client.post(url, data={"csrf_token": operator, "reason": "美容师请假"}).status_code == 303
    )
    session.expire_all()
    slot = session.get(ServiceSlot, slot.id)
    assert slot.closed_at is not None and slot.booked == 0
    assert session.scalar(select(Booking.status)) == "cancelled"
    order = session.get(Order, order.id)
    assert order.status == "to_book" and order.events[-1].status == "slot_closed"
    assert slot not in bookings.open_slots(session, order.gift_id, utcnow())
    with pytest.raises(bookings.BookingError):
        bookings.book(session, member.id, order.id, slot.id, now=utcnow())
    session.rollback()
    relog(client, login_as, "13700002222")
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="slot-closed"' in page and 'data-testid="book-button"' in page


def test_closing_a_store_closes_its_future_slots_and_pickups(
    client, session, operator, booked, make_member
):
    member, order, slot = booked
    store = _store(session)
    url = f"/admin/stores/{store.id}/close"
    assert client.post(url, data={"csrf_token": operator, "reason": "商场装修"}).status_code == 303
    session.expire_all()
    assert _store(session).closed_at is not None
    assert session.get(ServiceSlot, slot.id).closed_at is not None
    assert session.scalar(select(Booking.status)) == "cancelled"
    gift = factories.gift(session, name="Toner")
    with pytest.raises(BadRequest):
        redemption.redeem(
            session, member.id, gift.id, Checkout(request_key="x", store_id=store.id), now=utcnow()
        )
    session.rollback()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "store.close"))
    assert entry.after == {"open": False, "bookings_cancelled": 1}
    reopen = f"/admin/stores/{store.id}/reopen"
    assert (
        client.post(reopen, data={"csrf_token": operator, "reason": "装修完成"}).status_code == 303
    )
    session.expire_all()
    assert _store(session).closed_at is None


def test_finance_reads_stores_and_is_refused_every_store_write(client, session, login_as, operator):
    store = _store(session)
    token = relog(client, login_as, "F0001")
    assert client.get("/admin/stores").status_code == 200
    page = client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    assert "Create slots" not in page
    for path in ("", "/close", "/stock", "/slots"):
        response = client.post(f"/admin/stores/{store.id}{path}", data={"csrf_token": token})
        assert response.status_code == 403, path
    assert client.post("/admin/stores", data={"csrf_token": token}).status_code == 403
