"""The members console: search, the member page's figures, manual adjustments with four-eyes
approval above the threshold, bad input, and freezing a member."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, PointAdjustment, PointTransaction, User
from app.services.console import adjustments
from app.services.points import balances, ledger, member_center, tiers
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the assertions read the messages' msgids."""
    client.set_cookie("lang", "en")


@pytest.fixture
def operators(session):
    """Operators admin and admin2, finance F0001 (password secret123)."""
    users = {sid: factories.staff(session, "operator", sid) for sid in ("admin", "admin2")}
    users["F0001"] = factories.staff(session, "finance", "F0001")
    session.commit()
    return users


@pytest.fixture
def member(session, make_member, now):
    """A Silver member 林小满 with 3,000 purchase points."""
    found = make_member("13912345678", name="林小满")
    factories.buy(session, found, 300_000, now - timedelta(days=3))
    session.commit()
    return found


def relog(client, login_as, identifier: str) -> str:
    """Log out whoever is signed in, then sign in as `identifier`; the CSRF token."""
    token = csrf_from(client.get("/admin/members").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code in (302, 303)
    return login_as(identifier)


def adjust(client, token, member, **fields):
    """POST the adjustment form with sensible defaults."""
    data = {
        "points": "200",
        "reason_code": "goodwill",
        "reason": "生日礼遗漏补发",
        "note": "",
        "request_key": fields.pop("request_key", "key-00000001"),
        "csrf_token": token,
        **fields,
    }
    return client.post(f"/admin/members/{member.member_no}/adjust", data=data)


def balance(session, member) -> int:
    """The member's available balance now, from the ledger's own read."""
    session.expire_all()
    return balances.balance(session, member.id, ledger_now())


def ledger_now():
    """The real clock (the console writes at utcnow())."""
    from app.timeutil import utcnow

    return utcnow()


def test_search_by_phone_number_and_name_with_tier_filter(client, session, login_as, operators,
                                                          member, make_member):  # fmt: skip
    other = make_member("13700000042", name="周予安")
    session.commit()
    login_as("admin")
    for query in ("5678", member.member_no, "小满"):
        page = client.get("/admin/members", query_string={"q": query}).get_data(as_text=True)
        assert member.member_no in page and other.member_no not in page, query
    assert "139****5678" in client.get("/admin/members?q=5678").get_data(as_text=True)
    page = client.get("/admin/members?tier=silver").get_data(as_text=True)
    assert member.member_no in page and other.member_no not in page
    fragment = client.get("/admin/members?q=小满", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get("/admin/members?q=%25&sort=bogus&page=999999999").status_code == 200
    assert member.member_no not in client.get("/admin/members?q=%25").get_data(as_text=True)


def test_the_member_page_shows_the_services_figures(client, session, login_as, operators, member):
    ledger.credit(session, member.id, "signin", 5, "s1", now=ledger_now())
    session.commit()
    login_as("F0001")  # finance reads members too
    page = client.get(f"/admin/members/{member.member_no}").get_data(as_text=True)
    now = ledger_now()
    view = member_center.overview(session, member, now)
    assert f'data-testid="member-balance">{view.balance:,}<' in page
    assert f'data-testid="member-debt">{member.debt:,}<' in page
    growth = tiers.rolling_growth(session, member.id, now)
    assert f'data-testid="member-growth">{growth:,}<' in page
    assert "林小满" in page and "13912345678" in page and member.tier.code in page
    assert "order:o1" in page  # the ledger lists the purchase entry
    assert 'action="/admin/members/' not in page  # finance sees no write forms
    assert client.get("/admin/members/99999999").status_code == 404
    assert client.get("/admin/members/x").status_code == 404


def test_an_adjustment_up_to_the_threshold_reaches_the_ledger_at_once(
    client, session, login_as, operators, member
):
    token = login_as("admin")
    before = balance(session, member)
    response = adjust(client, token, member, points="1000")
    assert response.status_code == 303
    assert balance(session, member) == before + 1_000
    done = session.scalar(select(PointAdjustment))
    assert done.status == "applied" and done.txn_id
    txn = session.get(PointTransaction, done.txn_id)
    assert txn.idem_key == f"adjustment:{done.id}" and txn.source == "adjustment"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.adjust"))
    assert entry.member_id == member.id and entry.reason == "生日礼遗漏补发"
    page = client.get(f"/admin/members/{member.member_no}").get_data(as_text=True)
    assert "+1,000" in page and "adjustment:" in page


def test_a_debit_takes_points_and_a_large_one_waits(client, session, login_as, operators, member):
    token = login_as("admin")
    before = balance(session, member)
    assert adjust(client, token, member, points="-300").status_code == 303
    assert balance(session, member) == before - 300
    txn = session.scalar(select(PointTransaction).order_by(PointTransaction.id.desc()))
    assert txn.points == -300 and txn.memo == "adjustment" and txn.debt_delta == 0
    assert (
        adjust(client, token, member, points="-1001", request_key="key-00000002").status_code == 303
    )
    assert session.scalar(select(PointAdjustment.status).order_by(PointAdjustment.id.desc())) == (
        "pending"
    )
    assert balance(session, member) == before - 300


def test_a_debit_larger_than_the_balance_is_refused_with_the_shortfall(
    client, session, login_as, operators, make_member
):
    poor = make_member(name="穷")
    ledger.credit(session, poor.id, "signin", 40, "s", now=ledger_now())
    session.commit()
    token = login_as("admin")
    response = adjust(client, token, poor, points="-100")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in page
    assert "60 points short" in page
    assert session.scalar(select(func.count(PointAdjustment.id))) == 0
    assert poor.debt == 0 and balance(session, poor) == 40


def test_above_the_threshold_a_second_operator_approves(
    client, session, login_as, operators, member
):
    token = login_as("admin")
    before = balance(session, member)
    assert adjust(client, token, member, points="5000").status_code == 303
    pending = session.scalar(select(PointAdjustment))
    assert pending.status == "pending" and balance(session, member) == before
    listing = client.get("/admin/members/approvals").get_data(as_text=True)
    assert f'data-adjustment-id="{pending.id}"' in listing and "+5,000" in listing
    own = client.post(
        f"/admin/members/adjustments/{pending.id}/approve", data={"csrf_token": token}
    )
    assert own.status_code == 303
    followed = client.get(own.headers["Location"]).get_data(as_text=True)
    assert "a second operator must approve it" in followed
    session.expire_all()
    assert session.get(PointAdjustment, pending.id).status == "pending"
    assert balance(session, member) == before

    token = relog(client, login_as, "admin2")
    url = f"/admin/members/adjustments/{pending.id}/approve"
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    assert client.post(url, data={"csrf_token": token}).status_code == 303  # double click
    session.expire_all()
    done = session.get(PointAdjustment, pending.id)
    assert done.status == "applied" and done.decided_by.staff_id == "admin2"
    assert balance(session, member) == before + 5_000
    keys = session.scalars(
        select(PointTransaction.idem_key).where(PointTransaction.idem_key.like("adjustment:%"))
    ).all()
    assert keys == [f"adjustment:{pending.id}"]
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"member.adjust_request", "member.adjust_approve"} <= actions


def test_a_rejected_adjustment_moves_nothing(client, session, login_as, operators, member):
    token = login_as("admin")
    adjust(client, token, member, points="-2000")
    pending = session.scalar(select(PointAdjustment))
    token = relog(client, login_as, "admin2")
    url = f"/admin/members/adjustments/{pending.id}/reject"
    client.post(url, data={"csrf_token": token, "reason": ""})
    session.expire_all()
    assert session.get(PointAdjustment, pending.id).status == "pending"  # a reason is needed
    before = balance(session, member)
    assert client.post(url, data={"csrf_token": token, "reason": "证据不足"}).status_code == 303
    session.expire_all()
    done = session.get(PointAdjustment, pending.id)
    assert done.status == "rejected" and done.decision_reason == "证据不足" and not done.txn_id
    assert balance(session, member) == before
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.adjust_reject"))
    assert entry.reason == "证据不足"
    approve = client.post(
        f"/admin/members/adjustments/{pending.id}/approve", data={"csrf_token": token}
    )
    assert "already been decided" in client.get(approve.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"points": "0"},
        {"points": "abc"},
        {"points": "1.5"},
        {"points": "１００"},
        {"points": str(10**12)},
        {"points": "1000001"},
        {"points": ""},
        {"reason": ""},
        {"reason": "   "},
        {"reason_code": "bribe"},
        {"request_key": "short"},
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(
    client, session, login_as, operators, member, fields
):
    token = login_as("admin")
    txns = session.scalar(select(func.count(PointTransaction.id)))
    response = adjust(client, token, member, **fields)
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count(PointAdjustment.id))) == 0
    assert session.scalar(select(func.count(PointTransaction.id))) == txns
    assert session.scalar(select(func.count(AuditEntry.id))) == 0


def test_a_double_submit_is_one_adjustment(client, session, login_as, operators, member):
    token = login_as("admin")
    before = balance(session, member)
    for _ in range(2):
        assert adjust(client, token, member, points="300").status_code == 303
    assert session.scalar(select(func.count(PointAdjustment.id))) == 1
    assert balance(session, member) == before + 300


def test_the_contract_fields_alone_are_enough(client, session, login_as, operators, member):
    token = login_as("admin")
    before = balance(session, member)
    url = f"/admin/members/{member.member_no}/adjust"
    data = {"points": "-120", "reason": "退款误差", "csrf_token": token}
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303  # a script's retry: one adjustment
    done = session.scalar(select(PointAdjustment))
    assert (done.reason_code, done.points) == ("other", -120)
    assert session.scalar(select(func.count(PointAdjustment.id))) == 1
    assert balance(session, member) == before - 120


def test_the_threshold_is_a_setting(client, session, login_as, operators, member):
    assert adjustments.threshold(session) == 1_000
    from app.models import EarningSetting

    session.get(EarningSetting, "adjustment_approval_threshold").value = 100
    session.commit()
    token = login_as("admin")
    adjust(client, token, member, points="101")
    assert session.scalar(select(PointAdjustment.status)) == "pending"


def test_finance_reads_members_and_approvals_but_cannot_adjust(
    client, session, login_as, operators, member
):
    token = login_as("F0001")
    assert client.get("/admin/members").status_code == 200
    assert client.get("/admin/members/approvals").status_code == 200
    assert adjust(client, token, member).status_code == 403
    freeze = client.post(
        f"/admin/members/{member.member_no}/freeze", data={"csrf_token": token, "reason": "x"}
    )
    assert freeze.status_code == 403
    assert session.scalar(select(func.count(PointAdjustment.id))) == 0


@pytest.mark.postgres
def test_two_operators_approving_at_once_write_one_ledger_entry(app, session, member):
    requester = factories.staff(session, "operator", "admin")
    approvers = [factories.staff(session, "operator", f"op{n}") for n in range(2)]
    session.commit()
    req = adjustments.Request(5_000, "correction", "系统故障补发", request_key="race-0001")
    pending = adjustments.request(session, requester, member, req, now=ledger_now())
    session.commit()
    ids = [u.id for u in approvers]
    barrier, results = threading.Barrier(len(ids)), []

    def approve(user_id):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                actor = db.session.get(User, user_id)
                adjustments.approve(db.session, actor, pending.id, now=ledger_now())
                db.session.commit()
                results.append("ok")
            except adjustments.AdjustmentError as exc:
                db.session.rollback()
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["decided", "ok"]
    session.expire_all()
    assert (
        session.scalar(
            select(func.count(PointTransaction.id)).where(
                PointTransaction.idem_key == f"adjustment:{pending.id}"
            )
        )
        == 1
    )


def test_freeze_holds_pos_orders_and_unfreeze_applies_them(
    client, session, login_as, operators, member
):
    from app.services.accounts import apikeys

    apikeys.create(session, "t", now=ledger_now(), key="test-key")
    factories.store(session, "SH001")
    session.commit()
    token = login_as("admin")
    url = f"/admin/members/{member.member_no}"
    refused = client.post(f"{url}/freeze", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and 'data-testid="form-error"' in refused.get_data(
        as_text=True
    )
    assert (
        client.post(f"{url}/freeze", data={"csrf_token": token, "reason": "刷单嫌疑"}).status_code
        == 303
    )
    assert "Frozen" in client.get(url).get_data(as_text=True)
    before = balance(session, member)

    body = {"order_no": "F1", "member_no": member.member_no, "store_code": "SH001",
            "paid_fen": 20_000, "paid_at": ledger_now().isoformat(), "lines": []}  # fmt: skip
    pos = {"Authorization": "Bearer test-key"}
    held = client.post("/api/v1/orders", json=body, headers=pos)
    assert held.status_code == 201, held.json
    assert held.json["points_awarded"] == 0 and held.json["held"] is True
    points = held.json["points_held"]
    assert points > 0 and held.json["balance"] == before
    replay = client.post("/api/v1/orders", json=body, headers=pos)
    assert replay.status_code == 200 and replay.json == held.json

    unfreeze = client.post(f"{url}/unfreeze", data={"csrf_token": token, "reason": "核实无误"})
    assert unfreeze.status_code == 303
    assert f"{points:,} held points released" in client.get(url).get_data(as_text=True)
    assert balance(session, member) == before + points
    applied = client.post("/api/v1/orders", json=body, headers=pos).json
    assert applied["points_awarded"] == points and "held" not in applied
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["member.freeze", "member.unfreeze"]


def test_a_frozen_member_is_told_why_a_redemption_is_refused(
    client, session, login_as, operators, make_member
):
    from app.services.accounts import accounts
    from app.services.console import members as console_members

    shopper = accounts.create_member(session, "13700003333", "secret123", now=ledger_now())
    ledger.credit(session, shopper.id, "purchase", 1_000, "seed", now=ledger_now())
    factories.store(session)
    gift = factories.gift(session, points_price=100)
    console_members.freeze(session, operators["admin"], shopper, "review", now=ledger_now())
    session.commit()
    token = login_as("13700003333")
    assert client.get("/me").status_code == 200  # can sign in and look
    response = client.post(
        f"/gifts/{gift.id}/redeem",
        data={"csrf_token": token, "qty": "1", "delivery": "pickup", "request_key": "k1"},
    )
    assert response.status_code == 422
    assert "under review" in response.get_data(as_text=True)
    assert balance(session, shopper) == 1_000


def test_the_member_reads_a_debit_adjustment_as_an_adjustment(client, session, login_as, operators):
    from app.services.accounts import accounts

    shopper = accounts.create_member(session, "13700004444", "secret123", now=ledger_now())
    ledger.credit(session, shopper.id, "purchase", 500, "seed", now=ledger_now())
    req = adjustments.Request(-200, "correction", "重复发放", request_key="debit-0001")
    adjustments.request(session, operators["admin"], shopper, req, now=ledger_now())
    session.commit()
    login_as("13700004444")
    page = client.get("/me/points").get_data(as_text=True)
    assert "Adjustment" in page and "Refund: points taken back" not in page
