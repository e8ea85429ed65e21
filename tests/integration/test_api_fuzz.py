"""Fuzzing the POS API: whatever arrives, the answer is a documented status, errors in JSON."""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.blueprints.api import routes
from app.blueprints.api.schemas import MAX_FEN
from app.services.accounts import apikeys
from tests import factories

ALLOWED = {200, 201, 400, 401, 404, 409, 422}
AUTH = {"Authorization": "Bearer test-key"}
ORDERS = "/api/v1/orders"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=24)  # surrogates and NUL too
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | ANY_TEXT
    | st.sampled_from([-1, 0, 1, MAX_FEN, MAX_FEN + 1, 2**31, 2**63, -(2**63)])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
INSTANTS = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)
VALUES = JSON | INSTANTS | st.datetimes().map(datetime.isoformat)


@pytest.fixture
def api(client, session, make_member, now, monkeypatch):
    """A test client, a live key, one member (returned with the client) and a stopped clock."""
    apikeys.create(session, "t", now=now, key="test-key")
    factories.store(session, "SH001")
    member = make_member()
    session.commit()
    monkeypatch.setattr(routes, "utcnow", lambda: now)
    return client, member.member_no


def check(response) -> None:
    """A documented status; an error is exactly {"error": {"code": str, "message": str}}."""
    assert response.status_code in ALLOWED, (response.status_code, response.get_data())
    event(f"status {response.status_code}")  # --hypothesis-show-statistics shows the spread
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert list(body) == ["error"] and sorted(body["error"]) == ["code", "message"]
        assert all(isinstance(value, str) for value in body["error"].values())


@st.composite
def orders(draw, member_no: str) -> dict:
    """A valid order (from a few order numbers, so replays and conflicts happen), then edits."""
    paid = draw(st.sampled_from([0, 100, 12_345]) | st.integers(0, 10**7))
    body = {
        "order_no": f"F{draw(st.integers(0, 40))}",
        "member_no": member_no,
        "store_code": "SH001",
        "paid_fen": paid,
        "paid_at": "2026-06-15T09:00:00+08:00",
    }
    if draw(st.booleans()):
        body["lines"] = [
            {
                "sku": "S1",
                "category": draw(st.sampled_from(["skincare", "gift_card"])),
                "qty": 1,
                "paid_fen": paid,
            }
        ]
    fields = ["order_no", "member_no", "phone", "store_code", "paid_fen", "paid_at", "lines", "x"]
    for field in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        if draw(st.booleans()):
            body.pop(field, None)
        else:
            body[field] = draw(VALUES)
    if body.get("lines") and isinstance(body["lines"], list) and draw(st.booleans()):
        line = body["lines"][0]
        if isinstance(line, dict):
            line[draw(st.sampled_from(["sku", "category", "qty", "paid_fen", "y"]))] = draw(VALUES)
    return body


@FUZZ
@given(body=JSON)
def test_any_json_posted_as_an_order(api, body):
    client, _ = api
    check(client.post(ORDERS, data=json.dumps(body), headers=AUTH, content_type="application/json"))


@FUZZ
@given(raw=st.binary(max_size=64))
def test_any_bytes_posted_to_either_endpoint(api, raw):
    client, _ = api
    check(client.post(ORDERS, data=raw, headers=AUTH, content_type="application/json"))
    check(
        client.post(f"{ORDERS}/F1/refunds", data=raw, headers=AUTH, content_type="application/json")
    )


@FUZZ
@given(data=st.data())
def test_mutations_of_a_valid_order(api, data):
    client, member_no = api
    response = client.post(ORDERS, json=data.draw(orders(member_no)), headers=AUTH)
    check(response)
    if response.status_code in (200, 201):
        assert sorted(response.json) == ["balance", "order_no", "points_awarded", "tier"]


@FUZZ
@given(
    data=st.data(),
    refund_no=st.integers(0, 40).map(lambda n: f"R{n}"),
    refund_fen=st.integers(1, 3_000),
    broken=st.sets(
        st.sampled_from(["order_no", "refund_no", "refund_fen", "drop_no", "drop_fen", "extra"]),
        max_size=2,
    ),
)
def test_mutations_of_a_valid_refund(api, data, refund_no, refund_fen, broken):
    client, member_no = api
    client.post(
        ORDERS,
        headers=AUTH,
        json={
            "order_no": "F1",
            "member_no": member_no,
            "store_code": "SH001",
            "paid_fen": 10_000,
            "paid_at": "2026-06-15T09:00:00+08:00",
        },
    )
    order_no = data.draw(st.text(min_size=1, max_size=70)) if "order_no" in broken else "F1"
    body = {
        "refund_no": data.draw(VALUES) if "refund_no" in broken else refund_no,
        "refund_fen": data.draw(VALUES) if "refund_fen" in broken else refund_fen,
    }
    body |= {"x": 1} if "extra" in broken else {}
    body.pop("refund_no" if "drop_no" in broken else "", None)
    body.pop("refund_fen" if "drop_fen" in broken else "", None)
    check(client.post(f"{ORDERS}/{quote(order_no, safe='')}/refunds", json=body, headers=AUTH))


@FUZZ
@given(
    header=st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
    member_no=st.text(min_size=1, max_size=30),
    phone=st.text(max_size=30),
)
def test_keys_and_member_look_ups(api, header, member_no, phone):
    client, _ = api
    response = client.post(ORDERS, json={}, headers={"Authorization": header})
    assert response.status_code in ({401, 422} if "test-key" in header else {401})
    check(response)
    check(client.get(f"/api/v1/members/{quote(member_no, safe='')}", headers=AUTH))
    check(client.get(f"/api/v1/members?phone={quote(phone, safe='')}", headers=AUTH))
