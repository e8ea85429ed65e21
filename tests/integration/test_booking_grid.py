"""The booking page picks the store, then the day, then the time from a grid (issue 12 §1)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Booking
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from app.timeutil import local_date, local_midnight, utcnow
from tests import factories

HX = {"HX-Request": "true"}


@pytest.fixture
def facial(client, login_as, member_user, session):
    """A member (in English) who redeemed a facial with times at two stores; yields
    (client, csrf, order, slots) with two slots at SH001 tomorrow at 10:00 and 11:00 (Beijing time,
    so both fall on the same local day whatever the hour the suite runs) and BJ001 a day later."""
    factories.store(session, "SH001")
    factories.store(session, "BJ001")
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    gift = factories.gift(session, kind="service", name="Facial", points_price=300)
    now = utcnow()
    today = local_midnight(local_date(now))
    slots = {
        "sh": factories.slot(session, today, gift_item=gift, hours=34),
        "sh_full": factories.slot(session, today, gift_item=gift, hours=35, capacity=1),
        "bj": factories.slot(session, today, gift_item=gift, store_code="BJ001", hours=58),
    }
    slots["sh_full"].booked = 1
    order = redemption.redeem(session, member_user.id, gift.id, Checkout(request_key="f"), now=now)
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), order, slots


def _bookings(session) -> int:
    return session.scalar(select(func.count(Booking.id)))


def test_the_page_shows_stores_days_and_a_grid_of_the_first_store(facial):
    client, _, order, slots = facial
    html = client.get(f"/orders/{order.id}/book").get_data(as_text=True)
    assert "<html" in html and 'data-testid="back-link"' in html
    assert f"?store={slots['sh'].store_id}" in html and f"?store={slots['bj'].store_id}" in html
    grid = html.split('data-testid="time-grid"')[1]
    assert f'value="{slots["sh"].id}"' in grid and f'value="{slots["bj"].id}"' not in grid
    full = grid.split(f'value="{slots["sh_full"].id}"')[1].split("</label>")[0]
    assert "disabled" in full and "Full" in full
    tomorrow = local_date(slots["sh"].starts_at)
    assert f'data-day="{tomorrow.isoformat()}"' in html


def test_store_and_day_parameters_rerender_the_page_and_the_fragment(facial):
    client, _, order, slots = facial
    bj, day = slots["bj"], local_date(slots["bj"].starts_at).isoformat()
    url = f"/orders/{order.id}/book?store={bj.store_id}&day={day}"
    page = client.get(url).get_data(as_text=True)
    grid = page.split('data-testid="time-grid"')[1]
    assert f'value="{bj.id}"' in grid and f'value="{slots["sh"].id}"' not in grid
    fragment = client.get(url, headers=HX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="picker"' in body and f'value="{bj.id}"' in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_unknown_parameters_fall_back_to_the_first_store_and_day(facial):
    client, _, order, slots = facial
    for query in ("store=999999&day=2001-01-01", "store=x&day=tomorrow", "store=99999999999999"):
        response = client.get(f"/orders/{order.id}/book?{query}")
        assert response.status_code == 200
        assert f'value="{slots["sh"].id}"' in response.get_data(as_text=True)


def test_booking_from_the_grid(facial, session):
    client, csrf, order, slots = facial
    sh = slots["sh"]
    data = {"csrf_token": csrf, "slot_id": sh.id, "store": sh.store_id}
    response = client.post(f"/orders/{order.id}/book", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/orders/{order.id}"
    )
    assert _bookings(session) == 1


@pytest.mark.parametrize("which", ["other_store", "full", "past", "unknown"])
def test_bad_slots_are_refused_with_a_form_error_and_nothing_written(facial, session, which):
    client, csrf, order, slots = facial
    sh, bj = slots["sh"], slots["bj"]
    if which == "past":
        sh.starts_at, sh.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        session.commit()
    slot_id, store = {
        "other_store": (bj.id, sh.store_id),
        "full": (slots["sh_full"].id, sh.store_id),
        "past": (sh.id, sh.store_id),
        "unknown": (999_999, sh.store_id),
    }[which]
    day = local_date(utcnow()).isoformat()
    data = {"csrf_token": csrf, "slot_id": slot_id, "store": store, "day": day}
    response = client.post(f"/orders/{order.id}/book", data=data)
    assert response.status_code == 303
    assert f"store={store}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="form-error"' in page
    assert _bookings(session) == 0
