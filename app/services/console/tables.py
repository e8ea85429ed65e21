"""Server-side tables for the console: one sorted, paginated page of any query."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 25
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Table:
    """One page of rows, with what the template needs to draw sort links and pagination."""

    rows: list
    total: int
    page: int
    per_page: int
    sort: str
    desc: bool

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def page_of(
    session: Session,
    stmt: Select,
    *,
    sorts: dict,
    sort: str,
    desc: bool,
    page: int,
    per_page: int = PER_PAGE,
    scalars: bool = True,
) -> Table:
    """Sort `stmt` by one of `sorts` (unknown keys fall back to the first), count and slice it."""
    key = sort if sort in sorts else next(iter(sorts))
    column = sorts[key]
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(max(1, page), MAX_PAGE)
    ordered = stmt.order_by(None).order_by(column.desc() if desc else column.asc())
    ordered = ordered.limit(per_page).offset((page - 1) * per_page)
    result = session.execute(ordered)
    rows = list(result.scalars()) if scalars else list(result)
    return Table(rows, int(total or 0), page, per_page, key, desc)
