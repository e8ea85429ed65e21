"""The points mall on a Pixel 7: shelves, a locked gift, pickup and points + cash redemptions,
the sandbox payment, a flash redemption from countdown to sold out, and a cancellation.

Every test has a member of its own (a demo account or a fresh registration topped up at a
counter) and reads balances before it acts, so the tests run in any order. Selectors are
data-testids, form field names and form actions: nothing depends on the translation catalogs.
"""

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.live import catalogue_changed, joined_with_purchase

BASE, SILVER, DIAMOND = "13800000000", "13800000001", "13800000003"
PASSWORD = "mall-journey-2024"

GOLD_SET = "金卡尊享修护礼盒"  # gated Gold and above
SERUM = "云澜青春精华 15ml 体验装"  # 1,500 points, physical, everyone
SERUM_POINTS = 1_500
CREAM = "云澜臻养面霜 50ml"  # 1,500 points + ¥300
CREAM_POINTS, CREAM_CASH_YUAN = 1_500, 300
MEMBER_DAY_RATE = 10  # points per ¥1 on the member day conftest makes of today
YUAN_BY_POINTS = 100
FLASH_GIFT = "雪莲焕白精华 30ml"
FLASH_POINTS = 300
FLASH_LEAD = timedelta(seconds=8)  # enough to check the upcoming card before it goes live
FLASH_GO_LIVE_TIMEOUT = 30_000  # ms: the lead time plus the reload, with room to spare

TIER_GOLD = re.compile(r"金卡会员|金卡|Gold")
CLOCK = re.compile(r"\d{2}:\d{2}:\d{2}")


def _header_balance(page: Page) -> int:
    """The points badge in the header, as a number."""
    badge = page.locator("header").get_by_test_id("points-balance")
    expect(badge).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*$"))
    return int(badge.inner_text().replace(",", ""))


def _expect_header_balance(page: Page, points: int) -> None:
    expect(page.locator("header").get_by_test_id("points-balance")).to_have_text(f"{points:,}")


def _open_gift(page: Page, name: str) -> str:
    """From the shelves, tap the gift's card; return its id."""
    page.goto("/")
    card = page.get_by_test_id("gift-card").filter(has_text=name).first
    gift_id = card.get_attribute("data-gift-id")
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/gifts/{gift_id}(\?via=\w+)?$"))
    return gift_id


def _new_member(page: Page, pos, yuan: int) -> str:
    """A fresh member (registered through the form, so logged in) who spent ¥yuan at a counter."""
    return joined_with_purchase(page, pos, PASSWORD, yuan=yuan, tag="MALL", phone_prefix="136")


def _redeem_for_pickup(page: Page, check_page, shot: str) -> str:
    """On a gift page: redeem with the defaults (one, pickup at a counter); return the order id."""
    button = page.get_by_test_id("redeem-button")
    expect(button).to_be_enabled()
    expect(page.locator("#checkout input[name=delivery][value=pickup]")).to_be_checked()
    check_page(page, f"{shot}-gift")
    button.click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    return page.url.rsplit("/", 1)[1]


def test_locked_gift_for_base_member(page: Page, check_page, log_in):
    """A base-tier member sees the Gold gift set locked on the shelf, and why, on its page too."""
    log_in(page, BASE)
    page.goto("/")
    expect(page.get_by_test_id("gift-card").first).to_be_visible()
    card = page.get_by_test_id("gift-card").filter(has_text=GOLD_SET)
    expect(card).to_have_count(1)
    lock = card.get_by_test_id("gift-locked")
    expect(lock).to_be_visible()
    expect(lock).to_have_text(TIER_GOLD)
    # Open gifts on the shelves carry no lock.
    expect(
        page.get_by_test_id("gift-card").filter(has_text=SERUM).get_by_test_id("gift-locked")
    ).to_have_count(0)
    check_page(page, "mall-base-home")

    gift_id = card.get_attribute("data-gift-id")
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/gifts/{gift_id}(\?via=\w+)?$"))
    button = page.get_by_test_id("redeem-button")
    expect(button).to_be_disabled()
    expect(page.locator("#checkout .notice")).to_have_text(TIER_GOLD)
    expect(page.locator("#checkout form")).to_have_count(0)
    check_page(page, "mall-base-gift-locked")


def test_redeem_points_gift_for_pickup(page: Page, check_page, log_in):
    """Diamond member: one tap on a points-only gift → an order with an 8-digit pickup code."""
    log_in(page, DIAMOND)
    _open_gift(page, SERUM)
    before = _header_balance(page)
    order_id = _redeem_for_pickup(page, check_page, "mall-pickup")

    expect(page.get_by_test_id("order-status").locator(".status-to_pickup")).to_be_visible()
    expect(page.get_by_test_id("pickup-code")).to_have_text(re.compile(r"^\d{8}$"))
    expect(page.locator(".code-card svg")).to_be_visible()
    _expect_header_balance(page, before - SERUM_POINTS)
    check_page(page, "mall-pickup-order")

    page.goto("/orders")
    row = page.locator(f"a.order-row[href$='/orders/{order_id}']")
    expect(row).to_be_visible()
    expect(row.locator(".status-to_pickup")).to_be_visible()
    check_page(page, "mall-orders")


def test_points_and_cash_shipped_with_sandbox_payment(page: Page, check_page, pos):
    """Points + cash, shipped: add an address, pay ¥100 with points at the member-day rate,
    pay the rest in the sandbox; the order waits to be shipped and 2,500 points are gone."""
    _new_member(page, pos, yuan=3_000)
    _open_gift(page, CREAM)
    before = _header_balance(page)
    assert before >= CREAM_POINTS + YUAN_BY_POINTS * MEMBER_DAY_RATE

    # A new member has no address yet: add one on the gift page.
    expect(page.locator("select#address_id")).to_have_count(0)
    address = page.locator("details.card").filter(has=page.locator("[name=recipient]"))
    address.locator("summary").click()
    address.locator("[name=recipient]").fill("林小满")
    address.locator("[name=phone]").fill("13912345678")
    address.locator("[name=region]").fill("上海市 静安区")
    address.locator("[name=detail]").fill("南京西路 1266 号 恒隆广场 2 座 1801 室")
    check_page(page, "mall-cash-address")
    address.locator("button[type=submit]").click()
    expect(page.locator("select#address_id option")).to_have_count(1)

    checkout = page.locator("#checkout")
    checkout.locator("input[name=delivery][value=ship]").check()
    expect(checkout.locator("select#address_id")).to_be_visible()
    expect(checkout.locator("select#address_id")).to_contain_text("林小满")
    # line by line: gift points, points paying ¥X, cash left, total points, balance after
    totals = checkout.get_by_test_id("cash-split").locator("dd")
    expect(totals.nth(0)).to_have_text(f"{CREAM_POINTS:,}")
    expect(totals.nth(2)).to_have_text(f"¥{CREAM_CASH_YUAN:,}.00")
    expect(totals.nth(3)).to_have_text(f"{CREAM_POINTS:,}")
    expect(checkout.locator("#breakdown .hint")).to_contain_text(f"{MEMBER_DAY_RATE}")

    # The breakdown follows the amount live (htmx): 100 yuan at 10 points per yuan.
    checkout.locator("[name=yuan_by_points]").fill(str(YUAN_BY_POINTS))
    points_total = CREAM_POINTS + YUAN_BY_POINTS * MEMBER_DAY_RATE
    cash_left = CREAM_CASH_YUAN - YUAN_BY_POINTS
    expect(totals.nth(1)).to_have_text(f"{YUAN_BY_POINTS * MEMBER_DAY_RATE:,}")
    expect(totals.nth(2)).to_have_text(f"¥{cash_left:,}.00")
    expect(totals.nth(3)).to_have_text(f"{points_total:,}")
    expect(totals.nth(4)).to_have_text(f"{before - points_total:,}")
    expect(checkout.locator("[name=expected_rate]")).to_have_value(str(MEMBER_DAY_RATE))
    expect(checkout.locator("[name=yuan_by_points]")).to_have_value(str(YUAN_BY_POINTS))
    expect(checkout.locator("input[name=delivery][value=ship]")).to_be_checked()
    check_page(page, "mall-cash-gift")

    checkout.get_by_test_id("redeem-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    order_id = page.url.split("/")[-2]
    expect(page.locator("main .big")).to_have_text(f"¥{cash_left:,}.00")
    _expect_header_balance(page, before - points_total)  # points are held while the cash is due
    check_page(page, "mall-cash-pay")

    page.locator(f"form[action$='/orders/{order_id}/pay'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"))
    expect(page.get_by_test_id("order-status").locator(".status-to_ship")).to_be_visible()
    expect(page.get_by_test_id("pickup-code")).to_have_count(0)
    expect(page.locator("main address")).to_contain_text("林小满")
    _expect_header_balance(page, before - points_total)
    check_page(page, "mall-cash-order")


@pytest.fixture
def upcoming_flash(live_db, live_server):
    """A flash redemption of one unit that starts FLASH_LEAD from now: its event id.

    Written straight into the live SQLite database, in its own format (naive UTC), so the
    countdown starts when this test does rather than when the server did.
    """

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def create() -> int:
        now = datetime.now(UTC)
        with sqlite3.connect(live_db) as db:
            gift_id = db.execute("SELECT id FROM gifts WHERE name = ?", (FLASH_GIFT,)).fetchone()[0]
            cursor = db.execute(
                "INSERT INTO flash_events (gift_id, title, starts_at, ends_at, points_price,"
                " cash_fen, stock, initial_stock, per_member_limit)"
                " VALUES (?, ?, ?, ?, ?, 0, 1, 1, 1)",
                (
                    gift_id,
                    "E2E 限量 1 件",
                    stamp(now + FLASH_LEAD),
                    stamp(now + timedelta(hours=2)),
                    FLASH_POINTS,
                ),
            )
            event_id = cursor.lastrowid
        db.close()
        catalogue_changed(live_db)
        return event_id

    return create


def test_flash_countdown_live_redeemed_sold_out(page: Page, check_page, log_in, upcoming_flash):
    """Upcoming (counting down, button disabled) → the page reloads itself live → redeemed →
    back on /flash the card is sold out."""
    log_in(page, SILVER)
    event_id = upcoming_flash()
    page.goto("/flash")
    card = page.locator(f"[data-testid=flash-card][data-event-id='{event_id}']")
    button = card.get_by_test_id("redeem-button")
    countdown = card.get_by_test_id("flash-countdown")
    expect(card).to_have_class(re.compile(r"\bphase-upcoming\b"))
    expect(button).to_be_disabled()
    expect(countdown).to_have_attribute("data-starts-at", re.compile(r"\+08:00$"))
    expect(countdown.locator(".countdown-clock")).to_have_text(CLOCK)
    expect(card.get_by_test_id("flash-stock")).to_have_text("1")
    check_page(page, "mall-flash-upcoming")

    # No sleeping: countdown.js reloads the page when the phase changes.
    expect(button).to_be_enabled(timeout=FLASH_GO_LIVE_TIMEOUT)
    expect(card).to_have_class(re.compile(r"\bphase-live\b"))
    before = _header_balance(page)
    check_page(page, "mall-flash-live")

    button.click()  # the card turns into "You got it!" in place, the order one tap away
    expect(card.get_by_test_id("flash-won")).to_be_visible()
    card.get_by_test_id("flash-order-link").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.get_by_test_id("order-status").locator(".status-to_pickup")).to_be_visible()
    expect(page.get_by_test_id("pickup-code")).to_have_text(re.compile(r"^\d{8}$"))
    _expect_header_balance(page, before - FLASH_POINTS)
    check_page(page, "mall-flash-order")

    page.goto("/flash")
    expect(card).to_have_class(re.compile(r"\bphase-sold_out\b"))
    expect(card.get_by_test_id("flash-stock")).to_have_text("0")
    expect(button).to_be_disabled()
    check_page(page, "mall-flash-sold-out")


def test_cancel_order_returns_points(page: Page, check_page, pos):
    """A pickup order cancelled on its page: status cancelled, every point back."""
    _new_member(page, pos, yuan=2_000)
    _open_gift(page, SERUM)
    before = _header_balance(page)
    order_id = _redeem_for_pickup(page, check_page, "mall-cancel")
    _expect_header_balance(page, before - SERUM_POINTS)

    # the cancel asks first, saying how many points come back (a disclosure: no script needed)
    cancel = page.locator(f"form[action$='/orders/{order_id}/cancel'] button[type=submit]")
    expect(cancel).to_be_hidden()
    page.get_by_test_id("cancel-order").locator("summary").click()
    expect(page.get_by_test_id("cancel-confirm")).to_contain_text(f"{SERUM_POINTS:,}")
    check_page(page, "mall-cancel-confirm")
    cancel.click()
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"))
    expect(page.get_by_test_id("order-status").locator(".status-cancelled")).to_be_visible()
    expect(page.get_by_test_id("pickup-code")).to_have_count(0)
    expect(cancel).to_have_count(0)
    _expect_header_balance(page, before)
    check_page(page, "mall-cancel-order")
