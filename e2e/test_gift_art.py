"""The catalogue drawn as the brand's, on a Pixel 7: a drawing per gift from one sprite, the gift
page's hero edge to edge, tier chips, "钻石 only" on the top tier — light and dark, with axe."""

import pytest
from playwright.sync_api import Page, expect

from app.drawings import DRAWINGS

BASE = "13800000000"
LIPSTICK = "丝绒唇膏 #520"
LOTUS = "雪莲焕白精华 30ml"
SERUM = "云澜青春精华 15ml 体验装"
DIAMOND_GIFT = "钻石专享眼部护理"  # gated to the top tier only


def _open(page: Page, name: str) -> None:
    page.goto("/")
    page.get_by_test_id("gift-card").filter(has_text=name).first.get_by_role("link").click()
    expect(page.locator(".gift-hero")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_draws_each_gift_its_own_picture_from_one_sprite(
    page: Page, check_page, log_in, scheme
):
    page.emulate_media(color_scheme=scheme)
    log_in(page, BASE)
    page.goto("/")
    cards = page.get_by_test_id("gift-card")
    expect(cards.first).to_be_visible()
    hrefs = page.locator(".gift-card svg.drawing use").evaluate_all(
        "uses => uses.map(u => u.getAttribute('href'))"
    )
    assert len({h.split("#")[0] for h in hrefs}) == 1, "drawings come from more than one file"
    lipstick = cards.filter(has_text=LIPSTICK).first.locator("use").get_attribute("href")
    serum = cards.filter(has_text=SERUM).first.locator("use").get_attribute("href")
    assert lipstick.endswith("#lipstick") and serum.endswith("#serum")
    box = cards.first.locator("svg.drawing").bounding_box()
    assert box and box["width"] > 100 and abs(box["width"] - box["height"]) < 1  # drawn, square
    lock = cards.filter(has_text=DIAMOND_GIFT).first.get_by_test_id("gift-locked")
    expect(lock).to_contain_text("钻石")
    expect(lock).not_to_contain_text("及以上")
    check_page(page, f"art-home-{scheme}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_gift_page_hero_spans_the_phone_edge_to_edge(page: Page, check_page, log_in, scheme):
    page.emulate_media(color_scheme=scheme)
    log_in(page, BASE)
    _open(page, LOTUS)
    hero = page.locator(".gift-hero").bounding_box()
    width = page.viewport_size["width"]
    assert hero and abs(hero["x"]) < 1 and abs(hero["width"] - width) < 1, hero
    assert abs(hero["height"] - hero["width"]) < 1  # square, its box known before it paints
    header = page.locator("header").first.bounding_box()
    assert abs(hero["y"] - (header["y"] + header["height"])) < 2  # right under the header
    check_page(page, f"art-gift-{scheme}")


def test_a_top_tier_gift_says_only_that_tier(page: Page, check_page, log_in):
    log_in(page, BASE)
    _open(page, DIAMOND_GIFT)
    gate = page.locator(".facts li.gate")
    expect(gate).to_contain_text("钻石")
    expect(gate).not_to_contain_text("及以上")
    expect(page.get_by_test_id("redeem-button")).to_be_disabled()
    check_page(page, "art-gift-diamond-only")


@pytest.mark.parametrize(
    ("phone", "tier"),
    [("13800000000", "base"), ("13800000001", "silver"), ("13800000002", "gold"),
     ("13800000003", "diamond")],
)  # fmt: skip
def test_tier_chips_wear_their_tier_colour(page: Page, log_in, phone, tier):
    log_in(page, phone)
    page.goto("/")
    badge = page.locator(".home-hero .tier-badge, .hero .tier-badge").first
    expect(badge).to_be_visible()
    style = badge.evaluate(
        "b => { const s = getComputedStyle(b); return [s.color, s.backgroundImage,"
        " s.backgroundColor, b.closest('[class*=tier-]').className]; }"
    )
    assert f"tier-{tier}" in style[3], style
    grey = "rgb(93, 90, 88)"  # the old base ink, which read as "disabled"
    assert grey not in style and "rgb(122, 90, 20)" not in style, style  # nor the olive gold
    badge.screenshot(path=f"e2e/artifacts/art-tier-{tier}.png")


def test_the_console_library_and_gift_form_show_the_drawings(desktop, log_in, check_page):
    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/library")
    drawn = console.locator("table.data svg.drawing")
    expect(drawn.first).to_be_visible()
    assert drawn.count() >= 10 and drawn.first.bounding_box()["width"] == 40
    check_page(console, "art-console-library")
    console.goto("/admin/gifts/new")
    options = console.locator("select[name=icon] option")
    assert options.count() == len(DRAWINGS)
    check_page(console, "art-console-gift-form")
