"""The POS API under real concurrency (PostgreSQL): many tills posting at once, one award."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.blueprints.api import routes
from app.models import PointTransaction, PosOrder, PosRefund
from app.services.accounts import apikeys
from app.services.points import balances
from tests import factories

pytestmark = pytest.mark.postgres

AUTH = {"Authorization": "Bearer test-key"}
ORDERS = "/api/v1/orders"
THREADS = 50


@pytest.fixture
def tills(app, session, now, monkeypatch):
    """Run one POST per (url, body) from its own thread at the same instant; (status, json)s."""
    apikeys.create(session, "t", now=now, key="test-key")
    factories.store(session, "SH001")
    session.commit()
    monkeypatch.setattr(routes, "utcnow", lambda: now)

    def run(requests: list[tuple[str, dict]]) -> list[tuple[int, dict | str]]:
        barrier = threading.Barrier(len(requests))
        answers: list = [None] * len(requests)

        def till(index: int, url: str, body: dict) -> None:
            with app.app_context():  # each thread its own context, session and connection
                client = app.test_client()
                barrier.wait(timeout=60)
                try:
                    response = client.post(url, json=body, headers=AUTH)
                    answers[index] = (response.status_code, response.get_json())
                except Exception as exc:  # recorded as a 500, which the tests then refuse
                    answers[index] = (500, repr(exc))

        threads = [
            threading.Thread(target=till, args=(index, url, body))
            for index, (url, body) in enumerate(requests)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        session.expire_all()
        return answers

    return run


def order(member, order_no: str = "C1", paid_fen: int = 12_345) -> dict:
    return {
        "order_no": order_no,
        "member_no": member.member_no,
        "store_code": "SH001",
        "paid_fen": paid_fen,
        "paid_at": "2026-06-15T09:00:00+08:00",
    }


def count(session, column, *where) -> int:
    return session.scalar(select(func.count(column)).where(*where))


def test_fifty_tills_posting_one_order_award_it_once(tills, session, make_member, now):
    member = make_member()
    session.commit()
    answers = tills([(ORDERS, order(member))] * THREADS)
    assert Counter(status for status, _ in answers) == {201: 1, 200: THREADS - 1}, answers
    assert all(body == answers[0][1] for _, body in answers)
    assert answers[0][1]["points_awarded"] == 123
    assert count(session, PointTransaction.id, PointTransaction.idem_key == "purchase:C1") == 1
    assert count(session, PosOrder.id) == 1
    assert balances.balance(session, member.id, now) == 123


def test_one_order_no_claimed_by_two_members_goes_to_one(tills, session, make_member, now):
    """Different members lock different rows: the loser meets the unique index, answered 409."""
    members = [make_member(), make_member()]
    session.commit()
    answers = tills([(ORDERS, order(members[index % 2])) for index in range(THREADS)])
    statuses = Counter(status for status, _ in answers)
    assert statuses[201] == 1 and set(statuses) <= {200, 201, 409}, answers
    winner = next(index % 2 for index, (status, _) in enumerate(answers) if status == 201)
    for index, (status, _) in enumerate(answers):
        assert (status in (200, 201)) == (index % 2 == winner), answers
    assert count(session, PosOrder.id) == 1
    assert count(session, PointTransaction.id, PointTransaction.idem_key == "purchase:C1") == 1
    assert balances.balance(session, members[winner].id, now) == 123
    assert balances.balance(session, members[1 - winner].id, now) == 0


def test_concurrent_refunds_never_exceed_what_was_paid(tills, client, session, make_member, now):
    member = make_member()
    session.commit()
    assert client.post(ORDERS, json=order(member, paid_fen=10_000), headers=AUTH).status_code == 201
    url = f"{ORDERS}/C1/refunds"
    answers = tills(
        [(url, {"refund_no": f"R{index}", "refund_fen": 1_000}) for index in range(THREADS)]
    )
    assert Counter(status for status, _ in answers) == {201: 10, 422: THREADS - 10}, answers
    assert session.scalar(select(PosOrder.refunded_fen)) == 10_000
    assert count(session, PosRefund.id) == 10
    assert balances.balance(session, member.id, now) == 0


def test_one_refund_posted_by_fifty_tills_reverses_once(tills, client, session, make_member, now):
    member = make_member()
    session.commit()
    client.post(ORDERS, json=order(member, paid_fen=10_000), headers=AUTH)
    answers = tills([(f"{ORDERS}/C1/refunds", {"refund_no": "R1", "refund_fen": 2_500})] * THREADS)
    assert Counter(status for status, _ in answers) == {201: 1, 200: THREADS - 1}, answers
    assert all(body == answers[0][1] for _, body in answers)
    assert count(session, PosRefund.id) == 1
    assert balances.balance(session, member.id, now) == 75
