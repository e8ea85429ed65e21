"""The console on a 1366 × 768 desktop: the operator runs a flash event and watches the monitor
while a member redeems it on a phone; the home layout, its preview and a reversible reorder."""

import re
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from e2e.live import catalogue_changed

BRAND_TZ = ZoneInfo("Asia/Shanghai")
DIAMOND = "13800000003"
GIFT_NAME = "E2E 控制台限时礼"
PRICE = 10


@pytest.fixture
def own_gift(live_db, live_server) -> int:
    """A gift of this test's own (a copy of a demo gift, with stock, off the shelves): its id."""
    with sqlite3.connect(live_db) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(gifts)") if row[1] != "id"]
        source = db.execute("SELECT id FROM gifts WHERE kind = 'physical' ORDER BY id").fetchone()[
            0
        ]
        picked = ", ".join(columns)
        copied = ", ".join(
            {"name": "?", "stock": "5", "delisted_at": "'2000-01-01 00:00:00.000000'"}.get(c, c)
            for c in columns
        )
        cursor = db.execute(
            f"INSERT INTO gifts ({picked}) SELECT {copied} FROM gifts WHERE id = ?",
            (GIFT_NAME, source),
        )
        gift_id = cursor.lastrowid
    db.close()
    catalogue_changed(live_db)
    return gift_id


def _local(moment: datetime) -> str:
    return moment.astimezone(BRAND_TZ).strftime("%Y-%m-%dT%H:%M")


def _create_event(console: Page, gift_id: int, check_page) -> str:
    """Through the list and the new-event form; returns the event's console URL."""
    console.goto("/admin/flash")
    check_page(console, "console-flash-list")
    console.locator(".console-head").get_by_role("link", name=re.compile("新建|New flash")).click()
    expect(console).to_have_url(re.compile(r"/admin/flash/new$"))
    form = console.locator("form.form")
    form.locator("[name=gift_id]").select_option(str(gift_id))
    form.locator("[name=title]").fill("E2E 控制台秒兑")
    form.locator("[name=points]").fill(str(PRICE))
    form.locator("[name=stock]").fill("3")
    form.locator("[name=ends_at]").fill(_local(datetime.now(BRAND_TZ) + timedelta(hours=1)))
    check_page(console, "console-flash-new")
    form.locator("button[type=submit]").click()
    expect(console).to_have_url(re.compile(r"/admin/flash/\d+$"))
    return console.url


def test_operator_runs_a_flash_event_and_watches_a_member_redeem(
    desktop, page: Page, log_in, check_page, own_gift
):
    console = desktop.new_page()
    log_in(console, "admin")
    url = _create_event(console, own_gift, check_page)
    event_id = url.rsplit("/", 1)[1]
    monitor = console.get_by_test_id("flash-monitor")
    expect(console.get_by_test_id("flash-status")).to_have_text(re.compile("进行中|Live"))
    expect(monitor.get_by_test_id("monitor-stock")).to_have_text("3")
    expect(monitor.get_by_test_id("monitor-sold")).to_have_text("0")
    check_page(console, "console-flash-monitor-start")

    log_in(page, DIAMOND)
    page.goto("/flash")
    card = page.locator(f"[data-testid=flash-card][data-event-id='{event_id}']")
    card.get_by_test_id("redeem-button").click()  # "You got it!" in place, the order a tap away
    card.get_by_test_id("flash-order-link").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    # the limit is 1: a second attempt is refused, and the refusal is counted
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    again = page.request.post(f"/flash/{event_id}/redeem", form={"csrf_token": token})
    assert again.status == 409

    # No reload: the monitor polls every 2 s; wait for the figures to arrive.
    expect(monitor.get_by_test_id("monitor-sold")).to_have_text("1", timeout=10_000)
    expect(monitor.get_by_test_id("monitor-stock")).to_have_text("2")
    expect(monitor.get_by_test_id("monitor-recent")).to_have_text("1")
    expect(monitor.locator("[data-reason=limit] td")).to_have_text("1", timeout=10_000)
    expect(monitor.get_by_test_id("monitor-refused")).to_have_text("1")
    check_page(console, "console-flash-monitor-live")

    # cancel: the member keeps the order, the event leaves the board, polling stops
    console.locator("[name=reason]").fill("E2E 结束")
    console.get_by_role("button", name=re.compile("取消此|Cancel this event")).click()
    expect(console.get_by_test_id("flash-status")).to_have_text(re.compile("已取消|Cancelled"))
    expect(console.get_by_test_id("flash-monitor")).not_to_have_attribute(
        "hx-trigger", re.compile(".")
    )
    check_page(console, "console-flash-cancelled")
    page.goto("/flash")
    expect(page.locator(f"[data-testid=flash-card][data-event-id='{event_id}']")).to_have_count(0)


def test_operator_arranges_the_home_and_previews_it(desktop, log_in, check_page):
    console = desktop.new_page()
    log_in(console, "admin")
    console.locator(".console-nav").get_by_role("link", name=re.compile("首页|Home layout")).click()
    expect(console).to_have_url(re.compile(r"/admin/home$"))
    rows = console.get_by_test_id("layout-section")
    expect(rows.first).to_be_visible()
    check_page(console, "console-home-layout")
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.sectionId)")
    last = rows.last
    # a reversible change: the last section one up, then back down (other tests see the demo)
    last.get_by_role("button", name=re.compile("上移|Move up")).click()
    expect(rows.nth(len(ids) - 2)).to_have_attribute("data-section-id", ids[-1])
    moved = console.locator(f"[data-testid=layout-section][data-section-id='{ids[-1]}']")
    moved.get_by_role("button", name=re.compile("下移|Move down")).click()
    expect(rows.last).to_have_attribute("data-section-id", ids[-1])
    banner = console.locator("[data-testid=layout-section][data-kind=banner]").first
    banner.get_by_role("link", name=re.compile("编辑|Edit")).click()
    expect(console).to_have_url(re.compile(r"/admin/home/\d+$"))
    check_page(console, "console-home-banner")
    console.goto("/admin/home/preview")
    expect(console.get_by_test_id("home-preview").locator(".banner")).to_be_visible()
    check_page(console, "console-home-preview")
