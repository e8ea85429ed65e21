"""'For you' on a Pixel 7: picks that say why, links that say where they came from; and on a
1366 × 768 console, its click-through and redemption rates against the plain shelves."""

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

RATE = re.compile(r"^(\d+\.\d %|—)$")


@pytest.fixture
def gold_favourites(live_db, live_server):
    """Every gift counted as redeemed by three Gold members (what the gift-pairs job would
    write), straight into the live database; taken out again afterwards."""
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(live_db) as db:
        db.execute(
            "INSERT INTO gift_popularity (scope, code, gift_id, members, computed_at)"
            " SELECT 'tier', 'gold', id, 3, ? FROM gifts",
            (at,),
        )
    db.close()
    yield
    with sqlite3.connect(live_db) as db:
        db.execute("DELETE FROM gift_popularity")
    db.close()


def test_member_sees_for_you_with_reasons_and_opens_one(
    page: Page, log_in, check_page, gold_favourites
):
    log_in(page, "13800000002")  # the Gold member, with points and orders
    page.goto("/")
    shelf = page.get_by_test_id("for-you")
    expect(shelf).to_be_visible()
    reasons = shelf.get_by_test_id("for-you-reason")
    expect(reasons.first).to_be_visible()
    assert reasons.count() == shelf.get_by_test_id("gift-card").count() >= 1
    texts = [t.strip() for t in reasons.all_inner_texts()]
    assert all(texts), "every card explains itself"
    assert any("金卡会员" in t or "Gold" in t for t in texts), texts  # popular with Gold members
    check_page(page, "for-you-home")
    page.screenshot(path="/tmp/foryou-home.png")
    shelf.get_by_test_id("gift-card").first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/gifts/\d+\?via=for_you$"))
    hidden = page.locator('#checkout input[name="via"]')
    if hidden.count():  # the checkout shows for a gift the member can redeem
        assert hidden.get_attribute("value") == "for_you"


def test_console_compares_for_you_with_the_plain_shelves(desktop, log_in, check_page):
    page = desktop.new_page()
    log_in(page, "admin")
    page.goto("/admin/segments")
    table = page.get_by_test_id("shelf-figures")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    for via in ("for_you", "shelf"):
        for kind in ("ctr", "redemption-rate"):
            assert RATE.match(page.get_by_test_id(f"{kind}-{via}").inner_text().strip())
    expect(page.locator("main")).to_contain_text(
        re.compile("点击率 = 点击 ÷ 曝光|clicks ÷ impressions")
    )
    table.scroll_into_view_if_needed()
    check_page(page, "for-you-console")
    page.screenshot(path="/tmp/foryou-console.png", full_page=True)
