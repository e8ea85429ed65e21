"""Flash redemptions under a burst, with real threads on PostgreSQL: no oversell, limits hold."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FlashEvent, Order
from app.services import ledger, redemption
from app.services.audit import audit
from app.services.errors import RedeemError
from tests import factories

pytestmark = pytest.mark.postgres


def _attempts(app, member_ids, event_id, now):
    """Fire one redemption per member id at once; returns the outcomes."""
    barrier = threading.Barrier(min(len(member_ids), 50))

    def attempt(member_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
            try:
                redemption.redeem_flash(db.session, member_id, event_id, now=now)
                db.session.commit()
                return "ok"
            except RedeemError as exc:
                db.session.rollback()
                return exc.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=50) as pool:
        return list(pool.map(attempt, member_ids))


def test_200_attempts_on_20_stock_make_exactly_20_orders(app, session, make_member, now):
    factories.store(session)
    event = factories.flash(session, now, stock=20, price=100)
    members = [make_member() for _ in range(200)]
    for m in members:
        ledger.credit(session, m.id, "purchase", 500, f"seed{m.id}", now=now)
    session.commit()
    outcomes = _attempts(app, [m.id for m in members], event.id, now)
    assert outcomes.count("ok") == 20
    assert set(outcomes) == {"ok", "sold_out"}
    session.expire_all()
    assert session.get(FlashEvent, event.id).stock == 0
    assert (
        session.scalar(select(func.count(Order.id)).where(Order.flash_event_id == event.id)) == 20
    )
    assert audit(session) == []


def test_one_member_firing_5_requests_at_limit_1_gets_exactly_1(app, session, make_member, now):
    factories.store(session)
    event = factories.flash(session, now, stock=20, price=100, limit=1)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 1_000, "seed", now=now)
    session.commit()
    outcomes = _attempts(app, [member.id] * 5, event.id, now)
    assert sorted(outcomes) == ["limit", "limit", "limit", "limit", "ok"]
    assert ledger.balance(session, member.id, now) == 900
    session.expire_all()
    assert session.get(FlashEvent, event.id).stock == 19
