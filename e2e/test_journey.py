"""No dead ends on a Pixel 7 (issue 12 §1): touch targets ≥ 44 px on every member page, the
visitor's tab bar, booking a facial by store → day → time grid, and the flash one-tap that
names its pickup counter (changed on the card, remembered) and ends in "You got it!".

Isolation (one demo database for every e2e test): the booking and the one-tap are a newly
joined member's, topped up through the POS; the flash event is this test's own, written into
the live database with a stock of its own, so no other test's stock or balance moves.
"""

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.live import catalogue_changed, joined_with_purchase

GOLD, PASSWORD = "13800000002", "journey123"
FACIAL = "专柜焕颜护理 60 分钟"  # the demo's service gift, with slots at SH001 and BJ001
FLASH_GIFT = "雪莲焕白精华 30ml"
MIN_TARGET = 44
# Every interactive element smaller than 44 × 44 px, except (WCAG 2.5.8's exceptions, and ours):
# links inside running text (display: inline, in a paragraph or list item with more text than
# the link), a checkbox or radio whose <label> is the 44 px target, and what is not on screen
# (the skip link until focused, a hidden input, what a closed <details> holds).
SMALL_TARGETS = """(min) => {
  const small = [];
  for (const el of document.querySelectorAll('a, button, input, select, summary, [role=button]')) {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden') continue;
    if (r.right <= 0 || el.type === 'hidden') continue;
    if (el.tagName === 'A' && cs.display === 'inline') {
      const block = el.closest('p, li, dd, td');
      if (block && block.textContent.trim().length > el.textContent.trim().length) continue;
    }
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || document.querySelector(`label[for="${el.id}"]`);
      const box = label && label.getBoundingClientRect();
      if (box && box.width >= min && box.height >= min) continue;
    }
    if (r.width < min || r.height < min)
      small.push(`${el.outerHTML.slice(0, 140)} ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _assert_targets(page: Page, name: str, check_page) -> None:
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    assert not small, f"touch targets under {MIN_TARGET}px on {name}:\n" + "\n".join(small)
    check_page(page, name)


def test_every_member_page_has_44px_targets(page: Page, check_page, log_in):
    """A Gold member's pages, each with its axe check: no target under 44 × 44 px (the Gold
    demo member has no order: an order page is walked by the flash test)."""
    log_in(page, GOLD)
    page.goto("/")
    gift = page.get_by_test_id("gift-card").first.get_by_role("link").first.get_attribute("href")
    paths = ["/", gift, "/flash", "/me", "/me/points", "/me/notifications", "/me/tasks"]
    small = {}
    for path in [*paths, "/rules", "/orders", "/me/code"]:  # an order page: the flash test
        page.goto(path)
        small[path] = page.evaluate(SMALL_TARGETS, MIN_TARGET)
        check_page(page, "journey-targets" + re.sub(r"\W+", "-", path).rstrip("-"))
    small = {path: found for path, found in small.items() if found}
    assert not small, "\n".join(f"{p}:\n  " + "\n  ".join(found) for p, found in small.items())


def test_visitors_get_the_tab_bar_and_its_member_tabs_sign_in(page: Page, check_page):
    """A visitor's tab bar: the mall and flash open, orders and me ask to log in, then return."""
    page.goto("/")
    bar = page.get_by_role("navigation", name=re.compile("Main|主"))
    expect(bar.get_by_role("link")).to_have_count(4)
    expect(bar.locator("[aria-current=page]")).to_have_count(1)
    _assert_targets(page, "journey-visitor-home", check_page)
    bar.get_by_role("link").nth(3).click()
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)me$"))
    form = page.locator("#login-form")
    form.locator("[name=identifier]").fill(GOLD)
    form.locator("[name=password]").fill("demo1234")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/me$"))
    page.wait_for_load_state()
    expect(page.get_by_test_id("tier-name")).to_be_visible()
    check_page(page, "journey-visitor-signed-in")


@pytest.fixture
def new_member(page: Page, pos):
    """A newly joined member with 20,000 points from a POS purchase: their phone."""
    return joined_with_purchase(page, pos, PASSWORD, yuan=20_000, tag="JOURNEY", phone_prefix="139",
                                sku="YL-SET")  # fmt: skip


def test_booking_by_store_then_day_then_time(page: Page, check_page, new_member):
    """Redeem the facial, then pick the second store, a day chip and a time from the grid."""
    page.goto("/")
    card = page.get_by_test_id("gift-card").filter(has_text=FACIAL).first
    card.get_by_role("link").first.click()
    page.locator("#checkout").get_by_test_id("redeem-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    order_url = page.url
    page.get_by_test_id("book-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/book$"))
    stores = page.get_by_test_id("store-picks").get_by_role("link")
    expect(stores.first).to_have_attribute("aria-current", "true")
    _assert_targets(page, "journey-book", check_page)
    second = stores.nth(1)
    second.click()  # htmx swaps the picker in place and keeps the URL
    expect(page).to_have_url(re.compile(r"/book\?store=\d+$"))
    expect(stores.nth(1)).to_have_attribute("aria-current", "true")
    chips = page.locator(".day-chips a")
    chips.last.click()
    expect(page).to_have_url(re.compile(r"&day=\d{4}-\d{2}-\d{2}$"))
    expect(chips.last).to_have_attribute("aria-current", "date")
    free = page.locator(".time-slot").filter(has=page.locator("input:enabled")).first
    starts = free.locator(".time").inner_text()
    free.click()
    expect(free.locator("input")).to_be_checked()
    _assert_targets(page, "journey-book-picked", check_page)
    page.locator("form.slot-form button[type=submit]").click()
    expect(page).to_have_url(order_url)
    expect(page.get_by_test_id("order-status")).to_contain_text(starts)


@pytest.fixture
def live_flash(live_db, live_server):
    """A live flash redemption of a pickup gift, stock 5, for this test: its event id."""
    now = datetime.now(UTC)
    with sqlite3.connect(live_db) as db:
        gift_id = db.execute("SELECT id FROM gifts WHERE name = ?", (FLASH_GIFT,)).fetchone()[0]
        cursor = db.execute(
            "INSERT INTO flash_events (gift_id, title, starts_at, ends_at, points_price,"
            " cash_fen, stock, initial_stock, per_member_limit)"
            " VALUES (?, 'E2E 一键抢', ?, ?, 100, 0, 5, 5, 1)",
            (gift_id, _stamp(now - timedelta(minutes=1)), _stamp(now + timedelta(hours=1))),
        )
        event_id = cursor.lastrowid
    db.close()
    catalogue_changed(live_db)
    return event_id


def test_flash_one_tap_names_the_counter_and_says_you_got_it(
    page: Page, check_page, new_member, live_flash
):
    """Change the counter on the card (remembered), tap once, "You got it!", then the order."""
    page.goto("/flash")
    card = page.locator(f"[data-testid=flash-card][data-event-id='{live_flash}']")
    where = card.get_by_test_id("pickup-store")
    first = where.get_attribute("data-store-id")
    _assert_targets(page, "journey-flash", check_page)
    where.locator("summary").click()
    select = where.locator("select")
    other = select.locator(f"option:not([value='{first}'])").first.get_attribute("value")
    name = select.locator(f"option[value='{other}']").inner_text().split(" · ")[0]
    select.select_option(other)
    where.get_by_role("button").click()
    expect(card.get_by_test_id("pickup-store")).to_have_attribute("data-store-id", other)
    expect(card.get_by_test_id("pickup-store").get_by_role("status")).to_be_visible()
    check_page(page, "journey-flash-counter-changed")
    page.reload()  # remembered for next time
    expect(card.get_by_test_id("pickup-store")).to_have_attribute("data-store-id", other)
    card.get_by_test_id("redeem-button").click()
    won = page.get_by_test_id("flash-won")
    expect(won).to_contain_text(name)
    check_page(page, "journey-flash-won")
    won.get_by_test_id("flash-order-link").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator("main")).to_contain_text(name)
    _assert_targets(page, "journey-flash-order", check_page)
