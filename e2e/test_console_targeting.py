"""The operator targets a campaign at one segment and publishes it (1366 × 768, axe on each page).

Isolation: the campaign has a name of its own, is for today only and is ended in a `finally`,
so later tests' orders earn as before. The member who orders is a new one, not scored by RFM
yet: in no segment, so the loyal customers' ×3 does not reach them.
"""

import re
import uuid
from datetime import datetime

from playwright.sync_api import Page, expect

from e2e.test_console_rules import SHANGHAI, _member, _order


def test_a_campaign_for_loyal_customers_is_published_and_reaches_only_them(
    page: Page, desktop, log_in, check_page, pos
):
    phone = _member(page)
    console = desktop.new_page()
    log_in(console, "admin")
    name = f"E2E loyal ×3 {uuid.uuid4().hex[:6]}"
    today = datetime.now(SHANGHAI).date().isoformat()
    console.goto("/admin/rules/campaigns/new")
    form = console.locator("form.rule-form")
    form.locator("[name=name]").fill(name)
    form.locator("[name=multiplier_pct]").fill("300")
    form.locator("[name=starts_on]").fill(today)
    form.locator("[name=ends_on]").fill(today)
    form.locator("[name=segment]").select_option("loyal")
    check_page(console, "console-rules-campaign-targeted")
    console.screenshot(path="/tmp/target-campaign-form.png", full_page=True)
    try:
        form.locator("button[value=save]").click()
        expect(console).to_have_url(re.compile(r"/admin/rules(#campaigns)?$"))
        row = console.get_by_test_id("campaign").filter(has_text=name)
        expect(row.get_by_test_id("campaign-target")).to_have_text("忠诚客户")
        check_page(console, "console-rules-with-targeted-campaign")
        row.scroll_into_view_if_needed()
        console.screenshot(path="/tmp/target-campaign-list.png")
        assert _order(pos, phone)["points_awarded"] == 100  # in no segment: no ×3
    finally:
        console.goto("/admin/rules")
        console.get_by_test_id("campaign").filter(has_text=name).get_by_role("button").click()
        expect(console.get_by_test_id("campaign").filter(has_text=name)).to_have_count(0)
