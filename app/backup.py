"""`flask db backup PATH` and `flask db restore PATH` for the embedded SQLite database.

The backup uses SQLite's online backup API: a consistent copy while the app keeps serving.
A restore replaces the database file, so it refuses while any other process has it open.
PostgreSQL: use pg_dump / continuous archiving (README, "Running in production").
"""

import os
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask_migrate.cli import db as db_group


def sqlite_path() -> Path:
    """The embedded database file, or a ClickException for any other database."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        raise click.ClickException("db backup/restore is for the embedded SQLite database; "
                                   "on PostgreSQL use pg_dump (see the README)")  # fmt: skip
    return Path(url.removeprefix("sqlite:///")).resolve()


def backup(source: Path, target: Path) -> None:
    """Copy `source` to `target` online, page by page, consistently."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=1024)
    finally:
        src.close()
        dst.close()


def open_by_others(path: Path) -> list[int]:
    """Process ids (other than this one) that have the database or its WAL open (Linux /proc)."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    holders = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (proc / "fd").iterdir()):
                holders.append(int(proc.name))
        except OSError:  # gone, or not ours to inspect
            continue
    return holders


@db_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target: str) -> None:
    """A consistent online copy of the embedded database."""
    source = sqlite_path()
    backup(source, Path(target))
    click.echo(f"backed up {source} to {target}")


@db_group.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def restore_command(source: str) -> None:
    """Replace the embedded database by a backup; refused while a server has it open."""
    target = sqlite_path()
    if holders := open_by_others(target):
        pids = ", ".join(map(str, holders))
        raise click.ClickException(f"the database is open by process(es) {pids}: stop them first")
    backup(Path(source), target)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    click.echo(f"restored {target} from {source}")
