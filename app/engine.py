"""Engine behaviour: SQLite in WAL with a busy timeout and BEGIN IMMEDIATE for writes."""

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Requests that only read open a deferred transaction; everything else takes the write lock at
# BEGIN so two writers never deadlock upgrading a read lock (SQLite only).
_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record) -> None:
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=15000",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@contextmanager
def read_only():
    """Within this block SQLite transactions begin deferred (readers never wait for the lock)."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def set_read_only() -> object:
    """Mark the current request read-only; returns a token for reset_intent."""
    return _write_intent.set(False)


def reset_intent(token) -> None:
    """Undo set_read_only."""
    _write_intent.reset(token)


def writes_on_read(view):
    """Mark a GET view that may write (e.g. closes overdue orders) so it begins IMMEDIATE."""
    view.writes = True
    return view


def reads_first(view):
    """Mark a POST view that decides from reads before it writes (the losers of a flash burst):
    its first transaction begins deferred, and it writes in `transaction.committing_after_reads`."""
    view.reads_first = True
    return view


@contextmanager
def write_intent():
    """Within this block SQLite transactions begin IMMEDIATE again."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)
