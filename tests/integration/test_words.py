"""Every word in the member's language (issue 12 §5): data names picked for the locale on member
pages, the counter and the console; kept pages per language; the console's translated fields."""

import re

import pytest
from sqlalchemy import select

from app.i18n import keep_units, local_name
from app.models import Benefit, Gift, Shelf, Store
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from app.timeutil import utcnow
from tests import factories

HANS, HANT, EN = "上海恒隆广场专柜", "上海恆隆廣場專櫃", "Plaza 66 counter, Shanghai"


@pytest.fixture
def shop(session, member_user):
    """A store, a shelf and a gift named in three languages; the member holds 1,000 points."""
    store = factories.store(session)
    store.name, store.names = HANS, {"en": EN, "zh_Hant": HANT}
    shelf = Shelf(code="care", name="护肤臻品", names={"en": "Skincare", "zh_Hant": "護膚臻品"})
    session.add(shelf)
    gift = factories.gift(
        session,
        name="云澜青春精华 15ml 体验装",
        names={"en": "Youth Serum 15 ml", "zh_Hant": "雲瀾青春精華 15ml 體驗裝"},
        description="精华。",
        descriptions={"en": "A serum, 15 ml.", "zh_Hant": "精華。"},
        shelf=shelf,
    )
    ledger.credit(session, member_user.id, "purchase", 1_000, "seed", now=utcnow())
    session.commit()
    return store, shelf, gift


def _page(client, url: str, lang: str | None) -> str:
    if lang:
        client.set_cookie("lang", lang)
    else:
        client.delete_cookie("lang")
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_local_name_picks_the_locale_and_falls_back_to_simplified():
    store = Store(code="SH001", name=HANS, names={"en": EN})
    assert local_name(store, "en") == EN
    assert local_name(store, "zh_Hant") == HANS  # no Traditional name yet: the default
    assert local_name(store, "zh_Hans") == HANS
    assert local_name(Store(code="X", name=HANS, names={}), "en") == HANS


def test_keep_units_joins_a_number_to_its_unit():
    assert keep_units("Youth Serum 15 ml") == "Youth Serum 15\u00a0ml"
    assert keep_units("60 min at 3 g") == "60\u00a0min at 3\u00a0g"
    assert keep_units("Velvet Lipstick #520") == "Velvet Lipstick #520"  # no unit, unchanged


@pytest.mark.parametrize(
    ("lang", "shelf", "gift", "not_shown"),
    [
        (None, "护肤臻品", "云澜青春精华 15ml 体验装", "護膚臻品"),
        ("zh_Hant", "護膚臻品", "雲瀾青春精華 15ml 體驗裝", "护肤臻品"),
        ("en", "Skincare", "Youth Serum 15\u00a0ml", "护肤臻品"),
    ],
)
def test_visitors_see_data_names_in_their_language(client, shop, lang, shelf, gift, not_shown):
    _, _, item = shop
    home = _page(client, "/", lang)
    assert shelf in home and gift in home and not_shown not in home
    page = _page(client, f"/gifts/{item.id}", lang)
    assert gift in page


def test_kept_pages_are_per_language_for_visitors_and_members(client, shop, login_as):
    _, _, item = shop
    for signed_in in (False, True):
        if signed_in:
            login_as("13700009999")
        first = _page(client, "/", None)  # builds and keeps the Simplified page
        assert "护肤臻品" in first
        hant = _page(client, "/", "zh_Hant")
        assert "護膚臻品" in hant and "护肤臻品" not in hant
        assert "雲瀾青春精華" in _page(client, f"/gifts/{item.id}", "zh_Hant")
        assert "Youth Serum" in _page(client, f"/gifts/{item.id}", "en")
        assert "云澜青春精华" in _page(client, f"/gifts/{item.id}", None)


@pytest.mark.parametrize(("lang", "name"), [("en", EN), ("zh_Hant", HANT), (None, HANS)])
def test_the_pickup_store_is_named_in_the_members_language(
    client, shop, session, member_user, login_as, lang, name
):
    store, _, item = shop
    order = redemption.redeem(
        session, member_user.id, item.id, Checkout(request_key="k", store_id=store.id), now=utcnow()
    )
    session.commit()
    login_as("13700009999")
    page = _page(client, f"/orders/{order.id}", lang)
    assert name in page
    if lang == "en":
        assert f"Show this code at {EN}." in page
        assert not re.search(r"Show this code at [^<]*[\u4e00-\u9fff]", page)
    gift_page = _page(client, f"/gifts/{item.id}", lang)
    assert f">{name}</option>" in gift_page  # the pickup counter choice


def test_the_console_edits_a_stores_names_in_three_languages(client, session, login_as):
    factories.staff(session, "operator", "admin")
    session.commit()
    csrf = login_as("admin")
    client.set_cookie("lang", "en")
    form = client.get("/admin/stores").get_data(as_text=True)
    assert 'name="name_en"' in form and 'name="name_zh_hant"' in form
    data = {"csrf_token": csrf, "code": "HK001", "name": "香港海港城专柜", "city": "香港",
            "name_en": "Harbour City counter, Hong Kong",
            "name_zh_hant": "香港海港城專櫃"}  # fmt: skip
    assert client.post("/admin/stores", data=data).status_code == 303
    store = session.scalar(select(Store).where(Store.code == "HK001"))
    assert store.names == {"en": "Harbour City counter, Hong Kong", "zh_Hant": "香港海港城專櫃"}
    listed = client.get("/admin/stores").get_data(as_text=True)
    assert "Harbour City counter, Hong Kong" in listed  # the list in the reader's language
    edit = client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    assert 'value="香港海港城專櫃"' in edit and 'value="Harbour City counter, Hong Kong"' in edit
    change = {"csrf_token": csrf, "name": store.name, "city": "香港", "name_en": "",
              "name_zh_hant": "海港城專櫃"}  # fmt: skip
    assert client.post(f"/admin/stores/{store.id}", data=change).status_code == 303
    session.expire_all()
    assert session.get(Store, store.id).names == {"zh_Hant": "海港城專櫃"}  # emptied: left out


def test_console_forms_offer_every_language_of_a_name(client, session, login_as):
    factories.staff(session, "operator", "admin")
    factories.store(session)
    session.add(Benefit(code="gold_care", name="金卡季度免费护理", names={},
                        tier_codes=["gold"], verification="offline", period="quarter"))  # fmt: skip
    gift = factories.gift(session)
    session.commit()
    login_as("admin")
    client.set_cookie("lang", "en")
    for url in ("/admin/gifts/new", f"/admin/gifts/{gift.id}", "/admin/rules/benefits/gold_care"):
        html = client.get(url).get_data(as_text=True)
        assert 'name="name_en"' in html and 'name="name_zh_hant"' in html, url


def test_demo_data_ships_traditional_and_english_names(session):
    from app.demo.loader import load

    load(session, now=utcnow())
    session.flush()
    for model in (Store, Shelf, Gift, Benefit):
        for row in session.scalars(select(model)):
            names = row.names or {}
            assert names.get("zh_Hant") and names.get("en"), (model.__name__, row.name)
            assert not re.search(r"[\u4e00-\u9fff]", names["en"]), row.name
    for gift in session.scalars(select(Gift)):
        assert gift.descriptions.get("zh_Hant"), gift.name


def test_the_header_names_the_brand_in_traditional_for_zh_hant(client, shop):
    assert '<span class="brand-name">雲瀾<small>' in _page(client, "/", "zh_Hant")
    assert '<span class="brand-name">云澜<small>' in _page(client, "/", None)
