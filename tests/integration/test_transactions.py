"""On SQLite, page views send no BEGIN (test_read_autocommit); writes take the lock at BEGIN."""

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite transaction modes")


@pytest.fixture
def begins(app):
    """The BEGIN statements the app sends during the test."""
    seen = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_a_signed_in_page_view_does_not_take_the_write_lock(client, login_as, member_user, begins):
    login_as("13700009999")
    begins.clear()
    db.session.commit()  # the fixture's own transaction is not the request's
    begins.clear()
    assert client.get("/me").status_code == 200
    assert begins == []  # it read outside a transaction: no lock, and no ROLLBACK to send


def test_a_post_takes_the_write_lock_at_begin(client, login_as, member_user, begins):
    csrf = login_as("13700009999")
    db.session.commit()
    begins.clear()
    client.post("/me/signin", data={"csrf_token": csrf})
    assert "BEGIN IMMEDIATE" in begins


def test_order_pages_that_close_overdue_orders_write(client, login_as, member_user, begins):
    login_as("13700009999")
    db.session.commit()
    begins.clear()
    client.get("/orders")
    assert "BEGIN IMMEDIATE" in begins
