"""Bad input is a 404 or a form error, never a 500: huge ids, NUL, CR/LF, Unicode digits."""

import warnings

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, PasswordField, StringField, TextAreaField

from app.blueprints.auth.forms import RegisterForm
from app.blueprints.forms import Form
from app.models import Address, LedgerEntry, Member, Order, User
from app.services.accounts import accounts
from app.services.counter import counter, member_code
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from

HUGE = [2**31, 2**63, 2**64, 10**30]  # past PostgreSQL INTEGER / SQLite INTEGER
FULLWIDTH = "１３７００００９９９９"  # the member's phone, in full-width digits
ARABIC_INDIC = "١٢٣٤٥٦٧٨٩٠١٢٣"


@pytest.fixture
def shop(client, login_as, member_user, session):
    """A member with 1,000 points at the mall: (client, csrf, gift)."""
    factories.store(session)
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    gift = factories.gift(session, points_price=100, stock=5)
    session.commit()
    client.set_cookie("lang", "en")
    return client, login_as("13700009999"), gift


@pytest.fixture
def advisor(client, session, member_user):
    """A client logged in as advisor A0001: (client, csrf)."""
    user = factories.advisor(session)
    user.password_hash = accounts.hash_password("secret123")
    session.commit()
    client.set_cookie("lang", "en")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"identifier": "A0001", "password": "secret123", "csrf_token": token}
    )
    return client, csrf_from(client.get("/counter/").get_data(as_text=True))


def rows(session, model) -> int:
    session.rollback()  # read what the requests committed
    return session.scalar(select(func.count()).select_from(model))


# --- 14: ids ---------------------------------------------------------------------------------


def test_an_id_no_column_can_hold_is_a_404(shop):
    client, _, _ = shop
    for number in [*HUGE, "１２", "١٢٣", "9" * 400]:
        for url in ("/gifts/{}", "/gifts/{}/breakdown", "/orders/{}", "/orders/{}/book"):
            assert client.get(url.format(number)).status_code == 404, (url, number)
        assert client.get(f"/flash/{number}/stock").status_code == 404


def test_posting_to_an_id_past_the_column_is_a_404(shop, session):
    client, csrf, _ = shop
    urls = ("/gifts/{}/redeem", "/flash/{}/redeem", "/orders/{}/cancel", "/orders/{}/pay")
    for url, number in ((url, number) for url in urls for number in HUGE):
        # werkzeug answers 405 when the path is a GET page's and only the id is out of range
        status = client.post(url.format(number), data={"csrf_token": csrf}).status_code
        assert status in (404, 405)
    assert rows(session, Order) == 0


INTEGER_FIELDS = [
    ("qty", str(2**31)),
    ("qty", str(2**64)),
    ("qty", "１"),
    ("qty", "1_0"),
    ("store_id", str(2**31)),
    ("store_id", str(2**64)),
    ("address_id", str(2**63)),
    ("slot_id", str(2**64)),
    ("yuan_by_points", str(2**64)),
]


def test_integer_fields_past_the_column_are_form_errors(shop, session):
    client, csrf, gift = shop
    data = {"csrf_token": csrf, "qty": "1", "delivery": "pickup", "request_key": "k1"}
    for field, value in INTEGER_FIELDS:
        response = client.post(f"/gifts/{gift.id}/redeem", data={**data, field: value})
        assert response.status_code == 422, (field, value)
        assert 'data-testid="form-error"' in response.get_data(as_text=True)
        breakdown = client.get(f"/gifts/{gift.id}/breakdown", query_string={field: value})
        assert breakdown.status_code == 200
    assert rows(session, Order) == 0


def test_booking_a_slot_id_past_the_column_is_refused(shop, session):
    client, csrf, _ = shop
    slot = factories.slot(session, utcnow(), hours=30)
    session.commit()
    client.post(
        f"/gifts/{slot.gift_id}/redeem",
        data={"csrf_token": csrf, "qty": "1", "request_key": "svc"},
    )
    order = session.scalar(select(Order))
    for value in [str(2**31), str(2**64), "١٢", "-1", "9" * 5000]:
        response = client.post(
            f"/orders/{order.id}/book", data={"csrf_token": csrf, "slot_id": value}
        )
        assert response.status_code == 303 and "error=" in response.headers["Location"]


def test_a_points_page_number_past_the_column_is_the_first_page(shop):
    client, _, _ = shop
    for page in [str(2**31), str(2**64), "١٢", "-5", "x"]:
        assert client.get("/me/points", query_string={"page": page}).status_code == 200


def test_counter_gift_id_past_the_column_is_a_banner(advisor, session, member_user):
    client, csrf = advisor
    code = member_code.code_for(member_user, utcnow())
    for gift_id in (str(2**31), str(2**64), "١"):
        response = client.post(
            "/counter/redeem",
            data={"csrf_token": csrf, "member_code": code, "gift_id": gift_id, "request_key": "r"},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert rows(session, Order) == 0


def test_counter_ids_past_the_column_are_404(advisor):
    client, csrf = advisor
    for url in ("/counter/benefits/{}", "/counter/bookings/{}/check_in"):
        assert client.post(url.format(2**64), data={"csrf_token": csrf}).status_code == 404


# --- 14: NUL and other control characters in text ------------------------------------------


def test_a_login_identifier_with_control_characters_is_a_form_error(client, member_user):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for value in ["13700009999\x00", "\x00", "A0001\x1b", "a\r\nb"]:
        response = client.post(
            "/login", data={"identifier": value, "password": "secret123", "csrf_token": token}
        )
        assert response.status_code == 422
        assert 'data-testid="form-error"' in response.get_data(as_text=True)


def app_forms() -> list[type]:
    """Every form class of the app (the blueprints import them all)."""
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("app.") and cls is not Form:
            found.append(cls)
    return found


def test_every_form_of_the_app_is_a_form(app):
    assert len(app_forms()) >= 10
    assert [cls for cls in app_forms() if not issubclass(cls, Form)] == []


def hostile_values(kind: type) -> list[str]:
    if issubclass(kind, PasswordField):
        return []
    if issubclass(kind, TextAreaField):
        return ["a\x00b", "\x00", "x\x1b[31m"]  # line breaks are fine in a text area
    if issubclass(kind, StringField):
        return ["a\x00b", "\x00", "x\x1b[31m", "a\r\nb"]
    if issubclass(kind, IntegerField):
        return [str(2**31), str(2**63), "-" + str(2**31), "１", "١٢", "1_0", "9" * 5000]
    return []


def test_every_text_and_integer_field_refuses_what_no_column_holds(app):
    checked = 0
    for cls in app_forms():
        fields = {k: v.field_class for k, v in vars(cls).items() if hasattr(v, "field_class")}
        for name, kind in fields.items():
            for value in hostile_values(kind):
                with app.test_request_context(method="POST"), warnings.catch_warnings():
                    # (tuple choices warn in WTForms 3.3: not this test's subject)
                    warnings.simplefilter("ignore", DeprecationWarning)
                    form = cls(formdata=MultiDict({name: value}), meta={"csrf": False})
                    field = form[name]
                    assert not field.validate(form) and field.errors, (cls, name, value)
                checked += 1
    assert checked > 50


def test_a_referral_code_with_nul_is_a_form_error(app):
    with app.test_request_context(method="POST"):
        form = RegisterForm(formdata=MultiDict({"referral_code": "AB\x00CD"}), meta={"csrf": False})
        assert not form.validate() and "referral_code" in form.errors


def test_a_profile_name_with_nul_is_a_form_error(shop, session, member_user):
    client, csrf, _ = shop
    response = client.post("/me/profile", data={"csrf_token": csrf, "name": "Li\x00"})
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.get(Member, member_user.id).name in (None, "")


def test_an_address_with_nul_is_refused(shop, session):
    client, csrf, gift = shop
    data = {"recipient": "Li", "phone": "13800000000", "region": "上海 徐汇", "detail": "1 Road"}
    for field in ["recipient", "region", "detail", "phone"]:
        response = client.post(
            "/me/addresses",
            data={"csrf_token": csrf, "next": f"/gifts/{gift.id}", **data, field: "x\x00y"},
        )
        assert response.status_code == 303 and "address_error" in response.headers["Location"]
    assert rows(session, Address) == 0


def test_a_request_key_with_nul_is_refused(shop, session):
    client, csrf, gift = shop
    event = factories.flash(session, utcnow(), price=10)
    session.commit()
    for url in (f"/gifts/{gift.id}/redeem", f"/flash/{event.id}/redeem"):
        response = client.post(
            url,
            data={"csrf_token": csrf, "qty": "1", "delivery": "pickup", "request_key": "k\x00"},
        )
        assert response.status_code in (400, 422)
    assert rows(session, Order) == 0


def test_a_counter_look_up_with_nul_is_a_banner(advisor):
    client, csrf = advisor
    response = client.post(
        "/counter/lookup", data={"csrf_token": csrf, "query": "137\x00"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert 'data-testid="form-error"' in response.get_data(as_text=True)


# --- 14: CR/LF in next -----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/me\r\nSet-Cookie: x=1", "/me\x00", "/\n/x"])
def test_a_next_with_line_breaks_goes_home(client, member_user, target):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    language = client.post("/lang", data={"csrf_token": token, "lang": "en", "next": target})
    assert language.status_code == 303 and language.headers["Location"] == "/"
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"identifier": "13700009999", "password": "secret123", "csrf_token": token},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/me"


def test_a_next_with_line_breaks_after_adding_an_address(shop):
    client, csrf, gift = shop
    response = client.post(
        "/me/addresses", data={"csrf_token": csrf, "next": f"/gifts/{gift.id}\r\nX: 1"}
    )
    assert response.status_code == 303 and "\n" not in response.headers["Location"]


# --- 14: Unicode digits at the counter -------------------------------------------------------


def test_a_member_code_in_unicode_digits_finds_no_one(advisor, session):
    client, csrf = advisor
    for query in [FULLWIDTH, ARABIC_INDIC, "١٢٣٤٥٦٧", "10000001١٢٣٤٥٦"]:
        response = client.post(
            "/counter/lookup", data={"csrf_token": csrf, "query": query}, follow_redirects=True
        )
        assert response.status_code == 200
        assert "No member found" in response.get_data(as_text=True)
        assert counter.find(session, query, utcnow()) is None


def test_a_member_code_keeps_its_ascii_digits_only(session, member_user):
    now = utcnow()
    code = member_code.code_for(member_user, now)
    assert member_code.resolve(session, f" {code[:4]}-{code[4:]} ", now) == member_user
    assert member_code.resolve(session, code + "٣", now) == member_user  # a stray digit is dropped
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert member_code.resolve(session, arabic, now) is None


# --- 15: one phone number, one spelling --------------------------------------------------------


@pytest.mark.parametrize(
    "twin", ["13800000000\n", " 13800000000", "13800000000 \n", "13800000000\t"]
)
def test_a_trailing_newline_is_not_a_second_account(session, now, twin):
    accounts.register(session, "13800000000", "secret123", "", now=now)
    with pytest.raises(accounts.AccountError, match="phone_taken"):
        accounts.register(session, twin, "secret123", "", now=now)
    assert session.scalar(select(func.count()).select_from(User)) == 1
    bonuses = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert bonuses == 1


@pytest.mark.parametrize("phone", [FULLWIDTH, "1380000000٠", "138000000001", "1380000000"])
def test_a_phone_in_other_digits_is_invalid(session, now, phone):
    with pytest.raises(accounts.AccountError, match="phone_invalid"):
        accounts.register(session, phone, "secret123", "", now=now)


def test_a_phone_is_stored_without_outer_blanks(session, now):
    member = accounts.register(session, " 13800000000\n", "secret123", "", now=now)
    assert member.user.phone == "13800000000"
    assert balances.balance(session, member.id, now) > 0
    twin = accounts.create_member(session, "13800000001 ", "secret123", now=now, password_hash="x")
    assert twin.user.phone == "13800000001"
