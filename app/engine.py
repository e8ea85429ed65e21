"""Engine behaviour: SQLite in WAL with a busy timeout and BEGIN IMMEDIATE for writes; read-only
requests without a transaction (PostgreSQL in autocommit, SQLite with no BEGIN); a network
database's connection checked before use when it has lain idle in the pool."""

import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

# A connection back in the pool for longer than this is pinged before its next use (a server
# restart or a dropped idle connection is found there, and the pool reconnects); one in
# constant use is not, which saves a round trip on every request (SQLAlchemy's `pool_pre_ping`
# pings every checkout). A connection that fails within the window fails its request once.
IDLE_PING_SECONDS = 10.0

# Requests that only read send no BEGIN (below); everything else takes the write lock at BEGIN
# so two writers never deadlock upgrading a read lock (SQLite only).
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


@event.listens_for(Pool, "checkin")
def _idle_from(_dbapi_conn, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_conn, record, _proxy) -> None:
    since = record.info.get("idle_since")
    if isinstance(dbapi_conn, sqlite3.Connection) or since is None:
        return  # a file cannot go stale; a fresh connection was just made
    if time.monotonic() - since < IDLE_PING_SECONDS:
        return
    autocommit = getattr(dbapi_conn, "autocommit", None)
    try:
        if autocommit is False:  # the ping must not open the request's transaction
            dbapi_conn.autocommit = True
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        if autocommit is False:
            dbapi_conn.autocommit = False
    except Exception as error:  # the pool drops this connection and checks out a new one
        raise exc.DisconnectionError() from error


# PostgreSQL: what a read-only request reads runs without a transaction (autocommit): no
# BEGIN and no ROLLBACK round trip, and psycopg keeps its prepared statements — a ROLLBACK
# discards them, so every request's statements were parsed and planned again. A request that
# writes does so in a transaction of its own (`transaction.committing_after_reads`, or a view
# marked `writes_on_read`); a write in the autocommit one is refused, never half-applied.
AUTOCOMMIT = "AUTOCOMMIT"


class WriteInReadOnlyRequest(RuntimeError):
    """A write was attempted on a read-only request's connection (which commits each statement)."""


# SQLite likewise: a read-only request's connection sends no BEGIN (each statement reads on
# its own, as SQLite does outside a transaction) and so no ROLLBACK; the same refusal of writes.
SQLITE_READS = "pointsmall_sqlite_reads"  # the execution option that marks such a connection


@event.listens_for(Engine, "engine_connect")
def _reads_without_a_transaction(conn) -> None:
    if _write_intent.get():
        return
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level=AUTOCOMMIT)
    elif conn.dialect.name == "sqlite":
        conn.execution_options(**{SQLITE_READS: True})


def _autocommit(session: Session) -> bool:
    options = session.connection().get_execution_options()
    return options.get("isolation_level") == AUTOCOMMIT or options.get(SQLITE_READS, False)


def end_autocommit_reads(session: Session) -> None:
    """At the end of a read-only request, give its autocommit connection back (nothing to
    commit; what the session loaded stays loaded), so a session that outlives the request — the
    tests' — starts its next transaction under the next request's intent."""
    if session.in_transaction() and _autocommit(session):
        expiring, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expiring


def refuse_autocommit_writes(session: Session) -> None:
    """Raise WriteInReadOnlyRequest if the session's connection is a read-only request's."""
    if _autocommit(session):
        raise WriteInReadOnlyRequest(
            "a read-only request wrote: write in transaction.committing_after_reads() or mark "
            "the view engine.writes_on_read"
        )


@event.listens_for(Session, "before_flush")
def _no_flush_in_autocommit(session: Session, _context, _instances) -> None:
    refuse_autocommit_writes(session)


@event.listens_for(Session, "do_orm_execute")
def _no_dml_in_autocommit(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        refuse_autocommit_writes(state.session)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite" and not conn.get_execution_options().get(SQLITE_READS):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@contextmanager
def read_only():
    """Within this block connections read without a transaction (readers never wait for a lock)."""
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
    its reads take no lock, and it writes in `transaction.committing_after_reads`."""
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
