"""The gift console on a 1366 × 768 desktop: the operator lists a gift from the library with a
tier gate and a scheduled listing; on a phone a Gold member sees it at that time and a base
member sees it locked. Every console gift page is checked by axe and photographed."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

BRAND_TZ = ZoneInfo("Asia/Shanghai")
GOLD, BASE = "13800000002", "13800000000"
NAME = "E2E 金卡臻享礼盒"


def _local(moment: datetime) -> str:
    return moment.astimezone(BRAND_TZ).strftime("%Y-%m-%dT%H:%M")


def _list_from_library(console: Page, check_page) -> str:
    """'List this' on the Gold gift box; returns the new gift's console URL."""
    console.goto("/admin/library")
    check_page(console, "console-library")
    row = console.locator("tr", has_text="Gold Tier Gift Box").or_(
        console.locator("tr", has_text="金卡臻享礼盒")
    )
    row.first.get_by_role("button").click()
    expect(console).to_have_url(re.compile(r"/admin/gifts/\d+$"))
    expect(console.locator(".console-main .success")).to_be_visible()
    return console.url


def _set_listing(console: Page, listed_at: datetime) -> None:
    """Rename, price, gate (Gold and Diamond), list at `listed_at`, no end; save."""
    form = console.locator("form.gift-form")
    form.locator("[name=name]").fill(NAME)
    form.locator("[name=points]").fill("100")
    form.locator("[name=listed_at]").fill(_local(listed_at))
    form.locator("[name=delisted_at]").fill("")
    for tier, ticked in (("base", False), ("silver", False), ("gold", True), ("diamond", True)):
        form.locator(f"[name=tiers][value={tier}]").set_checked(ticked)
    form.locator("button[type=submit]").click()
    expect(console.locator(".console-main .success")).to_be_visible()


def _receive_stock(console: Page, check_page) -> None:
    stock = console.locator("#stock")
    stock.locator("[name=direction]").select_option("in")
    stock.locator("[name=quantity]").fill("5")
    stock.locator("[name=reason]").fill("E2E 到货")
    stock.get_by_role("button").click()
    expect(console.locator("#stock .stock-figure")).to_have_text("5")  # swapped in by htmx
    expect(console.locator("#stock .movements")).to_contain_text("E2E 到货")
    check_page(console, "console-gift-edit")


def test_operator_lists_a_gated_scheduled_gift_members_see_it_at_its_time(
    desktop, page: Page, log_in, check_page
):
    console = desktop.new_page()
    log_in(console, "admin")
    url = _list_from_library(console, check_page)
    gift_id = url.rsplit("/", 1)[1]
    _set_listing(console, datetime.now(BRAND_TZ) + timedelta(days=1))
    _receive_stock(console, check_page)
    expect(console.locator("h1 .status")).to_have_text(re.compile("待上架|Scheduled"))

    log_in(page, GOLD)
    page.goto("/")
    expect(page.locator(f"[data-testid=gift-card][data-gift-id='{gift_id}']")).to_have_count(0)
    page.goto(f"/gifts/{gift_id}")
    expect(page.get_by_test_id("redeem-button")).to_be_disabled()  # not yet on sale

    # the listing time comes (moved to the past minute rather than waiting a day)
    console.goto(url)
    _set_listing(console, datetime.now(BRAND_TZ) - timedelta(minutes=1))
    expect(console.locator("h1 .status")).to_have_text(re.compile("已上架|On sale|库存紧张|Low"))

    page.goto("/")
    card = page.locator(f"[data-testid=gift-card][data-gift-id='{gift_id}']")
    expect(card).to_contain_text(NAME)
    expect(card.get_by_test_id("gift-locked")).to_have_count(0)
    card.get_by_role("link").click()
    expect(page.get_by_test_id("redeem-button")).to_be_enabled()
    check_page(page, "gift-listed-gold")

    page.context.clear_cookies()
    log_in(page, BASE)
    page.goto("/")
    card = page.locator(f"[data-testid=gift-card][data-gift-id='{gift_id}']")
    expect(card.get_by_test_id("gift-locked")).to_be_visible()
    check_page(page, "gift-listed-base-locked")
    page.goto(f"/gifts/{gift_id}")
    expect(page.get_by_test_id("redeem-button")).to_be_disabled()


def test_every_console_gift_page_passes_axe(desktop, log_in, check_page):
    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/gifts")
    check_page(console, "console-gifts")
    search = console.locator("#gift-q")
    search.fill("精华")  # live search: the results swap in, the URL follows
    expect(console).to_have_url(re.compile(r"q=%E7%B2%BE%E5%8D%8E"))
    expect(console.locator("#gift-results tbody tr").first).to_contain_text("精华")
    check_page(console, "console-gifts-search")
    console.goto("/admin/gifts/new")
    check_page(console, "console-gift-new")
    form = console.locator("form.gift-form")
    form.locator("[name=name]").fill("E2E 错误的礼品")
    form.locator("[name=points]").fill("100")
    form.locator("[name=stock]").fill("1")
    form.locator("[name=listed_at]").fill("2026-12-24T10:00")
    form.locator("[name=delisted_at]").fill("2026-12-20T10:00")  # ends before it starts
    form.locator("button[type=submit]").click()
    expect(console.get_by_test_id("form-error")).to_be_visible()
    check_page(console, "console-gift-new-refused")
    console.goto("/admin/gifts/preview?tier=base")
    expect(console.get_by_test_id("gift-locked").first).to_be_visible()
    check_page(console, "console-gift-preview-shelf")
    console.get_by_test_id("gift-card").first.get_by_role("link").click()
    expect(console).to_have_url(re.compile(r"/admin/gifts/\d+/preview"))
    check_page(console, "console-gift-preview-page")
