"""The POS API: orders, replays, conflicts, refunds, member look-ups, auth, validation, OpenAPI."""

import copy
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.blueprints.api import routes
from app.blueprints.api.openapi import DOCUMENT
from app.blueprints.api.schemas import MAX_FEN, MAX_LINES
from app.extensions import db
from app.models import ApiKey, PointTransaction, PosOrder, PosRefund
from app.services.accounts import apikeys
from app.services.points import balances, ledger, purchases, tiers
from tests import factories
from tests.integration.test_query_budgets import counting

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
ORDERS = "/api/v1/orders"
DROP = object()


@pytest.fixture
def api(client, session, now, monkeypatch):
    """A test client, a live API key, store SH001, and the API's clock stopped at `now`."""
    apikeys.create(session, "t", now=now, key=KEY)
    factories.store(session, "SH001")
    session.commit()
    monkeypatch.setattr(routes, "utcnow", lambda: now)
    return client


@pytest.fixture
def member(make_member, session):
    """A committed base-tier member."""
    made = make_member()
    session.commit()
    return made


def order_body(member, **changes) -> dict:
    """A valid order for `member`: 123.45 yuan of skincare, paid an hour before `now`."""
    body = {
        "order_no": "A1",
        "member_no": member.member_no,
        "store_code": "SH001",
        "paid_fen": 12_345,
        "paid_at": "2026-06-15T09:00:00+08:00",
        "lines": [{"sku": "S1", "category": "skincare", "qty": 1, "paid_fen": 12_345}],
    }
    return body | changes


def mutate(body: dict, path: tuple, value) -> dict:
    """A copy of body with the value at path replaced (or dropped)."""
    body = copy.deepcopy(body)
    *parents, last = path
    target = body
    for step in parents:
        target = target[step]
    if value is DROP:
        del target[last]
    else:
        target[last] = value
    return body


def conforms(payload: dict, schema_name: str) -> None:
    """The payload matches the schema the OpenAPI document publishes for it."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    Draft202012Validator(schema).validate(payload)


def is_error(response, status: int, code: str | None = None) -> dict:
    """The response is the API's JSON error with this status (and code)."""
    assert response.status_code == status, response.get_data(as_text=True)
    conforms(response.json, "Error")
    if code:
        assert response.json["error"]["code"] == code
    return response.json["error"]


def earn_count(session, order_no: str) -> int:
    key = f"purchase:{order_no}"
    return session.scalar(select(func.count()).where(PointTransaction.idem_key == key))


def refund(api, order_no: str, refund_no: str, fen: int):
    return api.post(
        f"{ORDERS}/{order_no}/refunds",
        headers=AUTH,
        json={"refund_no": refund_no, "refund_fen": fen},
    )


# --- orders -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "points", "tier"),
    [
        ({}, 123, "base"),
        ({"lines": DROP}, 123, "base"),
        ({"lines": []}, 123, "base"),
        (
            {
                "paid_fen": 15_000,
                "lines": [
                    {"sku": "S1", "category": "skincare", "qty": 2, "paid_fen": 10_000},
                    {
                        "sku": "G1",
                        "category": "gift_card",
                        "qty": 1,
                        "paid_fen": 5_000,
                    },  # earns nothing
                ],
            },
            100,
            "base",
        ),
        ({"paid_fen": 0, "lines": DROP}, 0, "base"),
        ({"paid_fen": 100_000, "lines": DROP}, 1_000, "silver"),  # 1,000 growth reaches silver
        ({"paid_at": "2026-06-15T01:00:00Z"}, 123, "base"),
        ({"paid_at": "2026-06-15T10:04:59+08:00"}, 123, "base"),  # clock skew under 5 minutes
        ({"member_no": DROP, "phone": "13700000001"}, 123, "base"),
    ],
)
def test_an_order_awards_points_once(api, session, member, now, changes, points, tier):
    body = order_body(member)
    for field, value in changes.items():
        body = mutate(body, (field,), value)
    response = api.post(ORDERS, json=body, headers=AUTH)
    assert response.status_code == 201, response.json
    assert response.json == {
        "order_no": "A1",
        "points_awarded": points,
        "balance": points,
        "tier": tier,
    }
    conforms(response.json, "OrderResult")
    assert balances.balance(session, member.id, now) == points
    assert earn_count(session, "A1") == (1 if points else 0)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"paid_at": "2026-06-15T01:00:00+00:00"},  # the same instant in another offset
        {"member_no": DROP, "phone": "13700000001"},  # the same member by phone
    ],
)
def test_a_replay_answers_the_first_result_and_awards_nothing(api, session, member, now, changes):
    first = api.post(ORDERS, json=order_body(member), headers=AUTH)
    ledger.debit(session, member.id, 23, "spend", now=now)  # the balance moves on meanwhile
    session.commit()
    body = order_body(member)
    for field, value in changes.items():
        body = mutate(body, (field,), value)
    again = api.post(ORDERS, json=body, headers=AUTH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json | {"balance": 100}
    assert balances.balance(session, member.id, now) == 100
    assert earn_count(session, "A1") == 1
    assert tiers.rolling_growth(session, member.id, now) == 123


@pytest.mark.parametrize(
    "changes",
    [
        {"paid_fen": 20_000, "lines": DROP},
        {"store_code": "BJ001"},
        {"paid_at": "2026-06-15T09:00:01+08:00"},
        {"lines": [{"sku": "S2", "category": "skincare", "qty": 1, "paid_fen": 12_345}]},
        {"member_no": "other"},
    ],
)
def test_the_same_order_no_with_another_body_is_a_conflict(
    api, session, member, make_member, now, changes
):
    other = make_member()
    session.commit()
    api.post(ORDERS, json=order_body(member), headers=AUTH)
    body = order_body(member)
    for field, value in changes.items():
        body = mutate(body, (field,), other.member_no if value == "other" else value)
    is_error(api.post(ORDERS, json=body, headers=AUTH), 409, "idempotency_conflict")
    assert balances.balance(session, member.id, now) == 123
    assert balances.balance(session, other.id, now) == 0
    assert earn_count(session, "A1") == 1


def test_an_unknown_member_is_404(api, session, member):
    body = order_body(member, member_no="99999999")
    is_error(api.post(ORDERS, json=body, headers=AUTH), 404, "member_not_found")
    body = mutate(order_body(member), ("member_no",), DROP) | {"phone": "13999999999"}
    is_error(api.post(ORDERS, json=body, headers=AUTH), 404, "member_not_found")
    assert session.scalar(select(func.count(PosOrder.id))) == 0


@pytest.mark.parametrize(("same", "status"), [(True, 200), (False, 409)])
def test_losing_an_insert_race_is_a_replay_or_a_conflict(
    api, session, member, monkeypatch, same, status
):
    """A twin request commits the order between our check and our insert (PostgreSQL)."""
    first = api.post(ORDERS, json=order_body(member), headers=AUTH)

    def lose_race(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO pos_orders", {}, Exception("duplicate key"))

    monkeypatch.setattr(purchases, "record_purchase", lose_race)
    body = order_body(member) if same else order_body(member, store_code="BJ001")
    response = api.post(ORDERS, json=body, headers=AUTH)
    if same:
        assert response.status_code == 200 and response.json == first.json
    else:
        is_error(response, status, "idempotency_conflict")


def test_an_integrity_error_without_a_twin_is_not_hidden(api, member, monkeypatch):
    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("some other constraint"))

    monkeypatch.setattr(purchases, "record_purchase", broken)
    with pytest.raises(IntegrityError):
        api.post(ORDERS, json=order_body(member), headers=AUTH)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("order_no",), DROP, "order_no"),
        (("order_no",), "", "order_no"),
        (("order_no",), 123, "order_no"),
        (("order_no",), "x" * 65, "order_no"),
        (("order_no",), "a\x00b", "order_no"),
        (("order_no",), "\ud800", "order_no"),
        (("order_no",), " A1", "order_no"),
        (("member_no",), 10_000_001, "member_no"),
        (("member_no",), None, "member_no"),
        (("member_no",), DROP, "member_no"),
        (("phone",), "13700000001", "member_no"),  # both member_no and phone
        (("store_code",), DROP, "store_code"),
        (("store_code",), "S" * 17, "store_code"),
        (("store_code",), ["SH001"], "store_code"),
        (("paid_fen",), "12345", "paid_fen"),
        (("paid_fen",), 12_345.0, "paid_fen"),
        (("paid_fen",), True, "paid_fen"),
        (("paid_fen",), -1, "paid_fen"),
        (("paid_fen",), MAX_FEN + 1, "paid_fen"),
        (("paid_fen",), None, "paid_fen"),
        (("paid_fen",), DROP, "paid_fen"),
        (("paid_at",), "2026-06-15T09:00:00", "paid_at"),  # naive
        (("paid_at",), "2026-06-15", "paid_at"),
        (("paid_at",), "yesterday", "paid_at"),
        (("paid_at",), 1_781_485_200, "paid_at"),
        (("paid_at",), "2026-06-15T10:05:01+08:00", "paid_at"),  # more than 5 minutes ahead
        (("paid_at",), "1999-12-31T23:59:59Z", "paid_at"),
        (("paid_at",), "0001-01-01T00:00:00+08:00", "paid_at"),
        (("paid_at",), "9999-12-31T23:59:59-12:00", "paid_at"),
        (("paid_at",), DROP, "paid_at"),
        (("lines",), "x", "lines"),
        (("lines",), None, "lines"),
        (("lines",), {}, "lines"),
        (("lines",), [1], "lines[0]"),
        (("lines",), [{}], "lines[0].sku"),
        (
            ("lines",),
            [{"sku": "S", "category": "c", "qty": 1, "paid_fen": 1}] * (MAX_LINES + 1),
            "lines",
        ),
        (("lines", 0, "qty"), 0, "lines[0].qty"),
        (("lines", 0, "qty"), 1.5, "lines[0].qty"),
        (("lines", 0, "qty"), True, "lines[0].qty"),
        (("lines", 0, "qty"), "1", "lines[0].qty"),
        (("lines", 0, "qty"), 100_001, "lines[0].qty"),
        (("lines", 0, "paid_fen"), -1, "lines[0].paid_fen"),
        (("lines", 0, "paid_fen"), 12_344, "lines"),  # lines no longer add up to paid_fen
        (("lines", 0, "sku"), DROP, "lines[0].sku"),
        (("lines", 0, "category"), "", "lines[0].category"),
        (("lines", 0, "colour"), "red", "lines[0].colour"),
        (("discount_fen",), 100, "discount_fen"),
    ],
)
def test_a_body_breaking_the_rules_is_422_and_writes_nothing(
    api, session, member, path, value, field
):
    body = mutate(order_body(member), path, value)
    error = is_error(api.post(ORDERS, json=body, headers=AUTH), 422, "validation_failed")
    assert error["message"].startswith(f"{field}: ")
    assert session.scalar(select(func.count(PosOrder.id))) == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b"12",
        b'"order"',
        b"\xff\xfe\x00",
        b"[" * 100_000,
        b"{'a': 1}",
    ],
)
@pytest.mark.parametrize("url", [ORDERS, f"{ORDERS}/A1/refunds"])
def test_a_body_that_is_not_a_json_object_is_400(api, url, raw):
    response = api.post(url, data=raw, headers=AUTH, content_type="application/json")
    is_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"refund_fen": 100}, "refund_no"),
        ({"refund_no": "R1"}, "refund_fen"),
        ({"refund_no": "R1", "refund_fen": 0}, "refund_fen"),
        ({"refund_no": "R1", "refund_fen": "100"}, "refund_fen"),
        ({"refund_no": "R1", "refund_fen": 100.0}, "refund_fen"),
        ({"refund_no": "R1", "refund_fen": False}, "refund_fen"),
        ({"refund_no": "", "refund_fen": 100}, "refund_no"),
        ({"refund_no": "R" * 65, "refund_fen": 100}, "refund_no"),
        ({"refund_no": "R1", "refund_fen": 100, "reason": "size"}, "reason"),
    ],
)
def test_a_refund_breaking_the_rules_is_422(api, body, field):
    error = is_error(api.post(f"{ORDERS}/A1/refunds", json=body, headers=AUTH), 422)
    assert error["message"].startswith(f"{field}: ")


# --- refunds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "steps",
    [
        # (refund_no, refund_fen, status, points_reversed, balance afterwards)
        [("R1", 2_500, 201, 25, 75)],
        [("R1", 2_500, 201, 25, 75), ("R2", 7_500, 201, 75, 0)],
        [("R1", 10_000, 201, 100, 0)],
        [("R1", 3_333, 201, 33, 67), ("R1", 3_333, 200, 33, 67)],
        [("R1", 1_000, 201, 10, 90), ("R1", 2_000, 409, None, 90)],
        [("R1", 10_001, 422, None, 100)],
        [("R1", 6_000, 201, 60, 40), ("R2", 4_001, 422, None, 40), ("R3", 4_000, 201, 40, 0)],
    ],
)
def test_refunds_reverse_the_refunded_share(api, session, member, now, steps):
    body = mutate(order_body(member, paid_fen=10_000), ("lines",), DROP)
    assert api.post(ORDERS, json=body, headers=AUTH).json["points_awarded"] == 100
    for refund_no, fen, status, reversed_points, balance in steps:
        response = refund(api, "A1", refund_no, fen)
        if status >= 400:
            is_error(response, status)
        else:
            assert response.status_code == status
            assert response.json == {
                "order_no": "A1",
                "refund_no": refund_no,
                "tier": "base",
                "points_reversed": reversed_points,
                "balance": balance,
            }
            conforms(response.json, "RefundResult")
        assert balances.balance(session, member.id, now) == balance


def test_a_full_refund_takes_back_growth_too(api, session, member, now):
    api.post(ORDERS, json=order_body(member), headers=AUTH)
    refund(api, "A1", "R1", 12_345)
    card = api.get(f"/api/v1/members/{member.member_no}", headers=AUTH).json
    assert (card["balance"], card["growth"]) == (0, 0)


def test_refund_errors(api, session, member, make_member):
    other = make_member()
    session.commit()
    api.post(ORDERS, json=order_body(member), headers=AUTH)
    api.post(ORDERS, json=order_body(other, order_no="B1"), headers=AUTH)
    assert refund(api, "A1", "R1", 100).status_code == 201
    is_error(refund(api, "B1", "R1", 100), 409, "idempotency_conflict")  # refund_no of A1
    is_error(refund(api, "NOPE", "R2", 100), 404, "order_not_found")
    is_error(refund(api, "bad%00no", "R2", 100), 404, "order_not_found")
    is_error(refund(api, "A1", "R3", 12_345), 422, "refund_too_large")
    assert session.scalar(select(func.count(PosRefund.id))) == 1


@pytest.mark.parametrize(("same", "status"), [(True, 200), (False, 409)])
def test_losing_a_refund_race_is_a_replay_or_a_conflict(api, member, monkeypatch, same, status):
    api.post(ORDERS, json=order_body(member), headers=AUTH)
    first = refund(api, "A1", "R1", 1_000)

    def lose_race(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO pos_refunds", {}, Exception("duplicate key"))

    monkeypatch.setattr(purchases, "refund", lose_race)
    response = refund(api, "A1", "R1", 1_000 if same else 2_000)
    if same:
        assert response.status_code == 200 and response.json == first.json
    else:
        is_error(response, status, "idempotency_conflict")


def test_refunding_a_later_order_keeps_the_referral_reward(api, session, make_member, now):
    """The reward stands as long as the referee's first order does, whatever happens later."""
    referrer = make_member()
    referee = make_member(referred_by_id=referrer.id)
    session.commit()
    api.post(ORDERS, json=order_body(referee, order_no="FIRST"), headers=AUTH)
    api.post(ORDERS, json=order_body(referee, order_no="LATER"), headers=AUTH)
    assert balances.balance(session, referrer.id, now) == 200
    assert refund(api, "LATER", "R1", 12_345).status_code == 201
    assert balances.balance(session, referrer.id, now) == 200
    assert refund(api, "FIRST", "R2", 12_345).status_code == 201
    assert balances.balance(session, referrer.id, now) == 0


# --- member look-ups ----------------------------------------------------------------------------


def test_a_member_card_by_number_and_by_phone(api, session, member, now):
    ledger.credit(session, member.id, "signin", 30, "s-recent", now=now - timedelta(days=10))
    ledger.credit(session, member.id, "signin", 40, "s-old", now=now - timedelta(days=100))
    session.commit()
    api.post(ORDERS, json=order_body(member), headers=AUTH)
    expected = {
        "member_no": member.member_no,
        "phone": "13700000001",
        "balance": 153,
        "tier": "base",
        "growth": 123,
        # earned June 5 (Shanghai): usable through the 90th day after, Sept 3
        "expiring": [{"points": 30, "expires_on": "2026-09-03"}],
    }
    by_number = api.get(f"/api/v1/members/{member.member_no}", headers=AUTH)
    by_phone = api.get("/api/v1/members?phone=13700000001", headers=AUTH)
    assert by_number.status_code == by_phone.status_code == 200
    assert by_number.json == by_phone.json == expected
    conforms(by_number.json, "Member")


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/members/99999999", 404, "member_not_found"),
        ("/api/v1/members/%00", 404, "member_not_found"),
        ("/api/v1/members/" + "1" * 40, 404, "member_not_found"),
        ("/api/v1/members?phone=13999999999", 404, "member_not_found"),
        ("/api/v1/members", 422, "validation_failed"),
        ("/api/v1/members?phone=", 422, "validation_failed"),
        ("/api/v1/members?phone=%00", 422, "validation_failed"),
        ("/api/v1/nowhere", 404, "not_found"),
    ],
)
def test_member_look_up_errors(api, member, url, status, code):
    is_error(api.get(url, headers=AUTH), status, code)


# --- auth, methods, OpenAPI ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-key",
        "Basic test-key",
        "test-key",
        "Bearer revoked-key",
    ],
)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", ORDERS),
        ("post", f"{ORDERS}/A1/refunds"),
        ("get", "/api/v1/members/10000001"),
        ("get", "/api/v1/members?phone=13700000001"),
    ],
)
def test_without_a_valid_key_every_endpoint_is_401(api, session, now, member, header, method, url):
    apikeys.create(session, "old", now=now, key="revoked-key")
    session.scalar(select(ApiKey).where(ApiKey.name == "old")).revoked_at = now
    session.commit()
    headers = {} if header is None else {"Authorization": header}
    response = getattr(api, method)(url, headers=headers, json=order_body(member))
    is_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert session.scalar(select(func.count(PosOrder.id))) == 0


def test_the_scheme_is_case_insensitive(api, member):
    headers = {"Authorization": "bearer test-key"}
    response = api.post(ORDERS, json=order_body(member), headers=headers)
    assert response.status_code == 201


def test_a_wrong_method_is_a_json_405(api):
    response = api.get(ORDERS, headers=AUTH)
    is_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_body_over_the_size_limit_is_a_json_413(api, app):
    raw = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = api.post(ORDERS, data=raw, headers=AUTH, content_type="application/json")
    is_error(response, 413, "request_entity_too_large")


def test_the_openapi_document_describes_every_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    validate_spec(doc)
    assert doc["openapi"] == "3.1.0"
    routes_found = {
        (rule.rule.replace("<", "{").replace(">", "}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert routes_found == documented
    assert {
        ("/api/v1/orders", "post"),
        ("/api/v1/orders/{order_no}/refunds", "post"),
        ("/api/v1/members/{member_no}", "get"),
        ("/api/v1/members", "get"),
        ("/api/v1/openapi.json", "get"),
    } <= documented
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


# What an order costs (issue 9 §3: ≥ 300 orders/s): a fixed number of statements, with the API
# key, the store codes and the tier ladder read from the shared cache, and the member locked once
# per transaction; each shortcut sees a change the moment it is committed.

ORDER_BUDGET = 11  # statements of a first order by a member without a referrer, BEGIN included


def locks(sent: list[str]) -> int:
    """The member-row locks among `sent` (`FOR UPDATE` on PostgreSQL, a read by id on SQLite,
    where BEGIN IMMEDIATE is the lock and the read still shows the query)."""
    return len([s for s in sent if s.startswith("SELECT members.") and "members.id = " in s])


def post(client, body):
    """POST an order as a server would run it; the response and the statements it sent."""
    db.session.commit()  # the request runs in a transaction of its own, as in a server
    with counting() as sent:
        response = client.post(ORDERS, json=body, headers=AUTH)
    return response, sent


def test_an_order_costs_a_fixed_number_of_statements(api, session, member):
    assert post(api, order_body(member, order_no="WARM"))[0].status_code == 201
    response, sent = post(api, order_body(member, order_no="A2"))
    assert response.status_code == 201
    assert len(sent) <= ORDER_BUDGET, "\n".join(sent)
    assert not [s for s in sent if "FROM api_keys" in s or "FROM stores" in s]
    assert not [s for s in sent if "FROM tiers" in s]
    assert locks(sent) == 1  # the order and its credit share one lock
    # the lock says whether the member is frozen; the credit's and growth's keys are named after
    # the order just written, so neither is looked up
    looked_up = ("SELECT member_freezes", "SELECT point_txns", "SELECT growth_events.id")
    assert not [s for s in sent if s.startswith(looked_up)]


def test_a_key_revoked_after_it_was_used_is_refused_at_once(api, session, member, now):
    assert post(api, order_body(member, order_no="A1"))[0].status_code == 201
    session.scalar(select(ApiKey).where(ApiKey.name == "t")).revoked_at = now
    session.commit()
    response, _ = post(api, order_body(member, order_no="A2"))
    assert response.status_code == 401
    assert session.scalar(select(PosOrder.id).where(PosOrder.order_no == "A2")) is None


def test_a_key_created_after_the_cache_was_filled_works_at_once(api, session, member, now):
    assert post(api, order_body(member, order_no="A1"))[0].status_code == 201
    apikeys.create(session, "new", now=now, key="new-key")
    session.commit()
    response = api.post(
        ORDERS, json=order_body(member, order_no="A2"), headers={"Authorization": "Bearer new-key"}
    )
    assert response.status_code == 201


def test_a_store_opened_after_the_cache_was_filled_is_known_at_once(api, session, member):
    assert post(api, order_body(member, order_no="A1"))[0].status_code == 201
    assert post(api, order_body(member, order_no="A2", store_code="GZ009"))[0].status_code == 422
    factories.store(session, "GZ009")
    session.commit()
    assert post(api, order_body(member, order_no="A3", store_code="GZ009"))[0].status_code == 201


def test_a_referred_members_first_order_still_rewards_the_referrer(api, session, make_member):
    referrer = make_member()
    referee = make_member(referred_by_id=referrer.id)
    session.commit()
    assert post(api, order_body(referee, order_no="R1"))[0].status_code == 201
    assert ledger.find(session, f"referral:{referee.id}") is not None
