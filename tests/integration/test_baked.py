"""`reads.baked`: a hot statement's constants written into its SQL, its named parameters kept.

Run on both databases: the baked statement must answer exactly what the original does.
"""

from datetime import UTC, datetime

from sqlalchemy import bindparam, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from app import reads
from app.models import Tier
from app.services.mall import member_home, usage
from app.services.points import member_reads

# what the member pages' statements may still send: the member, the tier, instants and dates
NAMED = {"member_id", "tier", "day", "week", "month", "growth_from", "now", "month_from"}
NAMED |= {"month_until", "today", "year"}


def _sql(statement, dialect=None) -> tuple[str, dict]:
    compiled = statement.compile(dialect=dialect or sqlite.dialect())
    return " ".join(str(compiled).split()), compiled.params


def test_constants_are_written_in_and_answer_the_same(session):
    original = (
        select(Tier.code, literal(7))
        .where(Tier.code.in_(("silver", "gold", "o'k")), Tier.rank > 0)
        .where(Tier.code != bindparam("other"))
        .order_by(Tier.rank)
    )
    baked = reads.baked(original)
    sql, params = _sql(baked, session.get_bind().dialect)
    assert "IN ('silver', 'gold', 'o''k')" in sql and "tiers.rank > 0" in sql
    assert sql.startswith("SELECT tiers.code, 7 ")
    assert set(params) == {"other"}
    rows = session.execute(baked, {"other": "gold"}).all()
    assert rows == session.execute(original, {"other": "gold"}).all() == [("silver", 7)]


def test_named_parameters_booleans_and_instants_stay_parameters():
    at = datetime(2026, 12, 3, tzinfo=UTC)
    statement = select(Tier.id).where(
        Tier.code == bindparam("code", "silver"),  # a named parameter with a default
        Tier.threshold > 0,
        literal(True).is_(True),
        literal(at) > bindparam("now"),
    )
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql, params = _sql(reads.baked(statement), dialect)
        assert "tiers.threshold > 0" in sql
        assert set(params) == {"code", "now", "param_1", "param_2"}, params


def test_the_member_pages_statements_send_only_the_members_parameters():
    """The home's, a shelf's and /me's statements: no IN of parameters and no constant sent as
    a parameter (the home's had 61 parameters before; SQLite planned each IN anew)."""
    statements = {
        "home": member_home.HOME_BITS,
        "shelf": usage.MEMBER_BITS,
        "figures": member_reads.FIGURES,
        "reminders": member_reads.REMINDERS,
        "/me": member_reads.ME_BITS,
    }
    for name, statement in statements.items():
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            sql, params = _sql(statement, dialect)
            assert "POSTCOMPILE" not in sql and "IN (?" not in sql, name
            assert set(params) <= NAMED, (name, set(params) - NAMED)
