"""Flash events in the console: create, edit until the start, cancel, the live monitor."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, FlashCancellation, FlashEvent, Order
from app.services.console import flash_monitor
from app.services.mall import storefront
from app.services.points import ledger
from app.timeutil import brand_tz, utcnow
from tests import factories
from tests.integration.test_query_budgets import counting


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English pages (zh_Hans is the default)."""
    client.set_cookie("lang", "en")


HX = {"HX-Request": "true"}


def local(moment) -> str:
    """A UTC instant as the brand-local `YYYY-MM-DDTHH:MM` a form field takes."""
    return moment.astimezone(brand_tz()).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def gift(session):
    """A physical gift a flash event can be made of."""
    item = factories.gift(session, name="Lipstick", points_price=900, stock=30)
    session.commit()
    return item


def form(gift, csrf, **changes) -> dict:
    """A valid flash form starting in an hour, for two hours."""
    now = utcnow()
    data = {
        "csrf_token": csrf,
        "gift_id": str(gift.id),
        "title": "唇膏 限时兑",
        "points": "500",
        "cash": "29.90",
        "stock": "20",
        "per_member_limit": "2",
        "starts_at": local(now + timedelta(hours=1)),
        "ends_at": local(now + timedelta(hours=3)),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def counts(session) -> tuple[int, int]:
    """Flash events and audit rows, to show that a refused form wrote nothing."""
    session.expire_all()
    return (
        session.scalar(select(func.count(FlashEvent.id))),
        session.scalar(select(func.count(AuditEntry.id))),
    )


def test_creating_an_event_saves_it_as_typed_and_audits_it(client, session, operator, gift):
    data = form(gift, operator)
    response = client.post("/admin/flash/new", data=data)
    assert response.status_code == 303
    event = session.scalar(select(FlashEvent))
    assert response.headers["Location"].endswith(f"/admin/flash/{event.id}")
    assert (event.points_price, event.cash_fen, event.stock, event.initial_stock) == (
        500, 2990, 20, 20,
    )  # fmt: skip
    assert event.per_member_limit == 2 and local(event.starts_at) == data["starts_at"]
    assert event.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "flash.create"))
    assert entry.after["cash_fen"] == 2990 and entry.target_id == str(event.id)
    listing = client.get("/admin/flash?status=upcoming").get_data(as_text=True)
    assert f'data-event-id="{event.id}"' in listing and "唇膏 限时兑" in listing


def test_an_empty_start_means_now(client, session, operator, gift):
    response = client.post("/admin/flash/new", data=form(gift, operator, starts_at=""))
    assert response.status_code == 303
    event = session.scalar(select(FlashEvent))
    assert abs(event.starts_at - utcnow()) < timedelta(minutes=1)
    assert storefront.flash_phase(event, utcnow()) == "live"


def _bad_cases(session, gift):
    """(field changes, words of the message) that must be refused."""
    now = utcnow()
    treatment = factories.gift(session, kind="service", name="Facial")
    coupon = factories.gift(session, kind="coupon", name="Coupon", stock=3)
    session.commit()
    return [
        ({"gift_id": "0"}, "Choose the gift"),
        ({"gift_id": "99999"}, "Choose the gift"),
        ({"gift_id": "x"}, "Choose the gift"),
        ({"gift_id": str(treatment.id)}, "not treatments"),
        ({"gift_id": str(coupon.id), "stock": "4"}, "Only 3 codes"),
        ({"title": ""}, "title"),
        ({"title": "a\nb"}, "control characters"),
        ({"points": "0"}, "at least 1"),
        ({"points": "-5"}, "at least 1"),
        ({"points": "abc"}, "whole number"),
        ({"points": None}, "points price"),
        ({"cash": "-1"}, "amount like"),
        ({"cash": "1.234"}, "amount like"),
        ({"stock": "0"}, "stock is between"),
        ({"stock": None}, "stock"),
        ({"per_member_limit": "0"}, "1 to 99"),
        ({"ends_at": None}, "end time"),
        ({"ends_at": "tomorrow"}, "datetime"),
        ({"starts_at": local(now - timedelta(hours=2))}, "in the past"),
        ({"ends_at": local(now + timedelta(minutes=30))}, "after the start"),
    ]


def test_bad_input_is_refused_with_a_form_error_and_writes_nothing(client, session, operator, gift):
    for changes, words in _bad_cases(session, gift):
        before = counts(session)
        response = client.post("/admin/flash/new", data=form(gift, operator, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert 'data-testid="form-error"' in page and words in page, (changes, page[:3000])
        assert counts(session) == before, changes


def test_two_events_of_one_gift_may_not_overlap(client, session, operator, gift):
    assert client.post("/admin/flash/new", data=form(gift, operator)).status_code == 303
    before = counts(session)
    again = client.post("/admin/flash/new", data=form(gift, operator, title="second"))
    assert again.status_code == 422 and "already has a flash event" in again.get_data(as_text=True)
    assert counts(session) == before
    later = utcnow() + timedelta(hours=3)  # back to back is fine
    data = form(gift, operator, starts_at=local(later), ends_at=local(later + timedelta(hours=1)))
    assert client.post("/admin/flash/new", data=data).status_code == 303


def test_an_upcoming_event_can_be_edited(client, session, operator, gift):
    event = factories.flash(session, utcnow(), starts=2, stock=10)
    session.commit()
    page = client.get(f"/admin/flash/{event.id}").get_data(as_text=True)
    assert 'name="title"' in page and 'name="gift_id"' in page
    data = form(gift, operator, title="new title", stock="15")
    assert client.post(f"/admin/flash/{event.id}", data=data).status_code == 303
    session.expire_all()
    event = session.get(FlashEvent, event.id)
    assert (event.title, event.gift_id, event.stock, event.initial_stock) == (
        "new title", gift.id, 15, 15,
    )  # fmt: skip
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "flash.update"))
    assert entry.before["title"] == "Flash" and entry.after["title"] == "new title"
    bad = client.post(f"/admin/flash/{event.id}", data=form(gift, operator, stock="0"))
    assert bad.status_code == 422 and 'data-testid="form-error"' in bad.get_data(as_text=True)
    session.expire_all()
    assert session.get(FlashEvent, event.id).stock == 15


def test_after_the_start_only_the_end_can_be_brought_forward(client, session, operator, gift):
    now = utcnow()
    event = factories.flash(session, now, starts=-1, hours=3)  # live, ends in 2 hours
    session.commit()
    page = client.get(f"/admin/flash/{event.id}").get_data(as_text=True)
    assert 'name="title"' not in page and 'name="ends_at"' in page
    later = form(gift, operator, title="changed", ends_at=local(now + timedelta(hours=5)))
    refused = client.post(f"/admin/flash/{event.id}", data=later)
    assert refused.status_code == 422 and "earlier than the current end" in refused.get_data(
        as_text=True
    )
    sooner = {"csrf_token": operator, "ends_at": local(now + timedelta(hours=1)), "title": "x"}
    assert client.post(f"/admin/flash/{event.id}", data=sooner).status_code == 303
    session.expire_all()
    event = session.get(FlashEvent, event.id)
    assert local(event.ends_at) == sooner["ends_at"] and event.title == "Flash"
    past = {"csrf_token": operator, "ends_at": local(now - timedelta(hours=5))}
    assert client.post(f"/admin/flash/{event.id}", data=past).status_code == 303
    session.expire_all()
    event = session.get(FlashEvent, event.id)  # the end is now, never rewritten into the past
    assert event.ends_at > now and storefront.flash_phase(event, utcnow()) == "ended"


def test_cancelling_stops_redemptions_and_keeps_orders(client, session, operator, make_member, now):
    factories.store(session)
    event = factories.flash(session, utcnow(), stock=5, price=100)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=utcnow())
    from app.services.mall import redemption

    order = redemption.redeem_flash(session, member.id, event.id, now=utcnow())
    session.commit()
    data = {"csrf_token": operator, "reason": "supplier delay"}
    assert client.post(f"/admin/flash/{event.id}/cancel", data=data).status_code == 303
    session.expire_all()
    cancellation = session.get(FlashCancellation, event.id)
    assert cancellation.reason == "supplier delay"
    assert session.get(Order, order.id).status == "to_pickup"  # the member keeps it
    assert storefront.flash_board(session, None, utcnow()) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "flash.cancel"))
    assert entry.reason == "supplier delay" and entry.before == {"status": "live"}
    other = make_member()
    ledger.credit(session, other.id, "purchase", 1_000, "seed2", now=utcnow())
    with pytest.raises(redemption.NotInWindow):
        redemption.redeem_flash(session, other.id, event.id, now=utcnow())
    session.rollback()
    again = client.post(f"/admin/flash/{event.id}/cancel", data=data)
    assert again.status_code == 422 and "was cancelled" in again.get_data(as_text=True)
    listing = client.get("/admin/flash?status=cancelled").get_data(as_text=True)
    assert f'data-event-id="{event.id}"' in listing
    assert f'data-event-id="{event.id}"' not in client.get("/admin/flash?status=live").get_data(
        as_text=True
    )
    edit = client.post(f"/admin/flash/{event.id}", data={"csrf_token": operator, "ends_at": ""})
    assert edit.status_code == 422


def _member_client(app, session, phone, points):
    """A second signed-in member (its own client) with `points`; returns (client, csrf)."""
    from app.services.accounts import accounts
    from tests.conftest import FreshClient, csrf_from

    member = accounts.create_member(session, phone, "secret123", now=utcnow())
    if points:
        ledger.credit(session, member.id, "purchase", points, f"seed:{phone}", now=utcnow())
    session.commit()
    app.test_client_class = FreshClient
    other = app.test_client()
    other.set_cookie("lang", "en")
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"identifier": phone, "password": "secret123", "csrf_token": token})
    return other, csrf_from(other.get("/me").get_data(as_text=True))


def _refusals(session, event):
    session.expire_all()
    found = flash_monitor.refusals(session, session.get(FlashEvent, event.id), utcnow())
    return {k: v for k, v in found.items() if v}


def test_refusals_are_counted_by_reason(app, client, session, operator):
    factories.store(session)
    now = utcnow()
    limited = factories.flash(session, now, stock=5, price=200, limit=1)
    dear = factories.flash(session, now, stock=5, price=5_000)
    gone = factories.flash(session, now, stock=0)
    gated = factories.flash(session, now, tier_codes=["gold", "diamond"])
    early = factories.flash(session, now, starts=3)
    session.commit()
    member, csrf = _member_client(app, session, "13700000001", 300)
    for event, times in ((limited, 3), (dear, 1), (gone, 2), (gated, 1), (early, 1)):
        for _ in range(times):
            member.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert _refusals(session, limited) == {"limit": 2}  # the first one went through
    assert _refusals(session, dear) == {"points": 1}
    assert _refusals(session, gone) == {"sold_out": 2}
    assert _refusals(session, gated) == {"tier": 1}
    assert _refusals(session, early) == {"not_in_window": 1}
    page = client.get(f"/admin/flash/{gone.id}").get_data(as_text=True)
    row = page.split('data-reason="sold_out"')[1].split("</tr>")[0]
    assert ">2<" in row and 'data-testid="monitor-refused">2<' in page


@pytest.fixture
def held_tally(app, monkeypatch):
    """The production setting: a process writes its refusals at most once a second (a clock
    the test moves), without Redis."""
    app.config["FLASH_TALLY_SECONDS"] = 1.0
    clock = [1_000.0]
    monkeypatch.setattr(flash_monitor.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(flash_monitor, "_written_at", [clock[0]])
    flash_monitor._pending.clear()
    yield clock
    flash_monitor._pending.clear()


def test_a_burst_of_losers_writes_nothing_until_the_tally_is_due(app, session, held_tally):
    factories.store(session)
    gone = factories.flash(session, utcnow(), stock=0)
    session.commit()
    member, csrf = _member_client(app, session, "13700000003", 0)
    with counting() as sent:
        for _ in range(3):
            answer = member.post(f"/flash/{gone.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
            assert answer.status_code == 409
    assert not [s for s in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert _refusals(session, gone) == {} and flash_monitor.holds_refusals()
    held_tally[0] += 1.5  # a second and a half later, the next mall request writes them
    assert member.get(f"/flash/{gone.id}/stock").status_code in (200, 204, 286)
    assert _refusals(session, gone) == {"sold_out": 3} and not flash_monitor.holds_refusals()


def test_held_refusals_are_kept_when_their_write_fails(app, session, held_tally, monkeypatch):
    event = factories.flash(session, utcnow(), stock=0)
    session.commit()
    flash_monitor.count_refusal(session, event.id, "sold_out", utcnow())
    monkeypatch.setattr(flash_monitor, "_write", lambda *a: (_ for _ in ()).throw(OSError("down")))
    with pytest.raises(OSError):
        flash_monitor.write_pending(session, force=True)
    monkeypatch.undo()  # the clock too: write at once
    assert flash_monitor.write_pending(session, force=True)
    session.commit()
    assert _refusals(session, event) == {"sold_out": 1}


def test_a_failing_tally_never_fails_the_member(app, session, monkeypatch):
    factories.store(session)
    event = factories.flash(session, utcnow(), stock=0)
    session.commit()
    member, csrf = _member_client(app, session, "13700000002", 0)

    def broken(*args, **kwargs):
        raise RuntimeError("counter store down")

    monkeypatch.setattr(flash_monitor, "count_refusal", broken)
    response = member.post(f"/flash/{event.id}/redeem", headers={**HX, "X-CSRFToken": csrf})
    assert response.status_code == 409 and "Sold out" in response.get_data(as_text=True)


def test_the_monitor_fragment_polls_while_live_and_answers_286_once_over(
    app, client, session, operator
):
    factories.store(session)
    event = factories.flash(session, utcnow(), stock=3, price=100)
    session.commit()
    member, csrf = _member_client(app, session, "13700000003", 1_000)
    member.post(f"/flash/{event.id}/redeem", data={"csrf_token": csrf, "request_key": "k1"})
    fragment = client.get(f"/admin/flash/{event.id}/monitor", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert 'hx-trigger="every 2s"' in body and 'data-testid="monitor-stock">2<' in body
    assert 'data-testid="monitor-sold">1<' in body and 'data-testid="monitor-recent">1<' in body
    assert re.search(r'<rect x="\d+" y="\d+" width="44" height="96"', body)  # this minute's bar
    page = client.get(f"/admin/flash/{event.id}/monitor")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    event = session.get(FlashEvent, event.id)
    event.ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    over = client.get(f"/admin/flash/{event.id}/monitor", headers=HX)
    assert over.status_code == 286 and "hx-trigger" not in over.get_data(as_text=True)
    assert client.get(f"/admin/flash/{event.id}/monitor").status_code == 200  # a reload


def test_the_list_sorts_paginates_and_searches(client, session, operator):
    now = utcnow()
    for n in range(30):
        factories.flash(session, now, starts=n + 1, name=f"Gift {n:02d}")
    session.commit()
    first = client.get("/admin/flash?sort=starts&dir=asc").get_data(as_text=True)
    assert "Gift 00" in first and "Gift 29" not in first and "Page 1 of 2" in first
    assert "Gift 29" in client.get("/admin/flash?sort=starts&dir=asc&page=2").get_data(as_text=True)
    found = client.get("/admin/flash?q=Gift 07", headers=HX)
    body = found.get_data(as_text=True)
    assert "<html" not in body and "Gift 07" in body and "Gift 08" not in body
    assert client.get("/admin/flash?status=bogus&sort=bogus&page=x").status_code == 200


def test_finance_reads_and_cannot_write(client, session, login_as, gift):
    factories.staff(session, "finance", "F0001")
    event = factories.flash(session, utcnow(), starts=2)
    session.commit()
    csrf = login_as("F0001")
    assert client.get("/admin/flash").status_code == 200
    page = client.get(f"/admin/flash/{event.id}").get_data(as_text=True)
    assert 'name="title"' not in page and "Cancel this event" not in page
    before = counts(session)
    assert client.post("/admin/flash/new", data=form(gift, csrf)).status_code == 403
    assert (
        client.post(f"/admin/flash/{event.id}/cancel", data={"csrf_token": csrf}).status_code == 403
    )
    assert counts(session) == before
