"""Read the console's query string: filters, a table's sort, direction and page (bookmarkable).

Bad values are ignored, never a 500: `args()` is the query string without the parameters that
carry control characters (a NUL reaches PostgreSQL as an error) or are longer than any filter.
"""

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

from app.inputs import control_char, parse_int
from app.services.console.tables import MAX_PAGE, Table, page_of

LONGEST_FILTER = 200


def args() -> ImmutableMultiDict:
    """This request's query parameters a console filter may read."""
    return ImmutableMultiDict(
        (key, value.strip())
        for key, value in request.args.items(multi=True)
        if len(value) <= LONGEST_FILTER and control_char(key + value) is None
    )


def page_arg() -> int:
    """?page=N, bounded; anything else is page 1."""
    return parse_int(args().get("page", ""), 1, MAX_PAGE) or 1


def table(session, stmt, sorts: dict, default: str, *, default_desc=True, scalars=True) -> Table:
    """One page of `stmt`, sorted as the query string asks (`?sort=key&dir=asc|desc&page=N`)."""
    sort = args().get("sort", default)
    direction = args().get("dir", "desc" if default_desc else "asc")
    return page_of(
        session,
        stmt,
        sorts=sorts,
        sort=sort,
        desc=direction != "asc",
        page=page_arg(),
        scalars=scalars,
    )


def query_with(**changes) -> dict:
    """The current query string with some parameters changed (for sort and page links)."""
    current = {k: v for k, v in args().items() if v != ""}
    current.update(changes)
    return {k: v for k, v in current.items() if v not in (None, "")}
