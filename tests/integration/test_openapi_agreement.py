"""The OpenAPI document and the API's validator agree: what the document allows is never refused as
a bad request, what it forbids always is (400/422 with the JSON error envelope).

Schema-valid bodies are generated from the document itself (`from_schema` below: the keywords the
document uses; hypothesis-jsonschema 0.23 does not run on this Hypothesis). JSON Schema
cannot state two rules, which the document gives in words and the API answers 422
validation_failed naming them: the lines' paid_fen add up to paid_fen, and paid_at lies between
2000 and five minutes from now. Business answers (404 unknown member/order, 409 replay conflict,
422 unknown_store, refund_too_large, issue_cap_reached) are fine for schema-valid bodies.
"""

import copy
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from app.blueprints.api import routes
from app.blueprints.api.openapi import DOCUMENT
from app.blueprints.api.schemas import MAX_FEN, RULE_LINES_ADD_UP, RULE_PAID_AT_WINDOW
from app.inputs import MAX_URL
from app.services.accounts import apikeys
from tests import factories

AUTH = {"Authorization": "Bearer test-key"}
SHAPE_ERRORS = {"invalid_json", "validation_failed"}
AGREE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _inline(node):
    """The schema with every #/components/schemas/… reference replaced by its target."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(DOCUMENT["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item) for item in node]
    return node


def _ecma_pattern(validator, pattern, instance, schema):
    """JSON Schema patterns are ECMA-262: `$` is the end of input (in Python it also matches
    before a final newline, which would call "A1\\n" valid)."""
    if isinstance(instance, str):
        python = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
        if not re.search(python, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")


# The API's reading of the document: JSON integers are integers (5.0 is refused, as the
# document's description says), patterns are ECMA-262, formats are checked.
ApiValidator = validators.extend(
    Draft202012Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: type(value) is int
    ),
)
ORDER = _inline(DOCUMENT["components"]["schemas"]["Order"])
REFUND = _inline(DOCUMENT["components"]["schemas"]["Refund"])


def _parameter(path: str, name: str) -> dict:
    item = DOCUMENT["paths"][path]
    parameters = item.get("parameters", []) + item.get("get", {}).get("parameters", [])
    return next(p["schema"] for p in parameters if p["name"] == name)


PHONE_QUERY = _parameter("/api/v1/members", "phone")
MEMBER_NO = _parameter("/api/v1/members/{member_no}", "member_no")
ORDER_NO = _parameter("/api/v1/orders/{order_no}/refunds", "order_no")


def valid(schema: dict, value) -> bool:
    """Whether the document allows `value`."""
    return ApiValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).is_valid(value)


def _string(schema: dict) -> st.SearchStrategy:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 100)
    if "pattern" not in schema:
        return st.text(min_size=low, max_size=high)
    inner = schema["pattern"].removeprefix("^").removesuffix("$")
    return st.from_regex(inner, fullmatch=True).filter(lambda text: low <= len(text) <= high)


def _object(schema: dict) -> st.SearchStrategy:
    properties, required = schema["properties"], set(schema.get("required", ()))
    if "oneOf" in schema:  # exactly one of these `required` alternatives
        choice = st.sampled_from([set(option["required"]) for option in schema["oneOf"]])
    else:
        choice = st.just(set())
    alternatives = {key for option in schema.get("oneOf", ()) for key in option["required"]}

    @st.composite
    def build(draw):
        chosen = draw(choice)
        body = {}
        for key, sub in properties.items():
            if key in required | chosen or (key not in alternatives and draw(st.booleans())):
                body[key] = draw(_strategy(sub))
        return body

    return build()


def _strategy(schema: dict) -> st.SearchStrategy:
    kind = schema["type"]
    if kind == "object":
        return _object(schema)
    if kind == "array":
        return st.lists(_strategy(schema["items"]), max_size=min(schema.get("maxItems", 5), 5))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    return _string(schema)


def from_schema(schema: dict) -> st.SearchStrategy:
    """Values the document allows, built from its keywords (and checked against it)."""
    return _strategy(schema).filter(lambda value: valid(schema, value))


@pytest.fixture
def api(client, session, make_member, now, monkeypatch):
    """A live key, store SH001, one member and a stopped clock: (client, member_no)."""
    apikeys.create(session, "t", now=now, key="test-key")
    factories.store(session, "SH001")
    member = make_member()
    session.commit()
    monkeypatch.setattr(routes, "utcnow", lambda: now)
    return client, member.member_no


def _envelope(response) -> dict:
    body = response.get_json()
    assert isinstance(body, dict) and list(body) == ["error"], response.get_data()
    assert sorted(body["error"]) == ["code", "message"]
    return body["error"]


def accepted_shape(response, *unstated: str) -> None:
    """A schema-valid request: an answer, or a business refusal, never 'bad request'; a
    validation_failed only for a rule JSON Schema cannot state (`unstated`)."""
    assert response.status_code in (200, 201, 404, 409, 422), response.get_data()
    if response.status_code >= 400:
        error = _envelope(response)
        if error["code"] in SHAPE_ERRORS:
            assert any(error["message"].endswith(rule) for rule in unstated), error


def refused_shape(response) -> None:
    """A schema-invalid request: 400/422 with the envelope."""
    assert response.status_code in (400, 422), response.get_data()
    assert _envelope(response)["code"] in SHAPE_ERRORS


def _within_rules(draw, body: dict, member_no: str) -> dict:
    """Often also satisfy the two unstated rules, a real member and store, so 201s happen."""
    body = copy.deepcopy(body)
    lines = body.get("lines") or []
    total = sum(line["paid_fen"] for line in lines)
    if lines and total <= MAX_FEN and draw(st.booleans()):
        body["paid_fen"] = total
    if draw(st.booleans()):  # a leap year keeps a generated Feb 29 real
        body["paid_at"] = draw(st.sampled_from(["2004", "2016", "2024"])) + body["paid_at"][4:]
    if draw(st.booleans()):
        body.pop("phone", None)
        body["member_no"], body["store_code"] = member_no, "SH001"
    return body


@AGREE
@given(data=st.data())
def test_a_schema_valid_order_is_never_a_bad_request(api, data):
    client, member_no = api
    body = _within_rules(data.draw, data.draw(from_schema(ORDER)), member_no)
    assert valid(ORDER, body)
    response = client.post("/api/v1/orders", json=body, headers=AUTH)
    accepted_shape(response, RULE_LINES_ADD_UP, RULE_PAID_AT_WINDOW)


@AGREE
@given(body=from_schema(REFUND), order_no=from_schema(ORDER_NO) | st.just("F1"))
def test_a_schema_valid_refund_is_never_a_bad_request(api, body, order_no):
    client, member_no = api
    client.post(
        "/api/v1/orders",
        headers=AUTH,
        json={
            "order_no": "F1",
            "member_no": member_no,
            "store_code": "SH001",
            "paid_fen": 10_000,
            "paid_at": "2026-06-15T09:00:00+08:00",
        },
    )
    url = f"/api/v1/orders/{quote(order_no, safe='')}/refunds"
    accepted_shape(client.post(url, json=body, headers=AUTH))


@AGREE
@given(phone=from_schema(PHONE_QUERY), member_no=from_schema(MEMBER_NO))
def test_schema_valid_look_ups_are_never_a_bad_request(api, phone, member_no):
    client, _ = api
    accepted_shape(client.get("/api/v1/members", query_string={"phone": phone}, headers=AUTH))
    accepted_shape(client.get(f"/api/v1/members/{quote(member_no, safe='')}", headers=AUTH))


# --- the other way round: what the document forbids is refused ------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=70)
NASTY_TEXT = st.sampled_from(["", " A1", "A1 ", "A1\n", "a\x00b", "店铺", "\t", "x" * 70]) | TEXT
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
NASTY = (
    NASTY_TEXT
    | JSON_VALUES
    | st.sampled_from([-1, 0, MAX_FEN + 1, 2**31, 2**63, 5.0, True, 1.5, "1"])
    | st.sampled_from(
        [
            "2026-06-15t09:00:00+08:00",
            "2026-06-15T09:00:00",
            "2026-06-15 09:00:00+08:00",
            "2026-06-15T09:00:60+08:00",
            "2026-06-15T09:00:00.1234567+08:00",
            "2026-02-30T09:00:00+08:00",
            "2026-06-15T09:00:00+24:00",
        ]
    )
)


def _paths(node, prefix=()):
    """Every (path, value) inside a JSON body, the body itself first."""
    yield prefix, node
    if isinstance(node, dict | list):
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            yield from _paths(value, (*prefix, key))


@st.composite
def broken(draw, body: dict):
    """The body with one place dropped, replaced or given an unknown key."""
    body = copy.deepcopy(body)
    path, node = draw(st.sampled_from(list(_paths(body))))
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(["x", "discount_fen", "phone", "member_no"]))] = draw(NASTY)
    elif path and action == "drop":
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    elif path:
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = draw(NASTY)
    else:
        body = draw(NASTY)
    return body


VALID_ORDER = {
    "order_no": "B1",
    "member_no": "10000001",
    "store_code": "SH001",
    "paid_fen": 100,
    "paid_at": "2026-06-15T09:00:00+08:00",
    "lines": [{"sku": "S1", "category": "skincare", "qty": 1, "paid_fen": 100}],
}


@AGREE
@given(body=broken(VALID_ORDER))
def test_a_schema_invalid_order_is_refused(api, body):
    assume(not valid(ORDER, body))
    refused_shape(api[0].post("/api/v1/orders", json=body, headers=AUTH))


@AGREE
@given(body=broken({"refund_no": "R1", "refund_fen": 100}))
def test_a_schema_invalid_refund_is_refused(api, body):
    assume(not valid(REFUND, body))
    refused_shape(api[0].post("/api/v1/orders/F1/refunds", json=body, headers=AUTH))


@AGREE
@given(phone=NASTY_TEXT)
def test_a_schema_invalid_phone_query_is_refused(api, phone):
    assume(not valid(PHONE_QUERY, phone))
    url = f"/api/v1/members?phone={quote(phone, safe='')}"
    refused_shape(api[0].get(url, headers=AUTH))


@AGREE
@given(raw=st.binary(max_size=40) | JSON_VALUES.map(json.dumps).map(str.encode))
def test_whatever_json_arrives_the_document_and_the_api_agree(api, raw):
    client, _ = api
    response = client.post(
        "/api/v1/orders", data=raw, headers=AUTH, content_type="application/json"
    )
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if body is not None and valid(ORDER, body):
        accepted_shape(response, RULE_LINES_ADD_UP, RULE_PAID_AT_WINDOW)
    else:
        refused_shape(response)


# --- oversize URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/members/" + "1" * 10_000,
        "/api/v1/members?phone=" + "1" * 10_000,
        "/api/v1/orders/" + "A" * 10_000 + "/refunds",
        "/api/v1/members/" + "1" * (MAX_URL - len("/api/v1/members/") + 1),
    ],
)
def test_an_oversize_url_is_a_414_in_the_json_envelope(api, url):
    client, _ = api
    method = client.post if url.endswith("/refunds") else client.get
    response = method(url, headers=AUTH, json={"refund_no": "R1", "refund_fen": 1})
    assert response.status_code == 414
    assert _envelope(response)["code"] == "request_uri_too_long"
    assert "414" in DOCUMENT["paths"]["/api/v1/members/{member_no}"]["get"]["responses"]


def test_an_oversize_url_elsewhere_is_the_error_page(client):
    for url in ("/gifts/" + "1" * 10_000, "/?kind=" + "x" * 10_000):
        response = client.get(url)
        assert response.status_code == 414
        assert response.mimetype == "text/html" and "<html" in response.get_data(as_text=True)


def test_a_url_at_the_limit_is_read(api):
    client, member_no = api
    url = f"/api/v1/members/{member_no}?x=" + "1" * (MAX_URL - 30)
    assert len(url) < MAX_URL and client.get(url, headers=AUTH).status_code == 200


def test_gunicorn_lets_request_lines_reach_the_app():
    """Its default (4094) would answer a 4-8 KB URL itself, as HTML; ours reaches the app."""
    namespace = {}
    exec((Path(__file__).parents[2] / "gunicorn.conf.py").read_text(), namespace)  # our file
    assert namespace["limit_request_line"] > MAX_URL + len("GET  HTTP/1.1")
