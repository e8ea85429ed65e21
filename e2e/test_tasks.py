"""The task centre on a Pixel 7 and its console pages on a 1366 × 768 desktop.

A member of our own (so no other test's balances move) joins, is topped up by the POS, redeems
a coupon (collected at once), claims the first-redemption reward, shares the coupon (the link
carries the referral code) and reviews it with a photo; the operator finds the review pending,
approves it, and it shows on the gift page. Every page is checked by axe and photographed.
"""

import io
import re
import uuid

from PIL import Image
from playwright.sync_api import Page, expect

from e2e.live import joined_with_purchase

COUPON = "满 500 减 100 券"


def _member(page: Page, pos) -> str:
    """A new member who spent ¥3,000 at a counter."""
    return joined_with_purchase(
        page, pos, "tasks-e2e-2026", yuan=3_000, tag="TASKS", phone_prefix="134"
    )


def _redeem_coupon(page: Page) -> str:
    page.goto("/?kind=coupon")
    page.get_by_test_id("gift-card").filter(has_text=COUPON).first.click()
    expect(page).to_have_url(re.compile(r"/gifts/\d+(\?via=\w+)?$"))
    gift_url = page.url
    page.locator("#checkout").get_by_test_id("redeem-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    return gift_url


def _task(page: Page, code: str):
    return page.locator(f'[data-testid="task"][data-task-code="{code}"]')


def _photo(tmp_path) -> str:
    path = tmp_path / "coupon.png"
    image = Image.new("RGB", (640, 480), (232, 206, 214))
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_member_tasks_share_and_review_then_operator_approves(
    page: Page, desktop, pos, check_page, log_in, tmp_path
):
    _member(page, pos)
    expect(page.get_by_role("link", name=re.compile("Task centre|任务中心"))).to_be_visible()
    gift_url = _redeem_coupon(page)

    page.goto("/me/tasks")
    expect(page.get_by_test_id("task")).to_have_count(6)
    check_page(page, "tasks-centre")
    first = _task(page, "first_redemption")
    first.get_by_role("button").click()
    expect(page.locator(".task-flash")).to_contain_text("+30")
    expect(_task(page, "first_redemption")).to_have_attribute("data-done", "true")

    page.goto(gift_url)
    page.get_by_test_id("share-button").click()
    expect(page).to_have_url(re.compile(r"/gifts/\d+/share$"))
    expect(page.get_by_test_id("share-link")).to_have_value(re.compile(r"\?ref=\w+"))
    expect(page.locator(".task-flash")).to_contain_text("+5")
    check_page(page, "tasks-share")

    page.goto("/me/tasks")
    expect(_task(page, "share_gift")).to_contain_text("1/6")
    page.locator("#reviewable").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/me/reviews/\d+$"))
    check_page(page, "tasks-review-form")
    text = f"E2E 评价 {uuid.uuid4().hex[:6]}：券很好用，柜台顾问很耐心。"
    page.get_by_label(re.compile("review|评价", re.I)).first.fill(text)
    page.locator("input[type=file]").set_input_files(_photo(tmp_path))
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/me/tasks$"))
    expect(_task(page, "review_gift")).to_contain_text("0/3")  # not rewarded until approved
    page.goto(gift_url)
    expect(page.get_by_text(text)).to_have_count(0)

    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/tasks")
    check_page(console, "console-tasks")
    share = console.locator("#task-share_gift form")
    share.locator("button[type=submit]").click()
    expect(console.locator(".console-main .success")).to_be_visible()
    console.goto("/admin/tasks/reviews")
    row = console.get_by_test_id("pending-review").filter(has_text=text)
    expect(row).to_have_count(1)
    check_page(console, "console-task-reviews")
    row.get_by_role("button", name=re.compile("Approve|通过|批准")).click()
    expect(console.locator(".console-main .success")).to_be_visible()
    expect(console.get_by_test_id("pending-review").filter(has_text=text)).to_have_count(0)

    page.goto(gift_url)
    expect(page.get_by_text(text)).to_be_visible()
    check_page(page, "tasks-gift-with-review")
    page.goto("/me/tasks")
    expect(_task(page, "review_gift")).to_contain_text("1/3")
