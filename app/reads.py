"""Hot reads: Core statements run on the session's connection, skipping the ORM's execute.

`session.execute` of a statement that selects columns (not entities) gives plain rows, but
still goes through the ORM's per-statement machinery — about as much Python as the statement
itself on SQLite. The few statements every member page sends go through `execute` instead: the
same rows, the session flushed first as its autoflush would.

`baked` writes a statement's constants into its SQL. SQLAlchemy sends every literal of a
statement (`remaining > 0`, `status IN (...)`, `literal(2)`) as a parameter, processed on every
execution, and an `IN` of constants is re-rendered each time; SQLite plans `IN (?, ?, ?)` anew
on each run too. The home's statement of 61 parameters took 0.32 ms on SQLite and 0.09 ms with
its constants written in (18 parameters left: the member's, the instants).

`hot` marks a statement built once (at import) whose rows `execute` reads off the DBAPI cursor
itself: compiled once per dialect, its parameters and columns processed as SQLAlchemy would, no
execution context, result metadata or cursor description built per run. SQLAlchemy's path cost
as much Python per statement as the rest of a member page's query work (psycopg builds a column
object per column for the description alone). While anything listens for the statements sent
(`before_cursor_execute`, as the statement-budget tests do), SQLAlchemy's own path runs.
"""

from collections import namedtuple

from sqlalchemy import Integer, String, cast, literal, literal_column, null
from sqlalchemy.engine import Result
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeDecorator


def execute(session: Session, statement, params: dict | None = None) -> "Result | Rows":
    """`session.execute(statement, params)` for a statement of columns, not ORM entities (the
    rows of a `hot` one read off the cursor: `Rows`)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return on_cursor(session.connection(), statement, params or {})


def on_cursor(connection, statement, params: dict, keys: tuple | None = None):
    """Run `statement` on an SQLAlchemy connection: off the DBAPI cursor when it is `hot` (and
    nothing listens for the statements sent), else `connection.execute`. `keys`: an INSERT's
    columns (its SQL depends on them)."""
    plans = _hot.get(id(statement))
    if plans is None or connection.dispatch.before_cursor_execute:
        return connection.execute(statement, params)
    dialect = connection.dialect
    plan = plans.get((dialect.name, keys), _UNPLANNED)
    if plan is _UNPLANNED:
        plan = plans[(dialect.name, keys)] = _Plan.of(statement, dialect, keys)
    if plan is None:
        return connection.execute(statement, params)
    return plan.run(connection, params)


def as_loaded(session: Session, model, values: dict):
    """A `model` made from a row's `values` (every column) and put in the session as a query
    would load it: persistent, no attribute modified."""
    instance = model(**values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def loaded(session: Session, model, values: dict):
    """The session's `model` of `values["id"]` if it holds one (as `session.get` would answer
    without a query), else one made from the row's `values` by `as_loaded`."""
    held = session.identity_map.get(session.identity_key(model, values["id"]))
    return held if held is not None else as_loaded(session, model, values)


_UNPLANNED = object()


class Rows(list):
    """A hot statement's rows (tuples that also answer their columns by name, and `_mapping`),
    with the methods of SQLAlchemy's `Result` the callers use."""

    def tuples(self) -> "Rows":
        return self

    def all(self) -> list:
        return list(self)

    def first(self):
        return self[0] if self else None

    def one(self):
        if len(self) != 1:
            raise (MultipleResultsFound if self else NoResultFound)("expected one row")
        return self[0]

    def scalar(self):
        return self[0][0] if self else None

    def scalar_one(self):
        return self.one()[0]


class _Plan:
    """A hot statement compiled for one dialect: its SQL, how its parameters are sent and how
    its columns are read (each as SQLAlchemy's execution would)."""

    @classmethod
    def of(cls, statement, dialect, keys: tuple | None) -> "_Plan | None":
        """The plan, or None where SQLAlchemy's execution does more than send the SQL (an
        expanding IN, a column default computed in Python)."""
        compiled = statement.compile(dialect=dialect, column_keys=keys and list(keys))
        if compiled.literal_execute_params or compiled.post_compile_params:
            return None
        if compiled.insert_prefetch or compiled.update_prefetch:
            return None
        return cls(compiled, dialect)

    def __init__(self, compiled, dialect) -> None:
        self.compiled, self.sql = compiled, compiled.string
        processors = compiled._bind_processors
        if compiled.positional:
            names = compiled.positiontup
        else:
            names = list(dict.fromkeys(compiled.bind_names.values()))
        escaped = compiled.escaped_bind_names or {}
        self.positional = compiled.positional
        self.binds = [(name, escaped.get(name, name), processors.get(name)) for name in names]
        columns = compiled._result_columns
        self.returns = bool(columns)
        keys = [column.keyname for column in columns]
        self.readers = [column.type._cached_result_processor(dialect, None) for column in columns]
        self.plain = not any(self.readers)
        base = namedtuple("Row", keys, rename=True)
        mapping = property(lambda row: dict(zip(keys, row, strict=True)))
        self.row = type("Row", (base,), {"__slots__": (), "_mapping": mapping})

    def _parameters(self, params: dict):
        values = self.compiled.construct_params(params, escape_names=False)
        if self.positional:
            return [p(values[n]) if p else values[n] for n, _, p in self.binds]
        return {sent: p(values[n]) if p else values[n] for n, sent, p in self.binds}

    def run(self, connection, params: dict) -> Rows:
        """The rows; a DBAPI error is raised as SQLAlchemy raises it (wrapped, and a lost
        connection invalidated so that the pool replaces it)."""
        sent = self._parameters(params)
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, sent)
            fetched = cursor.fetchall() if self.returns else ()
        except Exception as error:
            connection._handle_dbapi_exception(error, self.sql, sent, cursor, None)
        finally:
            cursor.close()
        make = self.row._make
        if self.plain:
            return Rows(make(values) for values in fetched)
        readers = self.readers
        return Rows(
            make([r(v) if r else v for r, v in zip(readers, values, strict=True)])
            for values in fetched
        )


# id of a hot statement -> its plan per (dialect, INSERT columns); the statements kept alive
_hot: dict[int, dict] = {}
_kept: list = []


def hot(statement):
    """Mark a statement built once, at import, as one `execute` reads off the cursor."""
    _kept.append(statement)
    _hot[id(statement)] = {}
    return statement


def _sql_constant(value) -> str | None:
    """An int or a str as an SQL literal both databases read the same (else None)."""
    if isinstance(value, bool):  # SQLite has no boolean literal; leave it a parameter
        return None
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + str.replace(value, "'", "''") + "'"
    return None


def _written_in(element):
    """The SQL of a bound constant (an anonymous int or str, or an IN of them), else None."""
    if not isinstance(element, BindParameter) or not element.unique or element.callable:
        return None
    if isinstance(element.type, TypeDecorator) or element.type._type_affinity not in (
        Integer,
        String,
    ):
        return None
    if element.expanding:
        texts = [_sql_constant(v) for v in element.value or ()]
        if not texts or None in texts:
            return None
        return literal_column(f"({', '.join(texts)})", element.type)
    text = _sql_constant(element.value)
    return None if text is None else literal_column(text, element.type)


def baked(statement):
    """The statement with its constants written into the SQL; named parameters
    (`bindparam("member_id")`) stay parameters. For statements built once, at import."""
    return hot(visitors.replacement_traverse(statement, {}, _written_in))


def branch_row(part: int, *groups) -> list:
    """A `UNION ALL` branch's columns in a common layout: `part`, then each group of
    (columns, width, type) padded to its width with NULLs read as its type.

    Part 0 is the first branch: its NULLs are cast to their types (PostgreSQL types a union's
    column from its branches pair by pair, and two untyped NULLs make text). Other branches pad
    with a plain, unlabelled NULL: the SQL stays short, which counts on PostgreSQL, where
    psycopg keeps its parsed form of a query only up to 4,096 characters and parses a longer
    one again on every execution (`CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS anon_7` in every
    branch made the home's 4,803; 5 % of its CPU)."""
    row = [literal(part)]
    for columns, width, type_ in groups:
        pad = cast(null(), type_) if part == 0 else literal_column("NULL", type_)
        row += [*columns, *[pad] * (width - len(columns))]
    return row
