"""Fixtures: a fresh database per test (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

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

from app import create_app
from app.config import TestConfig, database_url
from app.demo.defaults import seed_defaults
from app.extensions import db as _db
from app.services.accounts import accounts

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real concurrency: they run in the PostgreSQL pass only."""
    if BACKEND != "postgresql":
        items[:] = [item for item in items if "postgres" not in item.keywords]


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
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


def _fresh_url(template, tmp_path) -> str:
    if BACKEND == "postgresql":
        engine = create_engine(template)
        with engine.begin() as conn:
            tables = ", ".join(t.name for t in _db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
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
