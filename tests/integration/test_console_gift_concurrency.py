"""The gift console under real concurrency (PostgreSQL): stock never below 0, one pool import."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Gift, GiftCode, StockMovement, User
from app.services.console import codes, stock
from app.services.console.gift_errors import GiftError
from app.services.mall.errors import RedeemError
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.postgres


def as_race_error(call):
    """A job for `race`: a GiftError is reported by its code, like a RedeemError."""

    def job():
        try:
            call(db.session.get(User, 1))
        except GiftError as exc:
            raise RedeemError(exc.code) from exc

    return job


def test_ten_write_offs_of_one_on_five_in_stock_leave_exactly_zero(app, session, now):
    factories.staff(session, "operator", "admin")
    gift_id = factories.gift(session, stock=5).id  # threads must not touch this session's objects
    session.commit()
    jobs = [
        as_race_error(lambda actor: stock.move(session_(), actor, gift_id, -1, "count", now=now))
        for _ in range(10)
    ]
    outcomes = race(app, jobs)
    assert sorted(outcomes) == ["ok"] * 5 + ["stock_below_zero"] * 5
    session.expire_all()
    assert session.get(Gift, gift_id).stock == 0
    afters = session.scalars(select(StockMovement.stock_after)).all()
    assert sorted(afters) == [0, 1, 2, 3, 4]


def session_():
    """The session of the thread running the job."""
    return db.session


def test_two_imports_of_overlapping_files_one_wins_whole(app, session, now):
    factories.staff(session, "operator", "admin")
    coupon_id = factories.gift(session, kind="coupon", stock=0).id
    session.commit()
    files = [b"A1\nA2\nA3\n", b"A3\nA4\nA5\n"]
    jobs = [
        as_race_error(
            lambda actor, data=data: codes.import_codes(session_(), actor, coupon_id, data, now=now)
        )
        for data in files
    ]
    outcomes = race(app, jobs)
    assert sorted(outcomes) == ["codes_exist", "ok"]
    session.expire_all()
    assert session.scalar(select(func.count(GiftCode.id))) == 3
    assert session.get(Gift, coupon_id).stock == 3
