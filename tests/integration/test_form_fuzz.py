"""Fuzzing every page and form: whatever is sent, never a 5xx, and a 4xx writes nothing.

Routes come from app.url_map (new ones are fuzzed without touching this file). Each route is
called as the role it needs (found by asking as visitor, member, advisor and operator), with a
valid CSRF token, with the fields of the forms its view uses: mostly plausible values, some
hostile (huge and negative integers, NUL and control characters, Unicode digits, CR/LF, very
long strings). Path parameters get real ids and ids no column holds.
"""

import inspect
import os
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from app import create_app
from app.config import TestConfig
from app.demo.defaults import seed_defaults
from app.engine import read_only
from app.extensions import db
from app.models import User
from app.services.accounts import accounts
from app.services.counter import member_code
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from app.timeutil import utcnow
from tests import factories
from tests.conftest import FreshClient, _fresh_url, csrf_from

# ~120 routes × (a probe + 4 examples) ≈ 30 s on SQLite; FUZZ_EXAMPLES=200 for a long hunt.
FUZZ = settings(
    # no shrinking: each step re-renders a page; the failing example is printed as found
    phases=(Phase.explicit, Phase.generate),
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "4")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # nothing kept between runs
    derandomize=not os.environ.get("FUZZ_RANDOM"),  # the same examples in CI; random for hunts
)
SKIPPED = ("static",)  # the POS API has its own fuzzers (test_api_fuzz, test_openapi_agreement)
# Throttle counters and audit trails record refused attempts by design.
EXPECTED_5XX = {"/healthz/ready": {503}}  # "not ready" is that page's answer, not a failure
BOOKKEEPING = {"rate_counters", "login_attempts", "staff_actions", "audit_log", "user_sessions"}
SUMS = {  # UPDATEs that row counts miss
    "gifts": "stock",
    "flash_events": "stock",
    "store_stock": "stock",
    "point_lots": "remaining",
    "service_slots": "booked",
}
ROLES = ("visitor", "member", "advisor", "operator")
HOME = {"visitor": "/login", "member": "/me", "advisor": "/counter/", "operator": "/admin/"}
PASSWORD = "secret123"
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)  # fast logins

HOSTILE_CONSTANTS = [
    str(2**31),
    str(2**31 - 1),
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "-1",
    "0",
    "9" * 400,
    "1e9",
    "1_000",
    " 1",
    "１３７００００９９９９",
    "١٢٣",
    "\x00",
    "a\x00b",
    "\r\n",
    "/me\r\nSet-Cookie: x=1",
    "13700009999\n",
    "\x1b[31m",
    "x" * 5_000,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "//evil.example",
    "NaN",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
HOSTILE = st.sampled_from(HOSTILE_CONSTANTS) | TEXT
# Query parameters the views read with request.args (forms read through the fields below).
QUERY_NAMES = [
    "page",
    "filter",
    "kind",
    "error",
    "next",
    "ref",
    "expired",
    "affordable",
    "phone",
    "sort",
    "dir",
    "q",
    "status",
    "from",
    "to",
    "log",
    "address_error",
]
RAW_FORM_NAMES = ["request_key", "slot_id", "next"]

ROUTE_APP = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")  # for the rule list only


def _routes() -> list[tuple[str, str]]:
    found = []
    for rule in ROUTE_APP.url_map.iter_rules():
        if rule.endpoint in SKIPPED or rule.endpoint.startswith("api."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method))
    return sorted(found)


def _fields_of(form_class: type) -> list[str]:
    return [name for name, value in vars(form_class).items() if hasattr(value, "field_class")]


def _names_used(function, depth: int = 2) -> set[str]:
    """Global names a view uses, and those of the module-level helpers it calls."""
    function = inspect.unwrap(function)
    code, module = getattr(function, "__code__", None), getattr(function, "__module__", "")
    if code is None:
        return set()
    names = set(code.co_names)
    for const in code.co_consts:  # lambdas and nested functions
        if inspect.iscode(const):
            names |= set(const.co_names)
    if depth:
        for name in list(names):
            helper = function.__globals__.get(name)
            if inspect.isfunction(helper) and helper.__module__ == module:
                names |= _names_used(helper, depth - 1)
    return names


def form_fields(app, endpoint: str) -> list[str]:
    """The fields of every form class the endpoint's view (or its helpers) names."""
    view = app.view_functions[endpoint]
    namespace = inspect.unwrap(view).__globals__
    fields = set(RAW_FORM_NAMES)
    for name in _names_used(view):
        value = namespace.get(name)
        if isinstance(value, type) and issubclass(value, FlaskForm):
            fields |= set(_fields_of(value))
    fields.discard("csrf_token")
    return sorted(fields)


def _world(session, now):
    """Something of everything, so real ids lead somewhere: {name: values} of good inputs."""
    store = factories.store(session)
    member = accounts.create_member(
        session, "13700009999", PASSWORD, now=now, password_hash=CHEAP_HASH
    )
    advisor = factories.advisor(session)
    operator = User(role="operator", staff_id="admin", display_name="admin", created_at=now)
    for user in (advisor, operator):
        user.password_hash = CHEAP_HASH
    session.add(operator)
    ledger.credit(session, member.id, "purchase", 500_000, "seed", now=now)
    plain = factories.gift(session, points_price=100, stock=50, per_order_max=5)
    cash = factories.gift(session, name="Cream", points_price=100, cash_fen=10_000, stock=50)
    slot = factories.slot(session, now, hours=30, capacity=5)
    event = factories.flash(session, now, price=10, stock=20)
    session.flush()
    order = redemption.redeem(session, member.id, plain.id, Checkout(request_key="w"), now=now)
    session.commit()
    ids = sorted({1, 2, store.id, plain.id, cash.id, slot.gift_id, event.id, order.id, slot.id})
    return {
        "ids": [str(i) for i in ids],
        "member_no": member.member_no,
        "code": member_code.code_for(member, now),
        "gift_id": [str(plain.id), str(cash.id), str(slot.gift_id)],
        "slot_id": [str(slot.id)],
        "store_id": [str(store.id)],
        "pickup_code": [order.pickup_code or "12345678"],
    }


GOOD = {
    "identifier": ["13700009999", "A0001", "admin"],
    "password": [PASSWORD],
    "confirm": [PASSWORD],
    "phone": ["13700009999", "13900000001"],
    "qty": ["1", "2"],
    "delivery": ["pickup", "ship"],
    "yuan_by_points": ["0", "10"],
    "amount": ["100", "12.50"],
    "receipt_no": ["R-1", "R-2"],
    "categories": ["skincare", "makeup"],
    "name": ["Li Hua", "丽华"],
    "birthday": ["1990-05-01"],
    "recipient": ["Li"],
    "region": ["上海 徐汇"],
    "detail": ["1 Road"],
    "lang": ["en", "zh_Hans"],
    "next": ["/", "/me"],
    "request_key": ["k1", "k2"],
    "points": ["10", "-10", "100"],
    "reason": ["goodwill"],
    "purpose": ["register", "reset"],
    "sms_code": ["123456"],
    "kind": ["physical", "coupon"],
    "filter": ["all", "earned"],
    "page": ["1", "2"],
}


def _good(name: str, world: dict) -> list[str]:
    if name in ("member_code", "query"):
        return [world["code"], "13700009999"]
    good = GOOD.get(name) or world.get(name)
    return good if isinstance(good, list) and good else world["ids"]


@st.composite
def inputs(draw, names: list[str], world: dict, absent: int = 2) -> dict:
    """Each field absent, plausible or hostile (one cheap draw per field keeps this fast)."""
    data = {}
    for name in names:
        mode = draw(st.integers(0, 9))
        if mode < absent:
            continue
        if mode < absent + 2:
            data[name] = draw(HOSTILE)
        else:
            data[name] = draw(st.sampled_from(_good(name, world)))
    return data


def _rule(app, rule_text: str):
    return next(r for r in app.url_map.iter_rules() if r.rule == rule_text)


def path_for(app, rule_text: str, pick, world: dict) -> str:
    """The rule with each variable filled in by `pick(choices_for_converter)`."""
    rule, path = _rule(app, rule_text), rule_text
    for converter in rule._converters.values():
        if isinstance(converter, AnyConverter):
            choices = st.sampled_from(sorted(converter.items)) | st.just("nope")
        elif isinstance(converter, IntegerConverter):
            choices = st.sampled_from(world["ids"]) | st.sampled_from(HOSTILE_CONSTANTS)
        else:
            choices = st.sampled_from([world["member_no"], "x"]) | HOSTILE
        start = path.index("<")
        end = path.index(">", start)
        path = path[:start] + quote(str(pick(choices)), safe="") + path[end + 1 :]
    return path


def plain_path(app, rule_text: str, world: dict) -> str:
    """The rule filled in with values that exist (for finding the route's role)."""
    rule, path = _rule(app, rule_text), rule_text
    for converter in rule._converters.values():
        if isinstance(converter, AnyConverter):
            value = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            value = "1"
        else:
            value = world["member_no"]
        start = path.index("<")
        path = path[:start] + value + path[path.index(">", start) + 1 :]
    return path


_FINGERPRINT_SQL = {}


def fingerprint(engine) -> tuple:
    """Row counts of every table but the bookkeeping ones, and the sums UPDATEs change."""
    if engine.url not in _FINGERPRINT_SQL:  # one statement, compiled once
        tables = [t for name, t in sorted(db.metadata.tables.items()) if name not in BOOKKEEPING]
        columns = [select(func.count()).select_from(t).scalar_subquery() for t in tables]
        for name, column in SUMS.items():
            table = db.metadata.tables.get(name)
            if table is not None and column in table.c:
                total = func.coalesce(func.sum(table.c[column]), 0)
                columns.append(select(total).scalar_subquery())
        compiled = select(*columns).compile(engine, compile_kwargs={"literal_binds": True})
        _FINGERPRINT_SQL[engine.url] = str(compiled)
    db.session.rollback()  # the requests share the test's session: end what they left open
    with read_only(), engine.connect() as conn:  # no BEGIN on SQLite: never waits
        return tuple(conn.exec_driver_sql(_FINGERPRINT_SQL[engine.url]).one())


def _login(app, role: str):
    client = FreshClient(app, app.response_class, use_cookies=True)
    client.set_cookie("lang", "en")
    if role != "visitor":
        token = csrf_from(client.get("/login").get_data(as_text=True))
        identifier = {"member": "13700009999", "advisor": "A0001", "operator": "admin"}[role]
        response = client.post(
            "/login", data={"identifier": identifier, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303, (role, response.status_code)
    token = csrf_from(client.get(HOME[role]).get_data(as_text=True))
    with client.session_transaction() as cookie:
        client.fuzz_state = (cookie.get("csrf_token"), cookie.get("_user_id"))  # see _intact
    return client, token


def _refused(response) -> bool:
    """The role may not use this route: 401/403, or sent to log in."""
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    return response.status_code in (401, 403) or (
        response.status_code in (301, 302, 303) and location.startswith("/login?")
    )


def _probe(clients: dict, method: str, path: str, first: str = "visitor") -> str:
    """The first role this route does not turn away."""
    for role in (first, *ROLES):
        client, token = clients[role]
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code < 500 or path == "/healthz/ready", (method, path, role)
        if not _refused(response):
            return role
    return "visitor"


def _check(response, before: tuple, after: tuple, what: str, allowed=frozenset()) -> None:
    status = response.status_code
    assert status < 500 or status in allowed, (what, status, response.get_data()[:2000])
    if 400 <= response.status_code < 500:
        assert before == after, (what, response.status_code, "wrote on a 4xx")


ROUTES = _routes()


@pytest.fixture(scope="module")
def shared(database_template, tmp_path_factory):
    """One database for the module (every example checks its own before/after), with a world."""
    url = _fresh_url(database_template, tmp_path_factory.mktemp("fuzz"))
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    application.test_client_class = FreshClient
    with application.app_context():
        seed_defaults(db.session)
        db.session.commit()
        world = _world(db.session, utcnow())
        yield application, world, {role: _login(application, role) for role in ROLES}
        db.session.remove()
        db.engine.dispose()


def _clients(app, clients: dict) -> dict:
    """The signed-in clients; logged in again if an earlier route disabled or reset an account."""
    db.session.rollback()
    users = db.session.scalars(
        select(User).where((User.phone == "13700009999") | User.staff_id.in_(("A0001", "admin")))
    ).all()
    changed = {user.role for user in users if not user.active or user.password_hash != CHEAP_HASH}
    for user in users:
        user.active, user.password_hash = True, CHEAP_HASH
    db.session.commit()
    for role in ROLES:
        if role in changed or not _intact(clients[role][0]):
            clients[role] = _login(app, role)
    return clients


def _intact(client) -> bool:
    """Still the same CSRF secret and login as after _login (/logout clears the session, fuzzing
    /login as the visitor signs it in)."""
    with client.session_transaction() as cookie:
        return client.fuzz_state == (cookie.get("csrf_token"), cookie.get("_user_id"))


def _likely(rule: str) -> str:
    """The role to ask first (the probe still asks the others if this one is turned away)."""
    prefixes = {"/admin": "operator", "/counter": "advisor", "/me": "member", "/orders": "member"}
    prefixes |= {"/gifts": "member", "/flash": "member"}
    return next((role for prefix, role in prefixes.items() if rule.startswith(prefix)), "visitor")


def test_every_route_is_fuzzed():
    """The list is read from the app: a new page or form is fuzzed without editing this file."""
    assert len(ROUTES) >= 40 and ("/gifts/<int:gift_id>/redeem", "POST") in ROUTES


@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_route_survives_hostile_input(shared, rule, method):
    """Never a 5xx; a 4xx leaves every table as it was."""
    app, world, clients = shared
    clients = _clients(app, clients)
    endpoint = next(
        r.endpoint for r in app.url_map.iter_rules() if r.rule == rule and method in r.methods
    )
    names, query = form_fields(app, endpoint), QUERY_NAMES if method == "GET" else []
    role = _probe(clients, method, plain_path(app, rule, world), _likely(rule))
    client, token = clients[role]
    allowed = EXPECTED_5XX.get(rule, set())

    # The clients are made here, not in fixtures: Hypothesis runs `fuzz` many times in one test.
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        path = path_for(app, rule, data.draw, world)
        values = data.draw(inputs(names, world)) | data.draw(inputs(query, world, absent=7))
        headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
        before = fingerprint(db.engine)
        if method == "GET":
            response = client.get(path, query_string=values, headers=headers)
        else:
            body = {**values, "csrf_token": token}
            response = client.open(path, method=method, data=body, headers=headers)
        what = f"{method} {path} as {role}: {values!r}"
        _check(response, before, fingerprint(db.engine), what, allowed)

    fuzz()


def test_the_fuzzer_reaches_member_only_and_advisor_only_routes(shared):
    """The role probe finds the roles (so member and counter forms are fuzzed behind the guard)."""
    app, _, clients = shared
    clients = _clients(app, clients)
    assert _probe(clients, "POST", "/me/profile") == "member"
    assert _probe(clients, "POST", "/counter/lookup") == "advisor"
    assert _probe(clients, "GET", "/admin/") == "operator"
    assert set(form_fields(app, "mall.redeem")) >= {"qty", "store_id", "address_id", "slot_id"}
    assert set(form_fields(app, "counter.redeem")) >= {"member_code", "gift_id", "qty"}
