"""The rules console on a 1366 × 768 desktop: a ×3 campaign and a POS order that earns triple.

Isolation (one demo database for every e2e test): the campaign has a name of its own, is
created for today only and ended in a `finally` as soon as the order is in. Ending it is a new
version from that moment, so orders paid afterwards (every later test's) earn as before, and
nothing else in the demo rules is changed.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect

from e2e.sms import join

SHANGHAI = timezone(timedelta(hours=8))
PAGES = [
    ("/admin/rules/history", "console-rules-history"),
    ("/admin/rules/clearing", "console-rules-clearing"),
    (
        "/admin/rules/simulate?sim_amount=1200&sim_tier=gold&sim_month=&sim_category=skincare",
        "console-rules-simulator",
    ),
    ("/admin/rules/tiers", "console-rules-tiers"),
    ("/admin/rules/categories", "console-rules-categories"),
    ("/admin/rules/cash", "console-rules-cash"),
    ("/admin/rules/sources", "console-rules-sources"),
    ("/admin/rules/behaviour", "console-rules-behaviour"),
    ("/admin/rules/gift_pack", "console-rules-gift-pack"),
    ("/admin/rules/birthday", "console-rules-birthday"),
    ("/admin/rules/bookings", "console-rules-bookings"),
    ("/admin/rules/issue_cap", "console-rules-issue-cap"),
    ("/admin/rules/benefits/new", "console-rules-benefit-new"),
    ("/admin/rules/benefits/gold_care", "console-rules-benefit"),
]


def _member(page: Page) -> str:
    """A member of our own (so no other test's balances move): join on the phone."""
    phone = f"136{uuid.uuid4().int % 10**8:08d}"
    page.goto("/register")
    join(page, phone, "rules-e2e-2026")
    expect(page).to_have_url(re.compile(r"/me$"))
    return phone


def _order(pos, phone: str) -> dict:
    order = {
        "order_no": f"E2E-RULES-{uuid.uuid4().hex[:10]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": 10_000,
        # to the microsecond: an order paid in the same second as the campaign ended but before
        # it, is rightly still earned under the campaign
        "paid_at": datetime.now(SHANGHAI).isoformat(),
        "lines": [{"sku": "YL-SERUM-50", "category": "skincare", "qty": 1, "paid_fen": 10_000}],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, f"POST /api/v1/orders -> {response.status}: {response.text()}"
    return response.json()


def test_a_triple_points_campaign_and_a_pos_order_earns_triple(
    page: Page, desktop, log_in, check_page, pos
):
    phone = _member(page)
    console = desktop.new_page()
    log_in(console, "admin")
    console.goto("/admin/rules")
    expect(console.locator("h1")).to_be_visible()
    expect(console.get_by_test_id("issue-cap-used")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*$"))
    check_page(console, "console-rules")

    name = f"E2E ×3 {uuid.uuid4().hex[:6]}"
    today = datetime.now(SHANGHAI).date().isoformat()
    console.goto("/admin/rules/campaigns/new")
    check_page(console, "console-rules-campaign")
    form = console.locator("form.rule-form")
    form.locator("[name=name]").fill(name)
    form.locator("[name=multiplier_pct]").fill("300")
    form.locator("[name=starts_on]").fill(today)
    form.locator("[name=ends_on]").fill(today)
    form.locator("[name=sim_amount]").fill("100")
    form.locator("[name=sim_tier]").select_option("base")
    form.locator("button[value=simulate]").click()
    expect(console.get_by_test_id("sim-draft")).to_have_text("300")
    expect(console.get_by_test_id("sim-in-force")).to_have_text("100")
    check_page(console, "console-rules-campaign-simulated")
    try:
        console.locator("form.rule-form button[value=save]").click()
        expect(console).to_have_url(re.compile(r"/admin/rules(#campaigns)?$"))
        row = console.get_by_test_id("campaign").filter(has_text=name)
        expect(row).to_contain_text("300 %")
        check_page(console, "console-rules-with-campaign")
        assert _order(pos, phone)["points_awarded"] == 300  # ¥100 at the base tier, ×3
    finally:
        console.goto("/admin/rules")
        console.get_by_test_id("campaign").filter(has_text=name).get_by_role("button").click()
        expect(console.get_by_test_id("campaign").filter(has_text=name)).to_have_count(0)
    assert _order(pos, phone)["points_awarded"] == 100  # ended: back to 1 point per ¥1
    expect(console.get_by_test_id("rule-version").first).to_contain_text("admin")


def test_every_rules_page_passes_axe(desktop, log_in, check_page):
    console = desktop.new_page()
    log_in(console, "admin")
    for path, shot in PAGES:
        console.goto(path)
        expect(console.locator("h1")).to_be_visible()
        check_page(console, shot)
    expect(console.locator("body")).not_to_contain_text("Traceback")
