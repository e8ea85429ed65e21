"""`flask db backup` copies the embedded database online; restore refuses a live one."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services.points import ledger
from app.services.points.audit import audit
from app.timeutil import utcnow
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's backup (PostgreSQL: pg_dump)")


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_backup_under_write_load_is_consistent(app, session, make_member, tmp_path):
    members = [make_member().id for _ in range(3)]
    session.commit()
    stop, written = threading.Event(), []

    def writer():
        with app.app_context():
            n = 0
            while not stop.is_set() and n < 400:
                ledger.credit(db.session, members[n % 3], "adjustment", 1, f"load{n}", now=utcnow())
                db.session.commit()
                written.append(n)
                n += 1
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 20:  # the load is running
        thread.join(0.01)
    target = tmp_path / "copy.db"
    result = run(app, "db", "backup", str(target))
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    copy = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with copy.app_context():
        assert audit(db.session) == []
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_while_another_process_has_the_database_open(app, session, tmp_path):
    source = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    backup = tmp_path / "b.db"
    assert run(app, "db", "backup", str(backup)).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
         "c.execute('select 1'); print('ready', flush=True); sys.stdin.read()", str(source)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        refused = run(app, "db", "restore", str(backup))
        assert refused.exit_code != 0 and str(holder.pid) in refused.output
    finally:
        holder.communicate("")
    session.remove()
    db.engine.dispose()
    restored = run(app, "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
