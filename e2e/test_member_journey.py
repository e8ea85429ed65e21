"""A new member's first day, on a Pixel 7: join, sign in daily, buy at the counter, show the code.

Selectors are data-testids, form field names and roles, so the tests do not depend on the
translation catalogs; the UI starts in Simplified Chinese (the browser is zh-CN).
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect

from e2e.sms import join

PASSWORD = "first-day-2024"
SHANGHAI = timezone(timedelta(hours=8))
WELCOME_POINTS = 100
SIGNIN_POINTS = 5
PURCHASE_POINTS = 1_200  # ¥1,200 of skincare at the base tier: 1 point per yuan
SILVER_THRESHOLD, GOLD_THRESHOLD = 1_000, 5_000


def _new_phone() -> str:
    """A mainland mobile number nobody else in this run uses."""
    return f"137{uuid.uuid4().int % 10**8:08d}"


def _balance(page: Page):
    """The balance on the /me card (the only points-balance inside <main>)."""
    return page.locator("main").get_by_test_id("points-balance")


def _register(page: Page, check_page, phone: str, shot: str) -> None:
    """Join through /register with the SMS code and land on /me."""
    page.goto("/register")
    check_page(page, f"{shot}-register")
    join(page, phone, PASSWORD, check=lambda p: check_page(p, f"{shot}-register-code-sent"))
    expect(page).to_have_url(re.compile(r"/me$"))


def test_new_member_first_day(page: Page, check_page, pos):
    """Join → welcome points → sign-in → ¥1,200 at a counter → Silver → history → code → English."""
    phone = _new_phone()
    _register(page, check_page, phone, "journey")
    expect(_balance(page)).to_have_text(str(WELCOME_POINTS))
    tier = page.get_by_test_id("tier-name")
    expect(tier).to_be_visible()
    tier_before = tier.inner_text()
    progress = page.get_by_test_id("tier-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("max", str(SILVER_THRESHOLD))
    expect(page.get_by_test_id("expiring-points")).to_have_text("0")
    check_page(page, "journey-me")

    # The htmx sign-in swaps its card; the balance refreshes itself on the points-changed event.
    page.get_by_test_id("signin-button").click()
    expect(_balance(page)).to_have_text(str(WELCOME_POINTS + SIGNIN_POINTS))
    expect(page.get_by_test_id("signin-button")).to_be_disabled()
    expect(page.locator("#signin [role=status]")).to_be_visible()
    check_page(page, "journey-me-signed-in")

    # A ¥1,200 serum at the Shanghai counter: 1,200 points and 1,200 growth (Silver from 1,000).
    order = {
        "order_no": f"E2E-{uuid.uuid4().hex[:12]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": 120_000,
        "paid_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "lines": [{"sku": "YL-SERUM-50", "category": "skincare", "qty": 1, "paid_fen": 120_000}],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, f"POST /api/v1/orders -> {response.status}: {response.text()}"
    body = response.json()
    assert body["order_no"] == order["order_no"]
    assert body["points_awarded"] == PURCHASE_POINTS
    assert body["balance"] == WELCOME_POINTS + SIGNIN_POINTS + PURCHASE_POINTS
    replay = pos.post("/api/v1/orders", data=order)
    assert replay.status == 200, f"replayed order -> {replay.status}: {replay.text()}"
    assert replay.json()["balance"] == body["balance"]

    page.reload()
    expect(_balance(page)).to_have_text("1,305")
    expect(tier).not_to_have_text(tier_before)
    expect(tier).to_have_text(re.compile(r"银卡|Silver"))
    expect(progress).to_have_attribute("max", str(GOLD_THRESHOLD))
    expect(progress).to_have_attribute("value", str(PURCHASE_POINTS))
    check_page(page, "journey-me-silver")

    page.goto("/me/points")
    rows = page.locator("#history > li")
    expect(rows).to_have_count(3)  # purchase, sign-in, welcome gift; newest first
    expect(rows.nth(0)).to_contain_text("+1,200")
    expect(rows.nth(1)).to_contain_text(f"+{SIGNIN_POINTS}")
    expect(rows.nth(2)).to_contain_text(f"+{WELCOME_POINTS}")
    expect(page.locator("header").get_by_test_id("points-balance")).to_have_text("1,305")
    check_page(page, "journey-points")

    page.goto("/me/code")
    expect(page.get_by_test_id("member-code")).to_have_text(re.compile(r"^\d{8,}$"))
    expect(page.locator("#member-code svg")).to_be_visible()
    check_page(page, "journey-code")

    page.goto("/me")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", name="Daily sign-in")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(tier).to_have_text("Silver")
    check_page(page, "journey-me-english")
