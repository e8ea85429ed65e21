"""Triggers that make the ledger and the audit log append-only, on SQLite and PostgreSQL."""

from sqlalchemy import DDL, event

APPEND_ONLY_TABLES = ("ledger_entries", "point_txns")  # installed by migration 0001
AUDIT_TABLES = ("audit_log",)  # installed by migration 0007
RULE_TABLES = ("rule_versions",)  # installed by migration 0011: rules never change afterwards

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION reject_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % rejected', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def pg_trigger(table: str) -> str:
    """PostgreSQL trigger rejecting UPDATE and DELETE on a table."""
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION reject_ledger_change()"
    )


def sqlite_triggers(table: str) -> list[str]:
    """SQLite triggers rejecting UPDATE and DELETE on a table."""
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


def statements(dialect: str, tables=APPEND_ONLY_TABLES) -> list[str]:
    """Every statement that installs the append-only triggers on `tables` for a dialect."""
    if dialect == "postgresql":
        return [PG_FUNCTION] + [pg_trigger(t) for t in tables]
    return [sql for t in tables for sql in sqlite_triggers(t)]


_installed: set[int] = set()


def install_on_create(metadata) -> None:
    """Install the triggers whenever the schema is created outside migrations (tests); once."""
    if id(metadata) in _installed:  # every create_app calls this; one set of listeners is enough
        return
    _installed.add(id(metadata))
    for name in APPEND_ONLY_TABLES + AUDIT_TABLES + RULE_TABLES:
        for dialect in ("postgresql", "sqlite"):
            for sql in statements(dialect, (name,)):
                ddl = DDL(sql.replace("%", "%%"))  # DDL() formats with %
                event.listen(metadata.tables[name], "after_create", ddl.execute_if(dialect=dialect))
