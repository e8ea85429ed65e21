"""Hot reads: Core statements run on the session's connection, skipping the ORM's execute.

`session.execute` of a statement that selects columns (not entities) gives plain rows, but
still goes through the ORM's per-statement machinery — about as much Python as the statement
itself on SQLite. The few statements every member page sends go through `execute` instead: the
same rows, the session flushed first as its autoflush would.
"""

from sqlalchemy.engine import Result
from sqlalchemy.orm import Session


def execute(session: Session, statement, params: dict | None = None) -> Result:
    """`session.execute(statement, params)` for a statement of columns, not ORM entities."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params or {})
