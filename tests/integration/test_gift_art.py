"""The catalogue drawn as the brand's: drawings from one sprite, the console's choice of them,
and the top tier's lock reading "Diamond only"."""

import re

import pytest

from app.demo import gift_library
from app.demo.redraw import redraw
from app.drawings import DRAWINGS, SPRITE
from tests import factories
from tests.gift_helpers import make_shelves, sign_in_operator


@pytest.fixture
def gated(client, login_as, member_user, session):
    """A base-tier member signed in (English), a Gold-and-up gift and a Diamond-only one."""
    factories.store(session)
    gifts = {
        "gold": factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"]),
        "diamond": factories.gift(session, name="Eye care", tier_codes=["diamond"]),
        "old": factories.gift(session, name="Old serum", image="bottle"),
    }
    session.commit()
    client.set_cookie("lang", "en")
    login_as("13700009999")
    return client, gifts


def _card(html: str, gift) -> str:
    return html.split(f'data-gift-id="{gift.id}"')[1].split("</li>")[0]


def test_the_top_tier_is_only_that_tier_and_a_lower_one_is_and_above(gated):
    client, gifts = gated
    html = client.get("/").get_data(as_text=True)
    assert "Gold and above" in _card(html, gifts["gold"])
    diamond = _card(html, gifts["diamond"])
    assert "Diamond only" in diamond and "and above" not in diamond


def test_the_gift_page_of_a_top_tier_gift_says_only_that_tier(gated):
    client, gifts = gated
    page = client.get(f"/gifts/{gifts['diamond'].id}").get_data(as_text=True)
    assert "Diamond only" in page and "Only Diamond members can redeem this." in page
    assert "and above" not in page
    gold = client.get(f"/gifts/{gifts['gold'].id}").get_data(as_text=True)
    assert "Gold and above" in gold and "Only Gold and above can redeem this." in gold


def test_cards_and_hero_draw_from_one_sprite_old_names_mapped(gated):
    client, gifts = gated
    html = client.get("/").get_data(as_text=True)
    card = _card(html, gifts["old"])
    assert re.search(
        rf'<svg class="drawing [^"]*" width="160" height="160"[^>]*>'
        rf'<use href="/static/{SPRITE}\?v=[0-9a-f]+#serum">',
        card,
    )
    hero = client.get(f"/gifts/{gifts['old'].id}").get_data(as_text=True)
    assert re.search(r'<svg class="drawing gift-hero" width="400" height="400"', hero)
    sprites = set(re.findall(r'href="(/static/img/gifts\.svg\?v=[0-9a-f]+)#', html))
    assert len(sprites) == 1, sprites  # every card's drawing is one file


@pytest.fixture
def operator(client, session, login_as):
    make_shelves(session)
    return sign_in_operator(client, session, login_as)


def test_the_console_gift_form_offers_every_drawing_by_its_name(client, operator):
    html = client.get("/admin/gifts/new").get_data(as_text=True)
    select = html.split('name="icon"')[1].split("</select>")[0]
    offered = re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert [value for value, _ in offered] == list(DRAWINGS)
    assert ("perfume", "Perfume flacon") in offered and ("serum", "Serum dropper bottle") in offered


def test_the_edit_form_shows_an_old_drawing_name_as_the_drawing_it_is_now(
    client, session, operator
):
    gift = factories.gift(session, name="Old", image="jar")
    session.commit()
    form = client.get(f"/admin/gifts/{gift.id}").get_data(as_text=True)
    select = form.split('name="icon"')[1].split("</select>")[0]
    assert re.findall(r'<option selected value="([^"]+)"', select) == ["cream"]


def test_the_library_shows_each_template_with_its_drawing(client, session, operator):
    gift_library.load(session)
    session.commit()
    html = client.get("/admin/library").get_data(as_text=True)
    used = re.findall(
        r'<svg class="drawing [^"]*" width="40"[^>]*><use href="[^"#]+#([\w-]+)"', html
    )
    assert sorted(used) == sorted(row[3] for row in gift_library.TEMPLATES)


def test_a_demo_database_from_before_gets_its_own_drawings_and_texts(session):
    perfume = factories.gift(
        session,
        name="晨露淡香水 10ml",
        image="bottle",
        description="晨露淡香水 10ml。云澜会员专享兑换。",
    )
    kept = factories.gift(session, name="丝绒唇膏 #520", image="tote", description="Mine.")
    redraw(session)
    redraw(session)  # a second run changes nothing more
    assert perfume.image == "perfume" and "¥300" in perfume.description
    assert "¥300" in perfume.descriptions["en"] and "價值" in perfume.descriptions["zh_Hant"]
    assert (kept.image, kept.description) == ("tote", "Mine.")  # an operator's choice stays
