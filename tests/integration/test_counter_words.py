"""The counter, smoother (issue 12 §5–6): the staff log in words, a hand-over button per pickup,
a number not found stays in the field, appointments listed once, store names in the language."""

import re

from sqlalchemy import select

from app.models import Order, StaffAction
from app.services.mall import bookings, redemption
from app.services.mall.redemption import Checkout
from app.timeutil import utcnow
from tests import factories
from tests.integration.test_counter_pages import advisor_client, post  # noqa: F401 (fixture)


def _log(html: str) -> str:
    return html.split('id="log-title"')[1].split("</ol>")[0]


def test_the_staff_log_shows_words_not_codes(advisor_client, session):  # noqa: F811
    client, csrf, member = advisor_client
    gift = factories.gift(session)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="k"), now=utcnow())
    cash = factories.gift(session, name="Cream", points_price=100, cash_fen=5_000)
    owing = redemption.redeem(session, member.id, cash.id, Checkout(request_key="c"), now=utcnow())
    session.commit()
    post(client, csrf, "/counter/lookup", query="13700001111")
    post(client, csrf, "/counter/pickup", pickup_code=order.pickup_code)
    post(client, csrf, "/counter/pickup", pickup_code=order.pickup_code)
    post(client, csrf, "/counter/pickup", pickup_code=owing.pickup_code)
    log = _log(client.get("/counter/").get_data(as_text=True))
    for word in ("no member found", "already handed over", "cash not collected yet", "done"):
        assert word in log, word
    shown = re.sub(r"<[^>]+>", " ", log)  # what the advisor reads, attributes left out
    for code in ("not_found", "pickup_done", "cash_due"):
        assert code not in shown, code


def test_each_pending_pickup_has_its_own_hand_over_button(advisor_client, session):  # noqa: F811
    client, csrf, member = advisor_client
    first, second = factories.gift(session, name="Serum"), factories.gift(session, name="Mask")
    orders = [
        redemption.redeem(session, member.id, g.id, Checkout(request_key=g.name), now=utcnow())
        for g in (first, second)
    ]
    session.commit()
    html = post(client, csrf, "/counter/lookup", query="13700009999").get_data(as_text=True)
    rows = re.findall(r'data-testid="member-pickup">(.*?)</li>', html, re.S)
    assert len(rows) == 2
    for order, row in zip(orders, rows, strict=True):
        assert f'name="pickup_code" value="{order.pickup_code}"' in row
        assert ">Hand over<" in row
    done = post(client, csrf, "/counter/pickup", pickup_code=orders[1].pickup_code)
    assert "Handed over: Mask × 1." in done.get_data(as_text=True)
    statuses = session.scalars(select(Order.status).order_by(Order.id).execution_options(
        populate_existing=True))  # fmt: skip
    assert list(statuses) == ["to_pickup", "completed"]
    left = re.findall(r'data-testid="member-pickup">', done.get_data(as_text=True))
    assert len(left) == 1


def test_a_number_not_found_stays_in_the_field(advisor_client, session):  # noqa: F811
    client, csrf, _ = advisor_client
    miss = post(client, csrf, "/counter/lookup", query="13700001234")
    html = miss.get_data(as_text=True)
    assert miss.status_code == 200 and 'data-testid="form-error"' in html
    field = re.search(r'<input[^>]*id="query"[^>]*>', html).group(0)
    assert 'value="13700001234"' in field and "autofocus" in field
    again = client.get("/counter/").get_data(as_text=True)  # a fresh screen starts empty
    assert 'value=""' in re.search(r'<input[^>]*id="query"[^>]*>', again).group(0)
    assert session.scalars(select(StaffAction.result)).all() == ["not_found"]


def test_the_members_appointment_is_listed_once(advisor_client, session):  # noqa: F811
    client, csrf, member = advisor_client
    slot = factories.slot(session, utcnow(), hours=2)
    order = redemption.redeem(
        session, member.id, slot.gift_id, Checkout(request_key="svc"), now=utcnow()
    )
    bookings.book(session, member.id, order.id, slot.id, now=utcnow())
    session.commit()
    html = post(client, csrf, "/counter/lookup", query="13700009999").get_data(as_text=True)
    main = html.split("<main")[1]
    assert main.count("Facial") == 1  # once, in the store's list, marked as this member's
    row = re.search(r'<li class="appointment is-this-member"[^>]*>(.*?)</li>', html, re.S)
    assert row and "This member" in row.group(1) and "/check_in" in row.group(1)


def test_the_counter_names_its_store_in_the_advisors_language(advisor_client, session):  # noqa: F811
    client, _, _ = advisor_client
    store = factories.store(session)
    store.names = {"en": "Plaza 66 counter, Shanghai", "zh_Hant": "上海恆隆廣場專櫃"}
    session.commit()
    assert "Plaza 66 counter, Shanghai" in client.get("/counter/").get_data(as_text=True)
    client.set_cookie("lang", "zh_Hant")
    assert "上海恆隆廣場專櫃" in client.get("/counter/").get_data(as_text=True)


def test_the_consoles_staff_log_reads_in_words_too(advisor_client, session, app):  # noqa: F811
    client, csrf, _ = advisor_client
    post(client, csrf, "/counter/lookup", query="13700001111")
    factories.staff(session, "operator", "admin")
    session.commit()
    console = app.test_client()
    console.set_cookie("lang", "en")
    token = re.search(r'name="csrf-token" content="([^"]+)"', console.get("/login").text).group(1)
    console.post(
        "/login", data={"identifier": "admin", "password": "secret123", "csrf_token": token}
    )
    page = console.get("/admin/audit?log=counter").get_data(as_text=True)
    assert "Look-up" in page and "no member found" in page
