"""The members, orders and stores console on a 1366 × 768 desktop: the operator ships a member's
order and the member (a Pixel 7) sees the tracking number; an adjustment above the threshold by
`admin` waits until `admin2` approves it; axe on every page of the section.

Each test registers a member of its own, so nothing depends on another test's state."""

import re
import uuid

from playwright.sync_api import Page, expect

from e2e.live import joined_with_purchase

PASSWORD = "console-members-2024"
SERUM = "云澜青春精华 15ml 体验装"  # 1,500 points, physical, every tier
POINTS = re.compile(r"^\d{1,3}(,\d{3})*$")


def _new_member(page: Page, pos, yuan: int) -> str:
    """A fresh member (registered through the form, so logged in) who spent ¥yuan at a counter."""
    return joined_with_purchase(page, pos, PASSWORD, yuan=yuan, tag="CM", phone_prefix="135")


def _ship_order(page: Page) -> str:
    """The member redeems the serum for shipping (adding an address first): the order id."""
    page.goto("/")
    card = page.get_by_test_id("gift-card").filter(has_text=SERUM).first
    card.get_by_role("link").click()
    address = page.locator("details.card").filter(has=page.locator("[name=recipient]"))
    address.locator("summary").click()
    address.locator("[name=recipient]").fill("沈知意")
    address.locator("[name=phone]").fill("13912345678")
    address.locator("[name=region]").fill("上海市 黄浦区")
    address.locator("[name=detail]").fill("淮海中路 300 号 1 座 1208 室")
    address.locator("button[type=submit]").click()
    checkout = page.locator("#checkout")
    checkout.locator("input[name=delivery][value=ship]").check()
    expect(checkout.locator("select#address_id")).to_contain_text("沈知意")
    checkout.get_by_test_id("redeem-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.get_by_test_id("order-status").locator(".status-to_ship")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def _balance_on_console(console: Page) -> int:
    value = console.get_by_test_id("member-balance")
    expect(value).to_have_text(POINTS)
    return int(value.inner_text().replace(",", ""))


def test_operator_ships_and_the_member_sees_the_tracking_number(
    page: Page, desktop, pos, log_in, check_page
):
    phone = _new_member(page, pos, yuan=2_000)
    order_id = _ship_order(page)
    tracking = f"SF{uuid.uuid4().int % 10**12:012d}"

    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/orders")
    console.locator("#order-q").fill(phone)
    row = console.locator(f"#order-results a[href$='/admin/orders/{order_id}']")
    expect(row).to_be_visible()  # live search (htmx) narrowed the table to this member
    expect(console).to_have_url(re.compile(rf"q={phone}"))
    check_page(console, "console-orders")
    row.click()
    expect(console).to_have_url(re.compile(rf"/admin/orders/{order_id}$"))
    check_page(console, "console-order-to-ship")
    ship = console.locator(f"form[action$='/admin/orders/{order_id}/ship']")
    ship.locator("select[name=carrier]").select_option("sf")
    ship.locator("[name=tracking_no]").fill(tracking)
    ship.locator("button[type=submit]").click()
    expect(console.get_by_test_id("order-tracking")).to_contain_text(tracking)
    expect(console.locator("h1 .status-completed")).to_be_visible()
    check_page(console, "console-order-shipped")

    page.reload()
    expect(page.get_by_test_id("order-tracking")).to_contain_text(tracking)
    expect(page.get_by_test_id("order-tracking")).to_contain_text(re.compile("顺丰|SF Express"))
    check_page(page, "member-order-shipped")


def test_an_adjustment_above_the_threshold_waits_for_admin2(
    page: Page, desktop, pos, log_in, check_page, base_url
):
    phone = _new_member(page, pos, yuan=100)
    console = desktop.new_page()
    log_in(console, "admin")
    console.goto(f"/admin/members?q={phone}")
    check_page(console, "console-members")
    console.locator("#member-results tbody a").first.click()
    expect(console).to_have_url(re.compile(r"/admin/members/\d+$"))
    detail_url = console.url
    before = _balance_on_console(console)
    form = console.locator("form[action*='/adjust']")
    form.locator("[name=points]").fill("1500")
    form.locator("[name=reason_code]").select_option("complaint")
    form.locator("[name=reason]").fill("专柜缺货补偿")
    form.locator("button[type=submit]").click()
    waiting = console.locator("[data-status=pending]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("+1,500")
    assert _balance_on_console(console) == before  # nothing moved yet
    check_page(console, "console-member-pending")

    # admin cannot approve their own; admin2 (another browser) can.
    console.goto("/admin/members/approvals")
    mine = (
        console.locator("tr[data-adjustment-id]")
        .filter(has_text=phone[-4:])
        .filter(has_text="+1,500")
    )
    expect(mine.locator("button", has_text=re.compile("通过|批准|Approve"))).to_have_count(0)
    second = desktop.browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai",
        base_url=base_url,
    )  # fmt: skip
    try:
        approver = second.new_page()
        log_in(approver, "admin2")
        approver.goto("/admin/members/approvals")
        check_page(approver, "console-approvals")
        row = approver.locator("tr[data-adjustment-id]").filter(has_text="专柜缺货补偿")
        row = row.filter(has_text="+1,500").first
        adjustment_id = row.get_attribute("data-adjustment-id")
        row.locator("form[action$='/approve'] button").click()
        expect(approver.locator(f"tr[data-adjustment-id='{adjustment_id}']")).to_have_count(0)
    finally:
        second.close()

    console.goto(detail_url)
    expect(console.locator(f"[data-adjustment-id='{adjustment_id}']")).to_have_attribute(
        "data-status", "applied"
    )
    assert _balance_on_console(console) == before + 1_500
    check_page(console, "console-member-detail")
    page.goto("/me")
    expect(page.get_by_test_id("points-balance").first).to_have_text(f"{before + 1_500:,}")


def test_stores_and_slots_pages(desktop, log_in, check_page):
    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/stores")
    check_page(console, "console-stores")
    console.locator("table.data tbody a", has_text="SH001").click()
    expect(console.locator("#slots table.data tbody tr").first).to_be_visible()
    check_page(console, "console-store-detail")
    console.locator("form[action='/logout'] button").click()
    expect(console.locator("form[action='/logout']")).to_have_count(0)
    log_in(console, "F0001")  # finance reads the same pages without write controls
    console.goto("/admin/members")
    expect(console.locator("#member-results tbody tr").first).to_be_visible()
    console.locator("#member-results tbody a").first.click()
    expect(console.locator("form[action*='/adjust']")).to_have_count(0)
    check_page(console, "console-member-finance")
