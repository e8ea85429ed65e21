"""Points as cash capped by what the member can afford, the cancel confirmation, the payment
page as members read it."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.models import Order
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}
BRAND = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cash_shop(client, login_as, member_user, session):
    """A member (in English) with 1,000 points and a 100 points + ¥100 gift (cap: ¥50)."""
    factories.store(session)
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    gift = factories.gift(session, name="Cream", points_price=100, cash_fen=10_000)
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), gift


def test_the_control_is_capped_by_the_points_left_after_the_gift(cash_shop, session, member_user):
    client, _, gift = cash_shop
    ledger.debit(session, member_user.id, 300, "spent", now=utcnow())
    session.commit()  # 700 left: (700 − 100) ÷ 20 = ¥30, under the gift's ¥50 cap
    html = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert 'max="30"' in html and "You can use up to ¥30 of points." in html


def test_the_split_is_shown_line_by_line(cash_shop):
    client, _, gift = cash_shop
    html = client.get(f"/gifts/{gift.id}/breakdown?qty=1&yuan_by_points=30", headers=HX)
    split = html.get_data(as_text=True).split('data-testid="cash-split"')[1].split("</dl>")[0]
    lines = [
        ("Gift points", "100"),
        ("Points paying ¥30", "600"),
        ("Cash left to pay", "¥70.00"),
        ("Total points", "700"),
        ("Balance after", "300"),
    ]
    for label, value in lines:
        assert f'<dt>{label}</dt><dd class="num">{value}</dd>' in split, label
    bar = html.get_data(as_text=True).split('data-testid="gift-bar"')[1]
    assert "<strong>700</strong>" in bar and "<strong>¥70.00</strong>" in bar  # the live total


def test_the_live_preview_warns_above_what_the_member_can_afford(cash_shop):
    client, _, gift = cash_shop
    html = client.get(f"/gifts/{gift.id}/breakdown?qty=1&yuan_by_points=46", headers=HX)
    text = html.get_data(as_text=True)
    assert "You can use at most ¥45 of points." in text and 'role="alert"' in text


def test_an_over_cap_amount_is_refused_with_the_maximum_and_nothing_written(
    cash_shop, session, member_user
):
    client, csrf, gift = cash_shop
    response = client.post(
        f"/gifts/{gift.id}/redeem",
        data={
            "csrf_token": csrf,
            "qty": 1,
            "delivery": "pickup",
            "yuan_by_points": 46,  # under the gift's ¥50 cap, over the ¥45 the points afford
            "expected_rate": 20,
            "request_key": "over",
        },
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in html
    assert "You can use at most ¥45 of points." in html
    assert 'value="46"' in html  # what the member typed stays: never silently rewritten
    assert session.scalar(select(func.count(Order.id))) == 0
    assert balances.balance(session, member_user.id, utcnow()) == 1_000


def _order(session, member_user, gift, **choice) -> Order:
    order = redemption.redeem(
        session, member_user.id, gift.id, Checkout(request_key="o", **choice), now=utcnow()
    )
    session.commit()
    return order


def test_cancelling_asks_first_and_says_how_many_points_return(cash_shop, session, member_user):
    client, csrf, _ = cash_shop
    gift = factories.gift(session, name="Serum", points_price=300)
    order = _order(session, member_user, gift)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    confirm = html.split('<details class="confirm-cancel"')[1].split("</details>")[0]
    assert "<summary" in confirm and "Cancel this order?" in confirm
    assert "300 points return to your balance." in confirm
    assert f'action="/orders/{order.id}/cancel"' in confirm  # the form waits in the disclosure
    assert 'class="back-link" href="/orders"' in html
    client.post(f"/orders/{order.id}/cancel", data={"csrf_token": csrf})
    assert balances.balance(session, member_user.id, utcnow()) == 1_000


def _unpaid(session, member_user, gift) -> Order:
    from app.services.mall import addresses

    address = addresses.add(session, member_user.id, recipient="Lin", phone="13800000000",
                            region="Shanghai", detail="1 Rd")  # fmt: skip
    return _order(session, member_user, gift, delivery="ship", address_id=address.id)


def test_the_payment_page_speaks_to_members(cash_shop, session, member_user):
    client, _, gift = cash_shop
    order = _unpaid(session, member_user, gift)
    assert order.status == "pending_payment"
    html = client.get(f"/orders/{order.id}/pay").get_data(as_text=True)
    for developer_words in ("test payment", "built-in", "No real money", "Sandbox"):
        assert developer_words not in html
    assert "Secure payment with Yunlan Pay" in html and "¥100.00" in html
    deadline = order.pay_by.astimezone(BRAND)
    shown = html.split('data-testid="pay-deadline"')[1].split("</p>")[0]
    assert f"{deadline:%-I:%M}" in shown and "cancelled" in shown
    assert f'class="back-link" href="/orders/{order.id}"' in html
    confirm = html.split('<details class="confirm-cancel"')[1].split("</details>")[0]
    assert "100 points return to your balance." in confirm  # its cancel asks first too


def test_the_payment_provider_is_named_by_configuration(app, cash_shop, session, member_user):
    client, _, gift = cash_shop
    order = _unpaid(session, member_user, gift)
    app.config["PAYMENT_PROVIDER_NAME"] = "Alipay"
    html = client.get(f"/orders/{order.id}/pay").get_data(as_text=True)
    assert "Secure payment with Alipay" in html and "Yunlan Pay" not in html
