"""The gift console over HTTP: create and edit by CONTRACT.md's field names, the list, the
library, duplicating, previews; finance refused and CSRF on every POST."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from app.blueprints.admin.gift_forms import utc_to_local
from app.demo import gift_library
from app.extensions import db
from app.models import AuditEntry, Gift, GiftTemplate, Member, Order, StockMovement, Tier
from app.services.mall import catalog
from app.timeutil import utcnow
from tests import factories
from tests.gift_helpers import HX, count, gift_form, make_shelves, refused, sign_in_operator


@pytest.fixture
def shelves(session):
    """Two shelves, `care` first."""
    return make_shelves(session)


@pytest.fixture
def operator(client, session, login_as, shelves):
    """Signed in as operator `admin` (English pages); returns the CSRF token."""
    return sign_in_operator(client, session, login_as)


def test_create_with_every_field_points_and_cash_tier_gate_and_limits(client, session, operator):
    response = client.post("/admin/gifts/new", data=gift_form(operator))
    assert response.status_code == 303
    gift = session.scalar(select(Gift))
    assert response.headers["Location"].endswith(f"/admin/gifts/{gift.id}")
    assert gift.name == "玫瑰精华 30ml" and gift.names == {
        "en": "Rose Serum 30 ml",
        "zh_Hant": "玫瑰精華 30ml",
    }
    assert gift.descriptions["en"] == "Brightening rose serum." and gift.description == "玫瑰焕亮。"
    assert (gift.kind, gift.image, gift.badges) == ("physical", "jar", ["new", "points_cash"])
    assert (gift.points_price, gift.cash_fen, gift.cost_fen) == (1200, 2990, 8000)
    assert gift.listed_at == datetime(2026, 12, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert gift.delisted_at == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert gift.tier_codes == ["gold", "diamond"]
    assert (gift.limit_count, gift.limit_period, gift.per_order_max) == (2, "month", 3)
    assert gift.stock == 20 and gift.shelf.code == "care"
    movement = session.scalar(select(StockMovement))
    assert (movement.delta, movement.stock_after, movement.reason) == (20, 20, "opening stock")
    actions = set(session.scalars(select(AuditEntry.action)))
    assert actions == {"gift.create", "gift.stock"}
    page = client.get(f"/admin/gifts/{gift.id}").get_data(as_text=True)
    assert 'value="2026-12-24T10:00"' in page and 'value="29.90"' in page


def test_pure_points_limits_empty_and_listing_now(client, session, operator):
    data = gift_form(operator, cash="0", cost=None, listed_at="", delisted_at="", tiers=None,
                     limit_count="", limit_period="", per_order_max=None)  # fmt: skip
    assert client.post("/admin/gifts/new", data=data).status_code == 303
    gift = session.scalar(select(Gift))
    assert (gift.cash_fen, gift.cost_fen, gift.listed_at, gift.delisted_at) == (0, 0, None, None)
    assert (gift.tier_codes, gift.limit_count, gift.limit_period) == ([], None, None)
    assert gift.per_order_max == 5
    assert gifts_state(session, gift) == "on_sale"


def gifts_state(session, gift):
    from app.services.console import gifts

    session.refresh(gift)
    return gifts.state_of(gift, utcnow())


@pytest.mark.parametrize("missing", ["name", "kind", "points", "stock"])
def test_a_form_missing_a_required_field_creates_nothing(client, session, operator, missing):
    page = refused(client.post("/admin/gifts/new", data=gift_form(operator, **{missing: None})))
    assert "Rose Serum 30 ml" in page  # the form keeps what was typed
    assert count(session, Gift) == 0 and count(session, AuditEntry) == 0
    blank = refused(client.post("/admin/gifts/new", data=gift_form(operator, **{missing: ""})))
    assert blank and count(session, Gift) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"points": "-5"}, "between 1 and 10,000,000"),
        ({"points": "0"}, "between 1 and 10,000,000"),
        ({"points": "1000000000000"}, "too large"),
        ({"points": "１２"}, "digits 0-9"),
        ({"cash": "abc"}, "amount in yuan"),
        ({"cash": "1e3"}, "amount in yuan"),
        ({"cash": "-1"}, "amount in yuan"),
        ({"cost": "12.345"}, "amount in yuan"),
        ({"stock": "-1"}, "between 0 and 1,000,000"),
        ({"stock": "99999999"}, "between 0 and 1,000,000"),
        ({"delisted_at": "2026-12-20T10:00"}, "must come after its start"),
        ({"listed_at": "", "delisted_at": "2020-01-01T00:00"}, "must come after its start"),
        ({"listed_at": "24/12/2026 10:00"}, "like 2026-12-24T10:00"),
        ({"listed_at": "2026-02-30T10:00"}, "like 2026-12-24T10:00"),
        ({"tiers": ["gold", "platinum"]}, "not a valid choice"),
        ({"kind": "cake"}, "Not a valid choice"),
        ({"limit_count": "0"}, "1 to 10,000"),
        ({"limit_period": ""}, "period of the limit"),
        ({"limit_period": "year"}, "Not a valid choice"),
        ({"per_order_max": "500"}, "1 to 99"),
        ({"name": "x" * 81}, "80"),
        ({"name": "bad\x00name"}, "control characters"),
        ({"badges": ["shiny"]}, "not a valid choice"),
    ],
)
def test_bad_values_are_refused_and_write_nothing(client, session, operator, changes, message):
    page = refused(client.post("/admin/gifts/new", data=gift_form(operator, **changes)))
    assert message.lower() in page.lower()
    assert count(session, Gift) == 0 and count(session, StockMovement) == 0


@pytest.fixture
def gift(session, shelves):
    """A listed physical gift: 100 points, stock 10."""
    item = factories.gift(session, name="Serum", points_price=100, stock=10)
    session.commit()
    return item


def test_an_edit_is_audited_with_before_and_after_of_changed_fields_only(
    client, session, operator, gift
):
    data = gift_form(operator, name="Serum", points="150", cash="0", cost="0", name_en="",
                     name_zh_hant="", description="", description_en="", description_zh_hant="",
                     badges=None, icon="bottle", listed_at="", delisted_at="", tiers=["gold"],
                     limit_count="", limit_period="", per_order_max="5", stock=None)  # fmt: skip
    assert client.post(f"/admin/gifts/{gift.id}", data=data).status_code == 303
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "gift.update"))
    assert entry.before == {"points_price": 100, "tier_codes": []}
    assert entry.after == {"points_price": 150, "tier_codes": ["gold"]}
    assert entry.actor.staff_id == "admin" and entry.target_id == str(gift.id)
    page = client.get("/admin/audit?action=gift").get_data(as_text=True)
    assert "gift.update" in page and "points_price" in page


def test_a_stock_typed_on_the_edit_form_is_a_movement_from_what_the_form_showed(
    client, session, operator, gift
):
    session.get(Gift, gift.id).stock = 8  # two sold while the operator had the form open
    session.commit()
    data = gift_form(operator, name="Serum", stock="15", stock_seen="10", tiers=None)
    assert client.post(f"/admin/gifts/{gift.id}", data=data).status_code == 303
    session.expire_all()
    assert session.get(Gift, gift.id).stock == 13  # +5 on the 8 left, not an overwrite to 15
    movement = session.scalar(select(StockMovement))
    assert (movement.delta, movement.stock_after) == (5, 13)
    unchanged = gift_form(operator, name="Serum", stock="13", stock_seen="13", tiers=None)
    assert client.post(f"/admin/gifts/{gift.id}", data=unchanged).status_code == 303
    assert count(session, StockMovement) == 1


def test_the_member_mall_shows_a_scheduled_gift_at_its_time_locked_for_a_lower_tier(
    client, session, operator, make_member
):
    listed = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    data = gift_form(operator, listed_at=utc_to_local(listed), delisted_at="", tiers=["gold"])
    assert client.post("/admin/gifts/new", data=data).status_code == 303
    gift = session.scalar(select(Gift))
    tiers = {t.code: t for t in session.scalars(select(Tier))}
    base, gold = make_member(), make_member(tier=tiers["gold"])

    def card(member, at):
        views = catalog.shelves(session, member, at, balance=10_000)
        return next((c for v in views for c in v.cards if c.gift.id == gift.id), None)

    assert card(gold, listed - timedelta(minutes=1)) is None  # not on the shelf yet
    assert catalog.state(session, gift, gold, listed - timedelta(minutes=1)).status == "upcoming"
    assert card(gold, listed).state.status == "ok"
    assert card(base, listed).state.status == "locked"
    assert card(base, listed).state.locked_reason == "gold"


def test_finance_reads_the_gift_pages_and_is_refused_a_create(client, session, login_as, gift):
    factories.staff(session, "finance", "F0001")
    session.commit()
    client.set_cookie("lang", "en")
    token = login_as("F0001")
    page = client.get("/admin/gifts").get_data(as_text=True)
    assert "Serum" in page and "/admin/gifts/new" not in page
    assert client.get(f"/admin/gifts/{gift.id}").status_code == 200
    assert client.post("/admin/gifts/new", data=gift_form(token)).status_code == 403
    move = {"csrf_token": token, "direction": "in", "quantity": "5", "reason": "x"}
    assert client.post(f"/admin/gifts/{gift.id}/stock", data=move).status_code == 403
    assert count(session, Gift) == 1 and count(session, StockMovement) == 0


def test_every_gift_post_needs_the_csrf_token(client, session, operator, gift):
    gift_library.load(session)
    session.commit()
    template = session.scalar(select(GiftTemplate))
    posts = {
        "/admin/gifts/new": gift_form(None),
        f"/admin/gifts/{gift.id}": gift_form(None, name="Changed"),
        f"/admin/gifts/{gift.id}/duplicate": {},
        f"/admin/gifts/{gift.id}/stock": {"direction": "in", "quantity": "5", "reason": "x"},
        f"/admin/gifts/{gift.id}/codes": {},
        f"/admin/library/{template.id}/list": {},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 400, url
    assert count(session, Gift) == 1 and count(session, AuditEntry) == 0
    assert session.get(Gift, gift.id).name == "Serum"


def test_list_this_from_the_library_makes_a_gift_ready_to_edit_not_on_sale(
    client, session, operator, make_member
):
    gift_library.load(session)
    gift_library.load(session)  # idempotent
    session.commit()
    assert count(session, GiftTemplate) == 10
    page = client.get("/admin/library").get_data(as_text=True)
    assert page.count('type="submit">List this') == 10
    template = session.scalar(select(GiftTemplate).where(GiftTemplate.code == "gold-set"))
    response = client.post(f"/admin/library/{template.id}/list", data={"csrf_token": operator})
    gift = session.scalar(select(Gift))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/gifts/{gift.id}")
    assert (gift.name, gift.points_price, gift.tier_codes) == ("金卡臻享礼盒", 9000,
                                                               ["gold", "diamond"])  # fmt: skip
    assert gift.names["en"] == "Gold Tier Gift Box" and gift.shelf.code == "care"
    assert gift.stock == 0 and gift.delisted_at is not None
    assert gifts_state(session, gift) == "delisted"
    assert catalog.shelves(session, make_member(), utcnow()) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "gift.from_library"))
    assert entry.before == {"template": "gold-set"} and entry.target_id == str(gift.id)
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "not on sale yet" in edit
        and 'name="name" required type="text" value="金卡臻享礼盒"' in edit
    )


def test_duplicate_copies_every_field_but_stock_and_is_not_on_sale(client, session, operator):
    source = factories.gift(session, name="Cream", names={"en": "Cream"}, points_price=300,
                            cash_fen=990, tier_codes=["silver"], limit_count=1,
                            limit_period="week", badges=["hot"])  # fmt: skip
    session.commit()
    response = client.post(f"/admin/gifts/{source.id}/duplicate", data={"csrf_token": operator})
    copy = session.scalar(select(Gift).where(Gift.id != source.id))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/admin/gifts/{copy.id}"
    )
    assert (copy.name, copy.names) == ("Cream（副本）", {"en": "Cream (copy)"})
    assert (copy.points_price, copy.cash_fen, copy.tier_codes) == (300, 990, ["silver"])
    assert (copy.limit_count, copy.limit_period, copy.badges) == (1, "week", ["hot"])
    assert copy.stock == 0 and gifts_state(session, copy) == "delisted"
    assert session.scalar(select(AuditEntry.action)) == "gift.duplicate"
    assert (
        client.post("/admin/gifts/999/duplicate", data={"csrf_token": operator}).status_code == 404
    )


def test_the_list_searches_every_language_filters_and_counts_redemptions(
    client, session, operator, make_member
):
    serum = factories.gift(session, name="青春精华", names={"en": "Youth Serum",
                           "zh_Hant": "青春精華"}, stock=3)  # fmt: skip
    factories.gift(session, name="面霜", names={"en": "Cream"}, listed_at=utcnow() + timedelta(1))
    member = make_member()
    for status, qty in (("completed", 2), ("to_pickup", 1), ("cancelled", 5)):
        session.add(Order(order_no=f"R{status}", request_key=status, member_id=member.id,
                          gift_id=serum.id, qty=qty, points=100 * qty, status=status,
                          delivery="pickup", created_at=utcnow()))  # fmt: skip
    session.commit()
    for q in ("精华", "youth", "精華", str(serum.id)):
        page = client.get("/admin/gifts", query_string={"q": q}).get_data(as_text=True)
        assert "青春精华" in page and "面霜" not in page, q
    row = page.split(f"/admin/gifts/{serum.id}")[1].split("</tr>")[0]
    assert re.search(r'<td class="num">3</td>', row)  # 2 + 1 redeemed; the cancelled 5 not
    assert "Low stock" in row
    scheduled = client.get("/admin/gifts?state=scheduled").get_data(as_text=True)
    assert "面霜" in scheduled and "青春精华" not in scheduled
    low = client.get("/admin/gifts?state=low_stock&kind=physical").get_data(as_text=True)
    assert "青春精华" in low and "面霜" not in low
    assert client.get("/admin/gifts?state=bogus&shelf=x&page=-1&sort=nope").status_code == 200


def test_the_list_is_one_query_however_many_gifts(client, session, operator):
    def statements(n):
        for i in range(n):
            factories.gift(session, name=f"G{i}")
        session.commit()
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/gifts").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(2) == statements(20)


def test_live_search_answers_the_results_fragment(client, operator, gift):
    response = client.get("/admin/gifts?q=Ser", headers=HX)
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="gift-results"' in body and "Serum" in body
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/admin/gifts?q=Ser").get_data(as_text=True)
    assert "<html" in full and 'method="get"' in full  # works as a plain GET form


def test_preview_as_a_tier_is_read_only_and_shows_the_gate(client, session, operator):
    gated = factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"])
    session.commit()
    before = count(session, Member), count(session, AuditEntry)
    base = client.get("/admin/gifts/preview?tier=base").get_data(as_text=True)
    card = base.split(f'data-gift-id="{gated.id}"')[1].split("</li>")[0]
    assert 'data-testid="gift-locked"' in card and "Gold and above" in card
    gold = client.get("/admin/gifts/preview?tier=gold").get_data(as_text=True)
    assert 'data-testid="gift-locked"' not in gold.split(f'data-gift-id="{gated.id}"')[1][:800]
    page = client.get(f"/admin/gifts/{gated.id}/preview?tier=silver").get_data(as_text=True)
    assert "Only Gold and above can redeem this." in page and 'data-preview-state="locked"' in page
    ok = client.get(f"/admin/gifts/{gated.id}/preview?tier=diamond&balance=5")
    assert 'data-preview-state="short"' in ok.get_data(as_text=True)
    assert client.get("/admin/gifts/preview?tier=platinum").status_code == 404
    assert (count(session, Member), count(session, AuditEntry)) == before


def test_preview_at_a_later_time_shows_a_scheduled_gift(client, session, operator):
    later = utcnow() + timedelta(days=3)
    factories.gift(session, name="Christmas set", listed_at=later)
    session.commit()
    assert "Christmas set" not in client.get("/admin/gifts/preview").get_data(as_text=True)
    at = utc_to_local(later + timedelta(minutes=1))
    assert "Christmas set" in client.get(f"/admin/gifts/preview?at={at}").get_data(as_text=True)
