"""PostgreSQL: a read-only request reads without a transaction; a write there is refused."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, func, select, text

from app.engine import WriteInReadOnlyRequest, read_only
from app.extensions import db
from app.models import Store
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's autocommit reads")


@pytest.fixture
def statuses():
    """The server transaction status each statement of the test was sent in."""
    seen = []

    def record(conn, _cursor, statement, *_args):
        status = conn.connection.driver_connection.info.transaction_status
        seen.append((statement.split()[0], status))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_a_member_page_reads_outside_a_transaction_and_a_post_inside_one(
    client, login_as, member_user, statuses
):
    csrf = login_as("13700009999")
    db.session.commit()
    statuses.clear()
    assert client.get("/").status_code == 200
    assert statuses and all(s == TransactionStatus.IDLE for _, s in statuses)  # no BEGIN
    statuses.clear()
    assert client.post("/me/signin", data={"csrf_token": csrf}).status_code in (200, 303)
    assert any(s == TransactionStatus.INTRANS for _, s in statuses)


def test_a_write_on_a_read_only_connection_is_refused_and_writes_nothing(session):
    session.commit()
    with read_only():
        session.add(Store(code="RO1", name="Read only"))
        with pytest.raises(WriteInReadOnlyRequest):
            session.flush()
        session.rollback()
    assert session.scalar(select(func.count()).where(Store.code == "RO1")) == 0


def test_prepared_statements_survive_read_only_requests(client, login_as, member_user):
    login_as("13700009999")
    db.session.commit()
    for _ in range(8):  # psycopg prepares a statement from its sixth execution
        client.get("/healthz")
    with read_only():
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    db.session.commit()
    assert prepared >= 1  # a ROLLBACK would have discarded them
