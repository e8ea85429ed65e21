"""Real threads on PostgreSQL: two runs of the reminder jobs at once make and send each once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Notification, OutboxMessage, SmsMessage
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.notify import events, outbox, reminders
from app.services.points import ledger
from app.timeutil import local_midnight
from tests import factories
from tests.integration import test_concurrency
from tests.integration.test_concurrency import race

pytestmark = pytest.mark.postgres
pool_app = test_concurrency.pool_app  # the fixture: an app with a connection per thread

MEMBERS = 30
NOW = local_midnight(date(2026, 12, 1)) + timedelta(hours=10)  # by day: texts go at once


def drain(session, batches) -> int:
    """Run a job's batches as the scheduler does: a commit after each."""
    total = 0
    for rows in batches:
        session.commit()
        total += rows or 0
    return total


def count(session, model) -> int:
    """Rows of a table, as committed."""
    session.commit()
    return session.scalar(select(func.count()).select_from(model))


def test_two_job_runs_at_once_make_and_send_each_reminder_once(session, pool_app, make_member):
    gift, store = factories.gift(session, stock=MEMBERS), factories.store(session)
    for i in range(MEMBERS):
        member = make_member()
        earned = local_midnight(date(2025, 6, 1))  # usable through Dec 31, 2026
        ledger.credit(session, member.id, "purchase", 500, f"p{i}", now=earned)
        choice = Checkout(store_id=store.id, request_key=f"k{i}")
        redemption.redeem(session, member.id, gift.id, choice, now=NOW - timedelta(hours=1))
    session.commit()

    def jobs(job_session, _i):
        made = drain(job_session, reminders.run(job_session, NOW, NOW))
        made += drain(job_session, events.run(job_session, NOW, NOW))
        return made

    made = race(pool_app, 2, jobs)
    assert sum(made) == 2 * MEMBERS  # one expiring and one pickup reminder each, in all
    assert count(session, Notification) == 2 * MEMBERS
    assert count(session, OutboxMessage) == 2 * MEMBERS
    sent = race(pool_app, 2, lambda s, _i: drain(s, outbox.deliver(s, NOW)))
    assert sum(sent) == 2 * MEMBERS  # each message claimed by one sender
    assert count(session, SmsMessage) == 2 * MEMBERS
    texts = session.scalars(select(SmsMessage.to)).all()
    assert len(set(texts)) == MEMBERS and len(texts) == 2 * MEMBERS
    again = race(pool_app, 2, jobs)
    assert again == [0, 0]
