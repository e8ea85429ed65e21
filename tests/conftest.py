"""Fixtures: a fresh database per test (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

import functools
import os
import re
import shutil
import uuid
from datetime import UTC, datetime

import flask_babel
import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from app import create_app
from app.config import TestConfig, database_url
from app.demo.defaults import seed_defaults
from app.extensions import db as _db
from app.services.accounts import accounts

# Under pytest-xdist (`make test` runs the suite in two workers) each worker has a PostgreSQL
# database of its own beside TEST_DATABASE_URL's, `<name>_<worker>`, made by `_worker_database`.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BASE_PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_URL = f"{BASE_PG_URL}_{WORKER}" if BASE_PG_URL and WORKER else BASE_PG_URL
BACKEND = "postgresql" if PG_URL else "sqlite"


# The longest modules (minutes each: Hypothesis state machines and property tests) start first,
# so that the two xdist workers, which take whole modules in turn, finish at about the same time.
LONG_FIRST = ("test_ledger_state.py", "test_rollups.py", "test_alerts.py", "test_api_fuzz.py")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real concurrency: they run in the PostgreSQL pass only."""
    if BACKEND != "postgresql":
        items[:] = [item for item in items if "postgres" not in item.keywords]
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # stable: order kept otherwise


@pytest.fixture(scope="session", autouse=True)
def _worker_database():
    """An xdist worker's own PostgreSQL database, made when missing (kept for the next run)."""
    if BACKEND != "postgresql" or PG_URL == BASE_PG_URL:
        return
    name = database_url(PG_URL).rsplit("/", 1)[1]
    admin = create_engine(database_url(BASE_PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        known = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not known:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, _worker_database):
    """The schema, built once: a template SQLite file, or tables in the PostgreSQL test database."""
    if BACKEND == "postgresql":
        url = database_url(PG_URL)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            _db.create_all()
            _db.engine.dispose()
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("db") / "template.db"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return path


RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = 'public'"
)


def _empty_postgres(url: str) -> None:
    """Every row deleted and every id sequence back at 1. DELETE of a few rows, not TRUNCATE:
    truncating 69 tables makes new files for each and their indexes, ≈ 0.5 s a test. As the
    replication role the append-only and foreign-key triggers are skipped (a superuser's
    setting: the test database's owner connects as one)."""
    with _cleaner(url).begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in _db.metadata.sorted_tables:
            conn.execute(table.delete())
        conn.execute(RESTART_SEQUENCES)


@functools.cache
def _cleaner(url: str):
    """One engine for the emptying, its connection kept between tests (a connect costs more)."""
    return create_engine(url, poolclass=StaticPool)


def _fresh_url(template, tmp_path) -> str:
    if BACKEND == "postgresql":
        _empty_postgres(template)
        return template
    path = tmp_path / "test.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(autouse=True)
def _own_redis_namespace(monkeypatch):
    """With REDIS_URL: every app a test makes (its own, and any second one on the same database,
    as the concurrency tests make) shares a Redis namespace no other test has used — on
    PostgreSQL every test reuses one database URL, so the URL alone cannot tell them apart."""
    monkeypatch.setattr(TestConfig, "REDIS_PREFIX", f"pointsmall-test:{uuid.uuid4().hex}:")


@pytest.fixture
def app(database_template, tmp_path):
    """An app bound to an empty database holding only the default rules."""
    application = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=_fresh_url(database_template, tmp_path)
    )
    with application.app_context():
        seed_defaults(_db.session)
        _db.session.commit()
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def session(app):
    """The app's SQLAlchemy session."""
    return _db.session


@pytest.fixture
def now():
    """A fixed instant: 2026-06-15 10:00 in Shanghai."""
    return datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def make_member(session, now):
    """Factory: a member with a unique phone number at the base tier."""
    counter = iter(range(1, 10_000))

    def make(phone: str | None = None, **fields):
        member = accounts.create_member(
            session, phone or f"137{next(counter):08d}", "secret123", now=now, password_hash="x"
        )
        for key, value in fields.items():
            setattr(member, key, value)
        session.flush()
        return member

    return make


class FreshClient(FlaskClient):
    """A test client whose requests don't inherit the test's per-context caches.

    The fixtures keep one app context pushed, and Flask reuses it for every request, so the
    locale (Flask-Babel), user (Flask-Login) and CSRF token (Flask-WTF) cached on it would leak
    between requests and between clients.
    """

    def open(self, *args, **kwargs):
        """Forget the cached locale and user, then make the request."""
        flask_babel.refresh()
        g.pop("_login_user", None)
        g.pop("csrf_token", None)  # Flask-WTF caches the signed token per context
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client; CSRF stays on."""
    app.test_client_class = FreshClient
    return app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def login_as(client, session):
    """Log the client in as a new or existing user; returns the CSRF token to post with."""

    def login(identifier: str, password: str = "secret123") -> str:
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"identifier": identifier, "password": password, "csrf_token": token}
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        home = client.get("/me" if identifier[0].isdigit() else "/login", follow_redirects=True)
        return csrf_from(home.get_data(as_text=True))

    return login


@pytest.fixture
def member_user(session, now):
    """A member who can log in with phone 13700009999 / secret123."""
    member = accounts.create_member(session, "13700009999", "secret123", now=now)
    session.commit()
    return member
