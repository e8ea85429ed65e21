"""The Alembic migrations build exactly the models' schema, with triggers and default rules."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.config import TestConfig
from app.demo.defaults import SETTINGS
from app.extensions import db
from app.models import CashRate, EarningSetting, PointSource, Tier
from tests.conftest import BACKEND, PG_URL


def _fresh_app(tmp_path):
    if BACKEND == "postgresql":
        from app.config import database_url

        base, name = database_url(PG_URL).rsplit("/", 1)
        scratch = f"{name}_migrations"  # beside the test database, so parallel runs don't collide
        url = f"{base}/{scratch}"
        admin = create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)


def test_upgrade_matches_the_models_and_downgrade_empties(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        assert db.session.scalar(select(func.count()).select_from(PointSource)) == 8
        assert db.session.scalar(select(func.count()).select_from(Tier)) == 4
        keys = set(db.session.scalars(select(EarningSetting.key)))
        assert keys == set(SETTINGS)
        assert db.session.scalar(select(func.count()).select_from(CashRate)) == 1
        db.session.remove()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = db.inspect(conn).get_table_names() if hasattr(db, "inspect") else None
        db.engine.dispose()
    assert tables in (None, ["alembic_version"], [])
