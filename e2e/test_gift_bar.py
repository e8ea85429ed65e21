"""The gift page's bottom bar on a Pixel 7: always on screen above the tab bar, never covering
the page, the next step in every state, and the points-as-cash split with its warning."""

import re
import sqlite3

from playwright.sync_api import Page, expect

from e2e.live import catalogue_changed, joined_with_purchase

BASE = "13800000000"
PASSWORD = "gift-bar-2024"
GOLD_SET = "金卡尊享修护礼盒"  # gated Gold and above
SERUM = "云澜青春精华 15ml 体验装"  # 1,500 points, everyone
CREAM = "云澜臻养面霜 50ml"  # 1,500 points + ¥300
CREAM_POINTS, CREAM_CASH_YUAN, CREAM_CAP_YUAN = 1_500, 300, 150  # the demo's cap: half the cash
MEMBER_DAY_RATE = 10  # points per ¥1 on the member day conftest makes of today
UPCOMING_ID = 7  # the demo's gift not yet on sale


def _new_member(page: Page, pos, yuan: int) -> None:
    """A fresh member (registered, so signed in) who spent ¥yuan at a counter."""
    joined_with_purchase(page, pos, PASSWORD, yuan=yuan, tag="BAR", phone_prefix="135")


def _balance(page: Page) -> int:
    badge = page.locator("header").get_by_test_id("points-balance")
    expect(badge).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*$"))
    return int(badge.inner_text().replace(",", ""))


def _open(page: Page, name: str) -> None:
    page.goto("/")
    card = page.get_by_test_id("gift-card").filter(has_text=name).first
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/gifts/\d+(\?via=\w+)?$"))


NARROW = {"width": 360, "height": 740}  # the narrowest phone the mall is drawn for


def _fits(page: Page) -> None:
    """At 360 px the bar's price and step sit side by side, nothing cut off."""
    page.set_viewport_size(NARROW)
    inner = page.locator(".gift-bar-inner")
    assert inner.evaluate("e => e.scrollWidth <= e.clientWidth")
    for part in (".bar-price", ".bar-action"):
        assert inner.locator(part).evaluate("e => e.scrollWidth <= e.clientWidth"), part


def _box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_bar_stays_on_screen_and_the_split_warns_before_submit(page: Page, check_page, pos):
    _new_member(page, pos, yuan=2_000)
    _open(page, CREAM)
    balance = _balance(page)
    most = min(CREAM_CAP_YUAN, (balance - CREAM_POINTS) // MEMBER_DAY_RATE)
    assert 0 < most < CREAM_CAP_YUAN  # the member's points bind, not the gift's cap

    bar = page.get_by_test_id("gift-bar")
    expect(bar).to_be_in_viewport()
    expect(bar.get_by_test_id("redeem-button")).to_be_enabled()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(bar).to_be_in_viewport()
    bar_box, tabs = _box(page, "[data-testid=gift-bar]"), _box(page, ".tabbar")
    assert bar_box["y"] + bar_box["height"] <= tabs["y"] + 1  # above the tab bar
    last = page.locator(".gift-page > *:not(#checkout)").last.bounding_box()
    assert last["y"] + last["height"] <= bar_box["y"] + 1  # the page ends above the bar
    page.screenshot(path="/tmp/giftbar-cash-bottom.png")

    checkout = page.locator("#checkout")
    amount = checkout.locator("[name=yuan_by_points]")
    expect(amount).to_have_attribute("max", str(most))
    expect(checkout.locator("#cash-hint")).to_contain_text(f"¥{most}")
    amount.fill(str(most + 1))  # the live preview warns before anything is submitted
    warning = checkout.get_by_test_id("form-error")
    expect(warning).to_contain_text(f"¥{most}")
    expect(page).to_have_url(re.compile(r"/gifts/\d+(\?via=\w+)?$"))
    page.screenshot(path="/tmp/giftbar-cash-warning.png")

    amount.fill(str(most))
    expect(warning).to_have_count(0)
    split = checkout.get_by_test_id("cash-split").locator("dd")
    points_for_cash = most * MEMBER_DAY_RATE
    expect(split).to_have_text(
        [
            f"{CREAM_POINTS:,}",
            f"{points_for_cash:,}",
            f"¥{CREAM_CASH_YUAN - most:,}.00",
            f"{CREAM_POINTS + points_for_cash:,}",
            f"{balance - CREAM_POINTS - points_for_cash:,}",
        ]
    )
    expect(bar).to_contain_text(f"{CREAM_POINTS + points_for_cash:,}")  # the bar's live total
    check_page(page, "giftbar-cash-split")
    _fits(page)
    page.screenshot(path="/tmp/giftbar-cash-360.png")


def test_a_member_short_of_points_is_shown_the_way_to_earn(page: Page, check_page, pos):
    _new_member(page, pos, yuan=100)
    _open(page, CREAM)
    bar = page.get_by_test_id("gift-bar")
    expect(bar.get_by_test_id("redeem-button")).to_be_disabled()
    step = bar.get_by_test_id("next-step")
    expect(step).to_have_attribute("href", "/rules#earn")
    check_page(page, "giftbar-short")
    step.click()
    expect(page).to_have_url(re.compile(r"/rules#earn$"))
    expect(page.locator("#earn")).to_be_in_viewport()


def test_a_locked_gift_names_the_spend_to_the_tier(page: Page, check_page, log_in):
    log_in(page, BASE)
    _open(page, GOLD_SET)
    step = page.get_by_test_id("gift-bar").get_by_test_id("next-step")
    expect(step).to_have_text(re.compile(r"¥[\d,]+"))
    expect(step).to_have_attribute("href", "/rules#tiers")
    expect(page.get_by_test_id("redeem-button")).to_be_disabled()
    check_page(page, "giftbar-locked")


def _sold_out_copy(live_db) -> int:
    """A sold-out copy of the demo's cream on its shelf (the demo has none): its id."""
    with sqlite3.connect(live_db) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(gifts)") if row[1] != "id"]
        chosen = ", ".join("0" if c == "stock" else c for c in columns)
        cursor = db.execute(
            f"INSERT INTO gifts ({', '.join(columns)}) SELECT {chosen} FROM gifts"  # noqa: S608
            " WHERE name = ?",
            (CREAM,),
        )
        gift_id = cursor.lastrowid
    db.close()
    catalogue_changed(live_db)
    return gift_id


def test_sold_out_stays_on_the_shelf_and_one_tap_asks_for_a_reminder(
    page: Page, check_page, pos, live_db
):
    gift_id = _sold_out_copy(live_db)
    _new_member(page, pos, yuan=100)
    page.goto("/")
    card = page.locator(f"[data-testid=gift-card][data-gift-id='{gift_id}']")
    expect(card.get_by_test_id("gift-sold-out")).to_be_visible()
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/gifts/{gift_id}(\?via=\w+)?$"))
    bar = page.get_by_test_id("gift-bar")
    expect(bar.get_by_test_id("redeem-button")).to_be_disabled()
    check_page(page, "giftbar-sold-out")
    bar.get_by_test_id("notify-me").click()
    expect(bar.get_by_role("status")).to_be_visible()  # a reminder will arrive
    expect(bar.get_by_test_id("notify-me")).to_have_count(0)
    check_page(page, "giftbar-sold-out-waiting")
    _fits(page)
    page.screenshot(path="/tmp/giftbar-sold-out-360.png")


def test_upcoming_and_visitor_states(page: Page, check_page, pos):
    page.goto(f"/gifts/{UPCOMING_ID}")  # a visitor: sign in first
    bar = page.get_by_test_id("gift-bar")
    expect(bar.get_by_role("link")).to_have_attribute("href", re.compile(r"^/login\?next="))
    _open(page, SERUM)
    expect(bar.get_by_test_id("redeem-button")).to_have_attribute(
        "href", re.compile(r"^/login\?next=")
    )
    check_page(page, "giftbar-visitor")
    _new_member(page, pos, yuan=100)
    page.goto(f"/gifts/{UPCOMING_ID}")
    expect(bar.get_by_test_id("redeem-button")).to_be_disabled()
    expect(bar.get_by_test_id("notify-me")).to_be_enabled()
    check_page(page, "giftbar-upcoming")
