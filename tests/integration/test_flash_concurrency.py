"""Flash redemptions under a burst, with real threads on PostgreSQL: no oversell, limits hold."""

from functools import partial

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FlashEvent, Order
from app.services.mall import redemption
from app.services.points import balances, ledger
from app.services.points.audit import audit
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.postgres


def _attempts(app, member_ids, event_id, now):
    """One redemption per member id, all at once."""
    return race(
        app,
        [partial(redemption.redeem_flash, db.session, m, event_id, now=now) for m in member_ids],
    )


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
    assert balances.balance(session, member.id, now) == 900
    session.expire_all()
    assert session.get(FlashEvent, event.id).stock == 19
