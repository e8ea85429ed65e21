"""`reads.hot`: a statement built once, sent off the DBAPI cursor by `reads.execute` (and by
`writes.execute`, an INSERT).

Run on both databases: the rows must be exactly what SQLAlchemy's own execution gives — the
same values of the same types (an instant in UTC, a JSON column decoded, a boolean, a NULL) —
and anything listening for the statements sent must still see them.
"""

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, func, insert, literal, null, select
from sqlalchemy.exc import DBAPIError, IntegrityError, MultipleResultsFound, NoResultFound

from app import reads, writes
from app.extensions import db
from app.models import GrowthEvent, Member, Tier, TierChange, User

CHANGES = reads.hot(
    select(
        TierChange.id,
        TierChange.at,
        TierChange.reason,
        Tier.names,
        Tier.code == bindparam("code", "silver"),
        null().label("empty"),
        literal(True).label("yes"),
    )
    .join(Tier, Tier.id == TierChange.to_tier_id)
    .where(TierChange.member_id == bindparam("member_id"), TierChange.at < bindparam("before"))
    .order_by(TierChange.id)
)
COUNT = reads.hot(select(func.count(User.id)).where(User.phone == bindparam("phone")))


def _change(member_id: int, tier_id: int, reason: str, at) -> TierChange:
    return TierChange(member_id=member_id, to_tier_id=tier_id, reason=reason, at=at)


@pytest.fixture
def changes(session, member_user, now):
    tiers = session.scalars(select(Tier).order_by(Tier.rank)).all()
    member_user.tier.names = {"en": "Silver", "zh_Hant": "銀卡"}
    for days, tier in ((3, tiers[1]), (2, tiers[0]), (1, tiers[1])):
        session.add(_change(member_user.id, tier.id, "purchase", now - timedelta(days=days)))
    session.commit()
    return {"member_id": member_user.id, "before": now}


def _typed(rows) -> list:
    return [tuple((type(v), v) for v in row) for row in rows]


def test_a_hot_statement_reads_what_sqlalchemy_reads(session, changes):
    fast = reads.execute(session, CHANGES, changes)
    assert isinstance(fast, reads.Rows) and len(fast) == 3
    slow = session.execute(CHANGES, changes).all()
    assert _typed(fast) == _typed(slow)
    assert fast[0].at.tzinfo is not None and fast[0].at == slow[0].at
    assert {type(row.yes) for row in fast} == {bool} and fast[0].empty is None
    with_code = reads.execute(session, CHANGES, changes | {"code": fast[0].reason})
    assert _typed(with_code) == _typed(session.execute(CHANGES, changes | {"code": "purchase"}))


def test_rows_answer_by_position_name_and_mapping(session, changes, member_user):
    rows = reads.execute(session, CHANGES, changes)
    first = rows.first()
    assert first == rows[0] == tuple(first) and first.id == first[0]
    assert first._mapping["reason"] == "purchase" and list(first._mapping)[:3] == [
        "id",
        "at",
        "reason",
    ]
    assert rows.all() == list(rows) and rows.tuples() is rows
    assert reads.execute(session, COUNT, {"phone": member_user.user.phone}).scalar() == 1
    assert reads.execute(session, COUNT, {"phone": member_user.user.phone}).one() == (1,)
    none = reads.execute(session, CHANGES, changes | {"member_id": -1})
    assert none.first() is None and none.scalar() is None
    with pytest.raises(NoResultFound):
        none.one()
    with pytest.raises(MultipleResultsFound):
        rows.one()


def test_a_listener_sees_the_statement(session, changes):
    """While something listens for the statements sent (the budget tests), SQLAlchemy's own
    path runs: the statement is counted, and it is the same SQL the fast path sends."""
    sent = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    reads.execute(session, CHANGES, changes)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = reads.execute(session, CHANGES, changes)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not isinstance(rows, reads.Rows) and len(rows.all()) == 3
    plan = reads._hot[id(CHANGES)][(session.get_bind().dialect.name, None)]
    assert sent == [plan.sql]


def test_pending_changes_are_flushed_first_and_other_statements_run_as_before(
    session, member_user, now
):
    session.add(_change(member_user.id, member_user.tier_id, "review", now - timedelta(hours=1)))
    rows = reads.execute(session, CHANGES, {"member_id": member_user.id, "before": now})
    assert [row.reason for row in rows] == ["review"]
    plain = select(Member.id).where(Member.id == member_user.id)
    assert reads.execute(session, plain).scalar() == member_user.id  # not hot: a Result


GROWTH_ROW = reads.hot(insert(GrowthEvent))


def _growth(member_id: int, key: str, now) -> dict:
    return {"member_id": member_id, "delta": 5, "reason": "purchase", "idem_key": key,
            "occurred_at": now}  # fmt: skip


def test_a_hot_insert_refuses_a_used_key_as_sqlalchemy_does(session, member_user, now):
    """The POS API answers a race lost to a twin from IntegrityError: the cursor's own error
    must reach it as SQLAlchemy's."""
    writes.execute(session, GROWTH_ROW, _growth(member_user.id, "k1", now) | {"created_at": now})
    with pytest.raises(IntegrityError):
        writes.execute(
            session, GROWTH_ROW, _growth(member_user.id, "k1", now) | {"created_at": now}
        )
    session.rollback()


def test_a_column_default_left_out_takes_sqlalchemys_way(session, member_user, now):
    writes.execute(session, GROWTH_ROW, _growth(member_user.id, "k2", now))  # no created_at
    plans = reads._hot[id(GROWTH_ROW)]
    assert None in plans.values()  # that column set has no plan: a Python default is computed
    made = session.scalar(select(GrowthEvent.created_at).where(GrowthEvent.idem_key == "k2"))
    assert made is not None


def test_a_lost_connection_is_invalidated_and_raised_as_sqlalchemys(session, member_user):
    connection = session.connection()
    connection.connection.dbapi_connection.close()
    with pytest.raises(DBAPIError) as raised:
        reads.execute(session, COUNT, {"phone": member_user.user.phone})
    assert raised.value.connection_invalidated
    session.rollback()
    assert reads.execute(session, COUNT, {"phone": member_user.user.phone}).scalar() == 1


def test_every_hot_statement_stays_short_enough_for_psycopg_to_keep_it_parsed(app):
    """psycopg keeps a query's parsed form only up to a length and a number of parameters, and
    parses a longer one again on every execution (the home's statement once cost 5 % of the
    page that way): the hot statements, compiled for PostgreSQL, stay within both."""
    from psycopg import _queries
    from sqlalchemy.dialects.postgresql import psycopg

    dialect = psycopg.dialect()
    assert len(reads._kept) >= 20  # the statements of every member page and of the POS order
    for statement in reads._kept:
        compiled = statement.compile(dialect=dialect)
        assert len(compiled.string) <= _queries.MAX_CACHED_STATEMENT_LENGTH, compiled.string[:80]
        assert len(set(compiled.bind_names.values())) <= _queries.MAX_CACHED_STATEMENT_PARAMS


def test_a_common_layouts_null_padding_is_read_as_its_columns_type(app, session, make_member, now):
    """`branch_row` pads the first branch (part 0) with typed NULLs and the others with plain
    ones: a column NULL in the first two branches still unites with a JSON one (PostgreSQL
    types a union pair by pair), and a later branch's instants and JSON are read as their types."""
    from sqlalchemy import JSON, Integer, union_all

    from app.models.types import UTCDateTime

    member = make_member()
    tier = session.get(Tier, member.tier_id)
    session.add(_change(member.id, tier.id, "upgrade", now))
    session.flush()
    layout = ((UTCDateTime, 1), (Integer, 1), (JSON, 1))
    empty = [select(*reads.branch_row(part, *(((), w, t) for t, w in layout))) for part in (0, 1)]
    full = (
        select(
            *reads.branch_row(
                2,
                ((TierChange.at,), 1, UTCDateTime),
                ((TierChange.id,), 1, Integer),
                ((Tier.names,), 1, JSON),
            )
        )
        .join(Tier, Tier.id == TierChange.to_tier_id)
        .where(TierChange.member_id == member.id)
    )
    rows = reads.execute(session, reads.hot(union_all(*empty, full))).all()
    assert [tuple(row) for row in rows] == [
        (0, None, None, None),
        (1, None, None, None),
        (2, now, rows[2][2], tier.names),
    ]
    assert rows[2][1].utcoffset() == timedelta(0) and isinstance(rows[2][2], int)
