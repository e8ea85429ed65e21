"""CLI commands of CONTRACT.md: demo load, points expire, points audit, apikeys create."""

from datetime import timedelta

from sqlalchemy import func, select, text

from app.models import ApiKey, Member, PointTransaction, User
from app.services.accounts import apikeys
from app.services.points import balances, ledger
from app.timeutil import utcnow


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_demo_load_is_idempotent_and_has_the_contract_accounts(app, session):
    assert run(app, "demo", "load").exit_code == 0
    assert run(app, "demo", "load").exit_code == 0
    members = {m.user.phone: m.tier.code for m in session.scalars(select(Member))}
    assert members == {
        "13800000000": "base",
        "13800000001": "silver",
        "13800000002": "gold",
        "13800000003": "diamond",
    }
    staff = dict(
        session.execute(select(User.staff_id, User.role).where(User.staff_id.is_not(None))).all()
    )
    assert staff == {
        "A0001": "advisor",
        "admin": "operator",
        "admin2": "operator",
        "F0001": "finance",
    }
    assert apikeys.check(session, "demo-pos-key") is not None
    assert session.scalar(select(func.count(ApiKey.id))) == 1
    assert run(app, "points", "audit").output.strip() == "ledger ok"


def test_demo_load_members_adds_load_test_accounts(app, session):
    result = run(app, "demo", "load", "--members", "3")
    assert result.exit_code == 0
    member = session.scalar(select(Member).join(User).where(User.phone == "13900000003"))
    assert member.tier.code == "base" and member.birthday is None
    assert balances.balance(session, member.id, utcnow()) == 10_000


def test_points_expire_is_safe_to_rerun(app, session, make_member):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=utcnow() - timedelta(days=200))
    session.commit()
    assert run(app, "points", "expire").output.strip() == "expired 1 lot(s)"
    assert run(app, "points", "expire").output.strip() == "expired 0 lot(s)"
    assert (
        session.scalar(
            select(func.count(PointTransaction.id)).where(PointTransaction.kind == "expire")
        )
        == 1
    )


def test_points_expire_as_of_a_past_date_and_never_a_future_one(app, session, make_member):
    member = make_member()
    ledger.credit(session, member.id, "signin", 10, "s", now=utcnow())
    session.commit()
    assert (
        run(app, "points", "expire", "--as-of", "2020-01-01").output.strip() == "expired 0 lot(s)"
    )
    future = (utcnow() + timedelta(days=120)).date().isoformat()
    refused = run(app, "points", "expire", "--as-of", future)
    assert refused.exit_code == 1 and "never runs ahead of time" in refused.output
    assert balances.balance(session, member.id, utcnow()) == 10


def test_points_audit_fails_on_a_mismatch(app, session, make_member):
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10, "p", now=utcnow())
    session.commit()
    assert run(app, "points", "audit").exit_code == 0
    session.execute(text("UPDATE point_lots SET remaining = 3"))
    session.commit()
    result = run(app, "points", "audit")
    assert result.exit_code == 1 and "remaining 3" in result.output


def test_apikeys_create_prints_a_key_stored_hashed(app, session):
    result = run(app, "apikeys", "create", "--name", "shop POS")
    key = result.output.strip()
    assert result.exit_code == 0 and key.startswith("pm_")
    stored = session.scalar(select(ApiKey))
    assert stored.key_hash != key and apikeys.check(session, key).id == stored.id


def test_a_later_demo_load_keeps_a_live_and_an_upcoming_flash_and_slots(app, session):
    from datetime import timedelta

    from app.demo import loader as demo
    from app.models import FlashEvent, ServiceSlot

    now = utcnow()
    demo.load(session, now=now)
    slots = session.scalar(select(func.count(ServiceSlot.id)))
    later = now + timedelta(days=3)
    demo.load(session, now=later)
    live = session.scalar(
        select(func.count(FlashEvent.id)).where(
            FlashEvent.starts_at <= later, FlashEvent.ends_at > later
        )
    )
    upcoming = session.scalar(select(func.count(FlashEvent.id)).where(FlashEvent.starts_at > later))
    assert live == 1 and upcoming == 1
    assert session.scalar(select(func.count(ServiceSlot.id))) == slots + 3 * 2 * 2 * 5
    demo.load(session, now=later)
    assert session.scalar(select(func.count(ServiceSlot.id))) == slots + 3 * 2 * 2 * 5
