"""Bulk writes for the load-test loader: ids reserved in blocks, rows by COPY or executemany.

PostgreSQL gets psycopg 3's `cursor.copy` (text COPY, the fastest path it has); SQLite gets one
`executemany` per table through SQLAlchemy Core. Ids are handed out by the loader itself so that
rows can name each other (an entry its lot and transaction) before anything is written.
"""

import json

from sqlalchemy import JSON, func, select, text
from sqlalchemy.orm import Session

from app.extensions import db

BLOCK = 10_000  # ids taken from a PostgreSQL sequence at a time (the unused rest are skipped)


class Ids:
    """Ids for the rows of one table, unique whatever else writes the table meanwhile.

    PostgreSQL: BLOCK values of the table's own sequence at a time (nextval never waits and is
    never rolled back, so nobody else can be handed one of them). SQLite: the loader holds the
    write lock (BEGIN IMMEDIATE), so max(id) + 1 onwards is free until its commit.
    """

    def __init__(self, session: Session, table: str):
        self.session, self.table = session, table
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.free: list[int] = []
        self.sequence: str | None = None
        self.next = self.end = 0

    def __call__(self) -> int:
        """The next free id."""
        if self.postgres:
            if not self.free:
                self._reserve()
            return self.free.pop()
        if self.next >= self.end:
            column = db.metadata.tables[self.table].c.id
            self.next = (self.session.scalar(select(func.max(column))) or 0) + 1
            self.end = 2**62
        self.next += 1
        return self.next - 1

    def _reserve(self) -> None:
        if self.sequence is None:
            self.sequence = self.session.scalar(
                text(f"SELECT pg_get_serial_sequence('{self.table}', 'id')")
            )
        # one row holding the block as an array: 10,000 result rows cost more than the nextvals
        taken = self.session.scalar(
            text("SELECT array_agg(nextval(:seq)) FROM generate_series(1, :n)"),
            {"seq": self.sequence, "n": BLOCK},
        )
        self.free = sorted(taken, reverse=True)  # popped from the end: ascending

    def sync(self) -> None:
        """After a commit on SQLite: read max(id) again next time (another writer may follow)."""
        if not self.postgres:
            self.next = self.end = 0


class Rows:
    """Rows gathered per table (tuples in the table's column order), written parents first."""

    def __init__(self):
        self.columns: dict[str, tuple[str, ...]] = {}
        self.data: dict[str, list[tuple]] = {}

    def table(self, name: str, columns: tuple[str, ...]) -> list[tuple]:
        """The list a table's rows are appended to (the same list for the loader's life)."""
        if name not in self.data:
            self.columns[name], self.data[name] = columns, []
        return self.data[name]

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        """One row."""
        self.table(table, columns).append(row)

    def write(self, session: Session, order: tuple[str, ...]) -> None:
        """Write every table, parents first (`order`), then empty the lists."""
        for table in order:
            if self.data.get(table):
                insert_rows(session, table, self.columns[table], self.data[table])
                self.data[table].clear()


def insert_rows(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`: COPY or executemany."""
    model = db.metadata.tables[table]
    if session.get_bind().dialect.name != "postgresql":
        session.execute(model.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    as_json = [i for i, name in enumerate(columns) if isinstance(model.c[name].type, JSON)]
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            if not as_json:
                for row in rows:
                    copy.write_row(row)
                return
            for row in rows:
                row = list(row)
                for i in as_json:
                    row[i] = json.dumps(row[i], ensure_ascii=False, separators=(",", ":"))
                copy.write_row(row)


def without_triggers(session: Session) -> bool:
    """On PostgreSQL as a superuser: skip the foreign-key triggers for this transaction, as
    pg_restore --disable-triggers does (the loader writes consistent rows); whether it could."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not session.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        return False
    session.execute(text("SET LOCAL session_replication_role = replica"))
    return True
