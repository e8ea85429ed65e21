"""The bulk load-test loader: CONTRACT.md's members, and with --history a past that audits clean."""

from datetime import timedelta

from sqlalchemy import func, select, text

from app.demo import loader as demo
from app.demo import loadtest
from app.extensions import db
from app.models import (
    GrowthEvent,
    LedgerEntry,
    Member,
    Order,
    PointLot,
    PointTransaction,
    PosOrder,
    PosRefund,
    SignIn,
    User,
)
from app.services.accounts import accounts
from app.services.analytics import flows
from app.services.points import audit, balances, tiers
from app.timeutil import utcnow

MEMBERS, MONTHS = 200, 6


def load(session, count=MEMBERS, months=MONTHS):
    """The demo, then `count` load-test members with `months` of history, committed."""
    now = utcnow()
    demo.load(session, now=now)
    created = demo.load_members(session, count, now=now, months=months)
    session.commit()
    return created, now


def load_test_members(session):
    return session.scalars(
        select(Member).join(User).where(User.phone.like(f"{loadtest.PHONE_PREFIX}%"))
    ).all()


def orphans(session) -> list[str]:
    """Rows of the loaded tables naming a parent that does not exist (their triggers were off)."""
    found = []
    for name in loadtest.TABLES:
        table = db.metadata.tables[name]
        for fk in table.foreign_keys:
            parent = fk.column.table.alias()
            key = parent.c[fk.column.name]
            stmt = (
                select(func.count())
                .select_from(table.outerjoin(parent, fk.parent == key))
                .where(fk.parent.is_not(None), key.is_(None))
            )
            if count := session.scalar(stmt):
                found.append(f"{name}.{fk.parent.name}: {count}")
    return found


def test_without_history_the_members_are_the_contracts(app, session):
    assert load(session, 5, 0)[0] == 5
    members = load_test_members(session)
    assert sorted(m.user.phone for m in members) == [f"1390000000{n}" for n in range(1, 6)]
    now = utcnow()
    for member in members:
        assert member.tier.code == "base" and member.birthday is None and member.debt == 0
        assert balances.balance(session, member.id, now) == 10_000
        assert member.member_no == f"{10_000_000 + member.id}"
    assert accounts.check_password(members[0].user, "demo1234")
    assert len({m.referral_code for m in members}) == 5
    assert audit.audit(session) == [] and orphans(session) == []


def test_a_history_audits_clean_and_the_books_close(app, session):
    created, now = load(session)
    assert created == MEMBERS
    assert audit.audit(session) == []
    assert orphans(session) == []
    kinds = dict(
        session.execute(
            select(PointTransaction.kind, func.count()).group_by(PointTransaction.kind)
        ).all()
    )
    assert {"earn", "redeem", "clawback", "expire"} <= set(kinds)
    entries = session.scalar(select(func.count(LedgerEntry.id)))
    assert 3 * MEMBERS < entries < 12 * MEMBERS  # about ten a member for a year
    # the expiry job has caught up: nothing of theirs past its expiry still holds points
    ids = [m.id for m in load_test_members(session)]
    stale = select(func.count(PointLot.id)).where(
        PointLot.remaining > 0, PointLot.expires_at <= now, PointLot.member_id.in_(ids)
    )
    assert session.scalar(stale) == 0
    held = session.scalar(select(func.sum(PointLot.remaining)))
    debt = session.scalar(select(func.sum(Member.debt)))
    assert flows.outstanding(session, now + timedelta(seconds=1)) == held - debt


def test_a_history_has_every_kind_of_row_and_consistent_tiers(app, session):
    _, now = load(session)
    for model in (PosOrder, PosRefund, SignIn, Order, GrowthEvent):
        assert session.scalar(select(func.count(model.id))) > 0, model.__name__
    ladder = tiers.ladder(session, now)
    ranks = set()
    for member in load_test_members(session):
        growth = tiers.rolling_growth(session, member.id, now)
        assert member.tier.code == tiers.tier_for(ladder, growth).code, member.id
        assert balances.balance(session, member.id, now) >= 0
        ranks.add(member.tier.rank)
    assert len(ranks) >= 2  # some members climbed
    theirs = select(Order.status).where(Order.request_key.like("%:history-%"))
    statuses = set(session.scalars(theirs))
    assert statuses == {"completed"}


def test_loading_again_adds_only_the_missing_members(app, session):
    load(session)
    counts = [session.scalar(select(func.count(m.id))) for m in (Member, PointTransaction)]
    assert load(session)[0] == 0
    assert [session.scalar(select(func.count(m.id))) for m in (Member, PointTransaction)] == counts
    assert load(session, MEMBERS + 20)[0] == 20
    assert len(load_test_members(session)) == MEMBERS + 20
    assert audit.audit(session) == []


def test_a_loaded_purchase_replays_through_the_pos_api(app, session, client):
    load(session, 40, 3)
    loaded = select(PosOrder).where(PosOrder.refunded_fen == 0, PosOrder.order_no.like("LT%"))
    order = session.scalar(loaded.limit(1))
    member = session.get(Member, order.member_id)
    body = {
        "order_no": order.order_no,
        "member_no": member.member_no,
        "store_code": order.store_code,
        "paid_fen": order.paid_fen,
        "paid_at": order.paid_at.isoformat(),
        "lines": order.lines,
    }
    response = client.post(
        "/api/v1/orders", json=body, headers={"Authorization": "Bearer demo-pos-key"}
    )
    assert response.status_code == 200, response.get_json()  # the same body: a replay
    assert response.get_json()["points_awarded"] == order.points_awarded


def test_demo_load_history_from_the_command_line(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--members", "30", "--history", "2"])
    assert result.exit_code == 0, result.output
    assert "30 new load-test member(s)" in result.output
    assert runner.invoke(args=["points", "audit"]).output.strip() == "ledger ok"
    assert session.execute(text("SELECT 1")).scalar() == 1
