"""Counter races on PostgreSQL with real threads: one hand-over per pickup, no overbooked slot."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Booking, Order, ServiceSlot, User
from app.services.counter import counter
from app.services.mall import bookings, redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.postgres


def test_two_advisors_verifying_the_same_pickup_one_succeeds(app, session, make_member, now):
    a, b = factories.advisor(session), factories.advisor(session, staff_id="A0002")
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    gift = factories.gift(session)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="k"), now=now)
    session.commit()
    code, ids = order.pickup_code, (a.id, b.id)

    def verify(staff_id):
        return lambda: counter.hand_over(
            db.session, db.session.get(User, staff_id), code, cash_collected=False, now=now
        )

    outcomes = race(app, [verify(i) for i in ids])
    assert sorted(outcomes) == ["ok", "pickup_done"]
    session.expire_all()
    assert session.get(Order, order.id).status == "completed"


def test_ten_members_booking_a_slot_of_capacity_two(app, session, make_member, now):
    slot = factories.slot(session, now, capacity=2)
    orders = []
    for n in range(10):
        member = make_member()
        ledger.credit(session, member.id, "purchase", 1_000, f"s{n}", now=now)
        orders.append(
            redemption.redeem(
                session, member.id, slot.gift_id, Checkout(request_key=f"k{n}"), now=now
            )
        )
    session.commit()
    pairs, slot_id = [(o.member_id, o.id) for o in orders], slot.id

    def book(member_id, order_id):
        return lambda: bookings.book(db.session, member_id, order_id, slot_id, now=now)

    outcomes = race(app, [book(m, o) for m, o in pairs])
    assert outcomes.count("ok") == 2 and outcomes.count("slot_full") == 8
    session.expire_all()
    assert session.get(ServiceSlot, slot_id).booked == 2
    assert session.scalar(select(func.count(Booking.id))) == 2
