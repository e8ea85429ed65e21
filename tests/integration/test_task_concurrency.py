"""Real threads on PostgreSQL: a task pays once however many taps arrive at the same moment."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import Member, PointTransaction, TaskCompletion
from app.services.points import balances, tasks
from app.services.points.audit import audit
from app.services.tasks import shares
from tests import factories
from tests.integration.test_concurrency import pool_app, race  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres

THREADS = 10


def earned(session, member_id: int) -> list:
    return session.scalars(
        select(PointTransaction.points).where(
            PointTransaction.member_id == member_id, PointTransaction.kind == "earn"
        )
    ).all()


def test_parallel_shares_of_one_gift_pay_once(session, pool_app, make_member, now):  # noqa: F811
    member, gift = make_member(), factories.gift(session)
    member_id, gift_id = member.id, gift.id
    session.commit()
    results = race(
        pool_app, THREADS,
        lambda s, _i: shares.share(s, s.get(Member, member_id), gift_id, now=now).already,
    )  # fmt: skip
    assert sorted(results) == [False] + [True] * (THREADS - 1)
    assert earned(session, member_id) == [5]
    assert session.scalar(select(func.count(TaskCompletion.id))) == 1
    assert audit(session) == []


def test_parallel_birthday_grants_pay_once(session, pool_app, make_member, now):  # noqa: F811
    member_id = make_member(birthday=date(1990, 6, 9)).id
    session.commit()
    results = race(pool_app, THREADS, lambda s, _i: tasks.birthday(s, member_id, now=now).points)
    assert sorted(results) == [100] * THREADS  # the first grants, the others see it granted
    assert earned(session, member_id) == [100]
    assert balances.balance(session, member_id, now) == 100
