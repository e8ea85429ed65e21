"""The task centre, sharing, reviews and the console's task and moderation pages: CSRF,
form errors that write nothing, finance reads only; member-day prices on the cached gift page."""

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import (
    AuditEntry,
    GiftReview,
    MemberDay,
    MemberDayPrice,
    Order,
    PointTransaction,
    TaskRule,
    Tier,
)
from app.services.accounts import accounts
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import balances, ledger
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client, app, tmp_path):
    """English pages; uploads in a temporary folder."""
    client.set_cookie("lang", "en")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


@pytest.fixture
def member(session, member_user, login_as):
    """The signed-in member with 500 points; returns (member, CSRF token)."""
    ledger.credit(session, member_user.id, "purchase", 500, "seed", now=datetime.now(UTC))
    session.commit()
    return member_user, login_as("13700009999")


def earn_count(session, member_id: int) -> int:
    return session.scalar(
        select(func.count(PointTransaction.id)).where(
            PointTransaction.member_id == member_id, PointTransaction.kind == "earn"
        )
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 120, 140)).save(out, "PNG")
    return out.getvalue()


def post_review(client, order_id: int, token: str, body: str, photo: bytes | None):
    fields = [("csrf_token", token), ("body", body)]
    if photo is not None:
        fields.append(("photo", FileStorage(io.BytesIO(photo), "photo.png")))
    boundary, data = encode_multipart(MultiDict(fields))
    return client.post(
        f"/me/reviews/{order_id}", data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
    )  # fmt: skip


def test_the_task_centre_lists_every_task_with_its_reward(client, member):
    page = client.get("/me/tasks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for code in ("signin", "profile", "first_redemption", "share_gift", "review_gift", "birthday"):
        assert f'data-task-code="{code}"' in html
    assert html.count('data-testid="task"') == 6
    fragment = client.get("/me/tasks", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert 'href="/me/tasks"' in client.get("/me").get_data(as_text=True)


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/me/tasks").status_code == 302


def test_sharing_needs_csrf_then_pays_once_and_carries_the_referral_code(client, session, member):
    person, token = member
    gift = factories.gift(session)
    session.commit()
    assert client.post(f"/gifts/{gift.id}/share").status_code == 400
    assert earn_count(session, person.id) == 1
    page = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert 'data-testid="share-button"' in page
    response = client.post(f"/gifts/{gift.id}/share", data={"csrf_token": token})
    assert response.status_code == 303
    shared = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"ref={person.referral_code}" in shared and "+5 points" in shared
    client.post(f"/gifts/{gift.id}/share", data={"csrf_token": token})
    assert earn_count(session, person.id) == 2  # the seed and one share
    assert client.post("/gifts/999999/share", data={"csrf_token": token}).status_code == 404


def test_claiming_the_first_redemption(client, session, member):
    person, token = member
    response = client.post("/me/tasks/first-redemption", data={"csrf_token": token})
    assert response.status_code == 303
    page = client.get("/me/tasks").get_data(as_text=True)
    assert 'data-testid="form-error"' in page and "Redeem a gift first" in page
    factories.store(session)
    gift = factories.gift(session)
    redemption.redeem(session, person.id, gift.id, Checkout(request_key="x"), now=datetime.now(UTC))
    session.commit()
    client.post("/me/tasks/first-redemption", data={"csrf_token": token})
    assert balances.balance(session, person.id, datetime.now(UTC)) == 430


@pytest.fixture
def collected(session, member):
    """The member's collected coupon order; returns (member, token, order)."""
    person, token = member
    gift = factories.gift(session, kind="coupon", stock=2, points_price=100, name="Mask")
    order = redemption.redeem(session, person.id, gift.id, Checkout(request_key="c"),
                              now=datetime.now(UTC))  # fmt: skip
    session.commit()
    return person, token, order


@pytest.mark.parametrize(
    ("body", "photo", "message"),
    [
        ("Lovely mask, very calming.", None, "Add a photo of the gift."),
        ("Lovely mask, very calming.", b"GIF89a not an image", "not a JPEG, PNG or WebP"),
        ("ok", "png", "between 5 and 500"),
    ],
)
def test_a_bad_review_is_refused_and_nothing_written(client, session, collected, body, photo,
                                                      message):  # fmt: skip
    _, token, order = collected
    response = post_review(client, order.id, token, body, png() if photo == "png" else photo)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in page and message in page
    assert session.scalar(select(func.count(GiftReview.id))) == 0


def test_a_review_shows_and_earns_only_after_approval(client, session, collected, login_as):
    person, token, order = collected
    assert client.get(f"/me/reviews/{order.id}").status_code == 200
    assert post_review(client, order.id, "bad", "Lovely mask.", png()).status_code == 400
    response = post_review(client, order.id, token, "Lovely mask, very calming.", png())
    assert response.status_code == 303
    review = session.scalar(select(GiftReview))
    assert review.status == "pending"
    gift_page = f"/gifts/{order.gift_id}"
    assert "very calming" not in client.get(gift_page).get_data(as_text=True)
    assert client.get(f"/me/reviews/{order.id}").status_code == 404  # one review per gift
    before = balances.balance(session, person.id, datetime.now(UTC))
    factories.staff(session, "operator", "admin")
    session.commit()
    client.post("/logout", data={"csrf_token": token})
    admin = login_as("admin")
    queue = client.get("/admin/tasks/reviews").get_data(as_text=True)
    assert "very calming" in queue
    decided = client.post(f"/admin/tasks/reviews/{review.id}",
                          data={"csrf_token": admin, "decision": "approve"})  # fmt: skip
    assert decided.status_code == 303
    assert session.scalar(select(AuditEntry.action)) == "review.approved"
    visitor = client.application.test_client()
    assert "very calming" in visitor.get(gift_page).get_data(as_text=True)
    assert balances.balance(session, person.id, datetime.now(UTC)) == before + 20
    again = client.post(f"/admin/tasks/reviews/{review.id}",
                        data={"csrf_token": admin, "decision": "approve"})  # fmt: skip
    assert "already moderated" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert balances.balance(session, person.id, datetime.now(UTC)) == before + 20


# ---------------------------------------------------------------- console


@pytest.fixture
def operator(session, login_as):
    """Signed in as operator `admin`; returns the CSRF token."""
    factories.staff(session, "operator", "admin")
    session.commit()
    return login_as("admin")


def test_operators_set_a_task_and_bad_input_writes_nothing(client, session, operator):
    page = client.get("/admin/tasks")
    assert page.status_code == 200 and "Share a gift" in page.get_data(as_text=True)
    bad = {"csrf_token": operator, "share_gift-points": "-1", "share_gift-monthly_max": "6",
           "share_gift-enabled": "y"}  # fmt: skip
    refused = client.post("/admin/tasks/share_gift", data=bad)
    assert refused.status_code == 422
    assert 'data-testid="form-error"' in refused.get_data(as_text=True)
    assert session.get(TaskRule, "share_gift").points == 5
    good = bad | {"share_gift-points": "8"}
    assert client.post("/admin/tasks/share_gift", data=good).status_code == 303
    session.expire_all()
    assert session.get(TaskRule, "share_gift").points == 8
    assert session.scalar(select(AuditEntry.action)) == "task.update"
    unknown = {"csrf_token": operator, "nope-points": "1", "nope-monthly_max": "0"}
    assert client.post("/admin/tasks/nope", data=unknown).status_code == 404
    no_csrf = client.post("/admin/tasks/share_gift", data={**good, "csrf_token": "x"})
    assert no_csrf.status_code == 400


def test_member_day_and_prices_are_checked_and_audited(client, session, operator):
    gift = factories.gift(session, points_price=100)
    session.commit()
    bad_day = {"csrf_token": operator, "kind": "weekly", "day": "9", "enabled": "y"}
    assert client.post("/admin/tasks/member-day", data=bad_day).status_code == 422
    assert not session.get(MemberDay, 1).enabled
    ok = client.post("/admin/tasks/member-day", data=bad_day | {"day": "2"})
    assert ok.status_code == 303
    price = {"csrf_token": operator, "gift_id": str(gift.id), "tier": "gold", "points": "60"}
    assert client.post("/admin/tasks/member-day/prices",
                       data=price | {"gift_id": "999999"}).status_code == 422  # fmt: skip
    assert session.scalar(select(func.count(MemberDayPrice.id))) == 0
    assert client.post("/admin/tasks/member-day/prices", data=price).status_code == 303
    assert session.scalar(select(MemberDayPrice.points_price)) == 60
    actions = sorted(session.scalars(select(AuditEntry.action)))
    assert actions == ["member_day.price", "member_day.update"]
    assert "60" in client.get("/admin/tasks").get_data(as_text=True)


def test_finance_reads_the_task_pages_and_cannot_write(client, session, login_as):
    factories.staff(session, "finance", "F0001")
    session.commit()
    token = login_as("F0001")
    for path in ("/admin/tasks", "/admin/tasks/reviews"):
        page = client.get(path)
        assert page.status_code == 200 and '<form method="post" action="/admin/tasks/' not in (
            page.get_data(as_text=True)
        )
    data = {"csrf_token": token, "share_gift-points": "8", "share_gift-monthly_max": "6"}
    assert client.post("/admin/tasks/share_gift", data=data).status_code == 403
    assert client.post("/admin/tasks/member-day", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/tasks/reviews/1", data={"csrf_token": token}).status_code == 403
    assert session.get(TaskRule, "share_gift").points == 5


# ---------------------------------------------------------------- member day on the gift page


@pytest.fixture
def gold_member_day(session, member):
    """Wednesdays are member days; a gift costs Gold members 60 instead of 100 then."""
    person, token = member
    person.tier = session.scalar(select(Tier).where(Tier.code == "gold"))
    ledger.credit(
        session, person.id, "purchase", 1_000, "june", now=datetime(2026, 6, 1, tzinfo=UTC)
    )
    row = session.get(MemberDay, 1)
    row.kind, row.day, row.enabled = "weekly", 2, True
    factories.store(session)
    gift = factories.gift(session, points_price=100, stock=5)
    session.add(MemberDayPrice(gift_id=gift.id, tier_code="gold", points_price=60))
    session.commit()
    return person, token, gift


def at(monkeypatch, moment: datetime) -> None:
    """Set the clock the mall's views read."""
    from app.blueprints.mall import routes

    monkeypatch.setattr(routes, "utcnow", lambda: moment)


TUESDAY_2359 = datetime(2026, 6, 16, 15, 59, 30, tzinfo=UTC)
WEDNESDAY_0000 = datetime(2026, 6, 16, 16, 0, tzinfo=UTC)
THURSDAY_0000 = datetime(2026, 6, 17, 16, 0, tzinfo=UTC)


def price_shown(client, gift_id: int) -> str:
    html = client.get(f"/gifts/{gift_id}").get_data(as_text=True)
    return html.split('name="expected_points" value="')[1].split('"')[0]


def test_the_gift_page_switches_price_at_brand_local_midnight(
    client, session, gold_member_day, monkeypatch
):
    person, token, gift = gold_member_day
    at(monkeypatch, TUESDAY_2359)
    assert price_shown(client, gift.id) == "100"  # and now kept until midnight
    at(monkeypatch, WEDNESDAY_0000)
    assert price_shown(client, gift.id) == "60"
    html = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert 'data-testid="member-day-price"' in html
    visitor = client.application.test_client()
    visitor.set_cookie("lang", "en")
    assert 'data-testid="member-day-price"' not in visitor.get(f"/gifts/{gift.id}").get_data(
        as_text=True
    )
    at(monkeypatch, THURSDAY_0000)
    assert price_shown(client, gift.id) == "100"


def test_checkout_charges_the_price_shown_and_refuses_a_stale_one(
    client, session, gold_member_day, monkeypatch
):
    person, token, gift = gold_member_day
    form = {"csrf_token": token, "qty": "1", "delivery": "pickup", "request_key": "k1",
            "expected_points": "60"}  # fmt: skip
    at(monkeypatch, THURSDAY_0000)  # the page said 60 on Wednesday; it is Thursday now
    refused = client.post(f"/gifts/{gift.id}/redeem", data=form)
    assert refused.status_code == 422 and "100 points" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count(Order.id))) == 0
    at(monkeypatch, WEDNESDAY_0000)
    accepted = client.post(f"/gifts/{gift.id}/redeem", data=form)
    assert accepted.status_code == 303, accepted.get_data(as_text=True)[-3000:]
    assert session.scalar(select(Order.points)) == 60


def test_a_member_day_gift_page_keeps_its_statement_budget_and_tiers_apart(
    client, session, gold_member_day, monkeypatch, make_member
):
    from tests.integration.test_query_budgets import BUDGETS, statements

    person, token, gift = gold_member_day
    at(monkeypatch, WEDNESDAY_0000)
    client.get(f"/gifts/{gift.id}")  # the shared catalogue is built once per stamp
    sent = statements(client, f"/gifts/{gift.id}")
    assert len(sent) <= BUDGETS["/gifts/{plain}"], sent
    client.post("/logout", data={"csrf_token": token})
    make_member("13700001111", password_hash=accounts.hash_password("secret123"))
    session.commit()
    login_as_base = client.get("/login")
    assert login_as_base.status_code == 200
    token = csrf_from(login_as_base.get_data(as_text=True))
    client.post("/login", data={"identifier": "13700001111", "password": "secret123",
                                "csrf_token": token})  # fmt: skip
    html = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert "<strong>100</strong>" in html  # the base tier has no member-day price
    assert 'data-testid="member-day-price"' not in html


def test_a_shared_link_fills_the_referral_code_when_the_visitor_joins(client, session):
    gift = factories.gift(session)
    session.commit()
    assert client.get(f"/gifts/{gift.id}?ref=AB12CD").status_code == 200
    assert 'value="AB12CD"' in client.get("/register").get_data(as_text=True)
    other = client.application.test_client()
    other.get(f"/gifts/{gift.id}?ref=<script>")  # not a code: nothing kept
    assert "&lt;script" not in other.get("/register").get_data(as_text=True)
