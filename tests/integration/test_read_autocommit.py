"""A read-only request reads without a transaction (PostgreSQL in autocommit, SQLite with no
BEGIN); a write there is refused."""

import pytest
from sqlalchemy import event, func, select, text

from app.engine import WriteInReadOnlyRequest, read_only
from app.extensions import db
from app.models import Store
from tests.conftest import BACKEND


def _in_transaction(driver_connection) -> bool:
    if BACKEND == "postgresql":
        from psycopg.pq import TransactionStatus

        return driver_connection.info.transaction_status == TransactionStatus.INTRANS
    return driver_connection.in_transaction  # sqlite3: a BEGIN was sent and not yet ended


@pytest.fixture
def statuses():
    """Whether each statement of the test was sent inside a transaction."""
    seen = []

    def record(conn, _cursor, statement, *_args):
        seen.append((statement.split()[0], _in_transaction(conn.connection.driver_connection)))

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
    assert statuses and not any(inside for _, inside in statuses)  # no BEGIN
    assert "BEGIN" not in [word for word, _ in statuses]
    statuses.clear()
    assert client.post("/me/signin", data={"csrf_token": csrf}).status_code in (200, 303)
    assert any(inside for _, inside in statuses)


def test_a_write_on_a_read_only_connection_is_refused_and_writes_nothing(session):
    session.commit()
    with read_only():
        session.add(Store(code="RO1", name="Read only"))
        with pytest.raises(WriteInReadOnlyRequest):
            session.flush()
        session.rollback()
    assert session.scalar(select(func.count()).where(Store.code == "RO1")) == 0


@pytest.mark.skipif(BACKEND != "postgresql", reason="psycopg's prepared statements")
def test_prepared_statements_survive_read_only_requests(client, login_as, member_user):
    login_as("13700009999")
    db.session.commit()
    for _ in range(8):  # psycopg prepares a statement from its sixth execution
        client.get("/healthz")
    with read_only():
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    db.session.commit()
    assert prepared >= 1  # a ROLLBACK would have discarded them
