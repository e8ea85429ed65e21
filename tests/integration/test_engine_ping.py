"""A network database's pooled connection is pinged before use once it has lain idle, not on
every checkout: a dead idle connection is replaced before a request sees it."""

import psycopg
import pytest
from sqlalchemy import create_engine

from app import engine as engine_module
from tests.conftest import BACKEND, PG_URL

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="a network database's pool")


@pytest.fixture
def engine():
    """An engine of one pooled connection (so the next checkout is the one we killed)."""
    made = create_engine(PG_URL, pool_size=1, max_overflow=0)
    yield made
    made.dispose()


def _pid_and_record(engine):
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        return pid, conn.connection._connection_record


def _kill(pid: int) -> None:
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_an_idle_connection_found_dead_is_replaced_before_use(engine):
    pid, record = _pid_and_record(engine)
    record.info["idle_since"] -= engine_module.IDLE_PING_SECONDS + 1  # idle past the window
    _kill(pid)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


@pytest.mark.parametrize("idle", [0, engine_module.IDLE_PING_SECONDS + 1])
def test_only_an_idle_connection_is_pinged(engine, monkeypatch, idle):
    _, record = _pid_and_record(engine)  # made, used, back in the pool just now
    record.info["idle_since"] -= idle
    cursors = []
    real = psycopg.Connection.cursor

    def counted(self, *args, **kwargs):
        cursors.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "cursor", counted)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert len(cursors) == (2 if idle else 1)  # the ping's cursor, then the statement's
