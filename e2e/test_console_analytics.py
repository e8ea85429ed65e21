"""The console on a 1366 × 768 desktop: the operator reads the analytics; finance only reads."""

import re
from pathlib import Path

from playwright.sync_api import expect

POINTS = re.compile(r"^-?\d{1,3}(,\d{3})*$")


def test_operator_filters_analytics_to_a_store_and_exports(desktop, log_in, check_page):
    page = desktop.new_page()
    log_in(page, "admin")
    expect(page.get_by_test_id("kpi-outstanding")).to_have_text(POINTS)
    expect(page.get_by_test_id("kpi-health")).to_have_text(re.compile(r"^(—|\d+\.\d %)$"))
    check_page(page, "console-home")
    page.locator(".console-nav").get_by_role("link", name=re.compile("分析|Analytics")).click()
    expect(page).to_have_url(re.compile(r"/admin/analytics"))
    check_page(page, "console-analytics")
    page.locator("#a-store").select_option("SH001")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"store=SH001"))
    expect(page.locator("#a-store")).to_have_value("SH001")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("月度|Monthly CSV")).click()
    path = download.value.path()
    lines = Path(path).read_text(encoding="utf-8").splitlines()  # closed at once
    assert lines[0] == (
        "month,issued,consumed,expired,issued_growth_pct,consumed_growth_pct,expired_growth_pct"
    )
    assert len(lines) == 13 and all(re.match(r"^\d{4}-\d{2},", line) for line in lines[1:])


def test_finance_reads_everything_and_sees_no_write_controls(desktop, log_in, check_page):
    page = desktop.new_page()
    log_in(page, "F0001")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    for path, name in [("/admin/analytics", "finance-analytics"), ("/admin/staff", "finance-staff"),
                       ("/admin/audit", "finance-audit")]:  # fmt: skip
        page.goto(path)
        expect(page.locator("main")).to_contain_text(re.compile("只读|Read-only"))
        expect(page.locator("main form[method=post]")).to_have_count(0)
        check_page(page, name)
    response = page.request.post("/admin/staff", form={"staff_id": "X1"})
    assert response.status in (400, 403)
