"""The flash console's services called directly: rules of the window, cancel, the monitor."""

from datetime import timedelta

import pytest

from app.models import FlashEvent, Order
from app.services.console import flash_monitor
from app.services.console.flash import (
    FlashDraft,
    FlashError,
    cancel,
    create,
    end_earlier,
    update,
)
from app.services.mall import redemption, storefront
from app.services.points import ledger
from tests import factories


@pytest.fixture
def actor(session):
    """The operator making the changes."""
    return factories.staff(session, "operator", "admin")


def draft(gift, now, **changes) -> FlashDraft:
    """A valid draft: starts in an hour, lasts two."""
    values = dict(
        gift_id=gift.id, title="Flash", points=300, cash_fen=0, stock=10, per_member_limit=1,
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3),
    )  # fmt: skip
    values.update(changes)
    return FlashDraft(**values)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, "title"),
        ({"points": 0}, "points"),
        ({"cash_fen": -1}, "cash"),
        ({"stock": 0}, "stock"),
        ({"per_member_limit": 0}, "limit"),
        ({"gift_id": 0}, "gift"),
        ({"starts_at": "past"}, "past_start"),
        ({"ends_at": "start"}, "window"),
    ],
)
def test_a_draft_that_cannot_run_is_refused(session, actor, now, changes, code):
    gift = factories.gift(session)
    if changes.get("starts_at") == "past":
        changes["starts_at"] = now - timedelta(minutes=1, seconds=1)
    if changes.get("ends_at") == "start":
        changes["ends_at"] = now + timedelta(hours=1)
    with pytest.raises(FlashError) as refused:
        create(session, actor, draft(gift, now, **changes), now=now)
    assert refused.value.code == code


def test_the_current_minute_counts_as_now(session, actor, now):
    gift, moment = factories.gift(session), now + timedelta(seconds=59)  # 10:00:59
    event = create(session, actor, draft(gift, moment, starts_at=now), now=moment)
    assert storefront.flash_phase(event, moment) == "live"
    with pytest.raises(FlashError):  # 09:59 is the minute before
        create(
            session, actor, draft(gift, moment, starts_at=now - timedelta(seconds=1)), now=moment
        )


def test_the_member_board_shows_a_new_event_at_its_time(session, actor, now, make_member):
    gift = factories.gift(session)
    event = create(session, actor, draft(gift, now), now=now)
    member = make_member()
    board = storefront.flash_board(session, member, now)
    assert [(c.event.id, c.phase) for c in board] == [(event.id, "upcoming")]
    live = storefront.flash_board(session, member, now + timedelta(hours=1))
    assert [(c.event.id, c.phase) for c in live] == [(event.id, "live")]
    assert storefront.flash_board(session, member, now + timedelta(days=3)) == []


def test_overlap_is_refused_but_a_cancelled_event_frees_its_window(session, actor, now):
    gift = factories.gift(session)
    first = create(session, actor, draft(gift, now), now=now)
    with pytest.raises(FlashError) as refused:
        create(session, actor, draft(gift, now, starts_at=now + timedelta(hours=2)), now=now)
    assert refused.value.code == "overlap" and refused.value.detail["title"] == "Flash"
    other = factories.gift(session, name="Other")
    create(session, actor, draft(other, now), now=now)  # another gift at the same time is fine
    cancel(session, actor, first.id, now=now)
    create(session, actor, draft(gift, now), now=now)


def test_wallet_gifts_need_a_code_per_unit(session, actor, now):
    coupon = factories.gift(session, kind="coupon", stock=3)
    with pytest.raises(FlashError) as refused:
        create(session, actor, draft(coupon, now, stock=4), now=now)
    assert refused.value.detail == {"free": 3}
    create(session, actor, draft(coupon, now, stock=3), now=now)


def test_editing_stops_at_the_start(session, actor, now):
    gift = factories.gift(session)
    event = create(session, actor, draft(gift, now), now=now)
    update(session, actor, event.id, draft(gift, now, stock=12, points=250), now=now)
    assert (event.stock, event.initial_stock, event.points_price) == (12, 12, 250)
    later = now + timedelta(hours=1)
    with pytest.raises(FlashError) as refused:
        update(session, actor, event.id, draft(gift, later, stock=1), now=later)
    assert refused.value.code == "started"


def test_the_end_moves_only_earlier_and_never_into_the_past(session, actor, now):
    event = factories.flash(session, now, starts=-1, hours=3)
    with pytest.raises(FlashError) as refused:
        end_earlier(session, actor, event.id, event.ends_at + timedelta(hours=1), now=now)
    assert refused.value.code == "not_earlier"
    end_earlier(session, actor, event.id, now - timedelta(hours=5), now=now)
    assert event.ends_at == now
    upcoming = factories.flash(session, now, starts=2)
    with pytest.raises(FlashError) as early:
        end_earlier(session, actor, upcoming.id, now + timedelta(hours=2, minutes=30), now=now)
    assert early.value.code == "not_started"


def test_a_cancelled_upcoming_event_never_opens(session, actor, now, make_member):
    factories.store(session)
    event = factories.flash(session, now, starts=1)
    cancel(session, actor, event.id, now=now, reason="typo")
    assert event.ends_at > event.starts_at  # the window is kept, the cancellation decides
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    opening = now + timedelta(hours=1, minutes=5)
    with pytest.raises(redemption.NotInWindow):
        redemption.redeem_flash(session, member.id, event.id, now=opening)
    assert storefront.flash_board(session, member, opening) == []
    with pytest.raises(FlashError) as again:
        cancel(session, actor, event.id, now=now)
    assert again.value.code == "cancelled"


def test_an_ended_event_cannot_be_cancelled(session, actor, now):
    event = factories.flash(session, now, starts=-3, hours=1)
    with pytest.raises(FlashError) as refused:
        cancel(session, actor, event.id, now=now)
    assert refused.value.code == "ended"


def _order_at(session, event, member, at, n):
    session.add(
        Order(
            order_no=f"R{n:010d}", request_key=f"k{n}", member_id=member.id, gift_id=event.gift_id,
            flash_event_id=event.id, qty=1, points=1, delivery="pickup", status="to_pickup",
            created_at=at,
        )
    )  # fmt: skip


def test_redemptions_per_minute_cover_the_last_ten_minutes(session, now, make_member):
    event, moment = factories.flash(session, now, starts=-1), now + timedelta(seconds=30)
    member = make_member()
    for n, seconds_ago in enumerate([5, 20, 61, 9 * 60 + 1, 11 * 60]):
        _order_at(session, event, member, moment - timedelta(seconds=seconds_ago), n)
    session.flush()
    minutes = flash_monitor.per_minute(session, event, moment)  # 09:51 … 10:00 (this minute)
    assert [m.count for m in minutes] == [1, 0, 0, 0, 0, 0, 0, 0, 1, 2]  # 11 minutes ago: out
    assert minutes[-1].label == "10:00" and minutes[-1].height == 96 and minutes[-2].height == 48
    assert minutes[1].height == 0 and minutes[1].x == 58 and minutes[0].label == "09:51"


def test_refusals_are_tallied_across_counter_windows(session, now):
    event: FlashEvent = factories.flash(session, now, starts=-1, hours=24 * 45)  # 45 days
    flash_monitor.count_refusal(session, event.id, "sold_out", now)
    flash_monitor.count_refusal(session, event.id, "sold_out", now + timedelta(days=40))
    flash_monitor.count_refusal(session, event.id, "bad_request", now)  # not a flash reason
    found = flash_monitor.refusals(session, event, now + timedelta(days=41))
    assert found["sold_out"] == 2 and found["other"] == 1 and found["limit"] == 0
    assert flash_monitor.refusals(session, event, now)["sold_out"] == 1  # not yet the later one
