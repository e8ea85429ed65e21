"""The console on a 1366 × 768 desktop: the operator recomputes the segments and exports one;
finance reads them and cannot recompute."""

import csv
import re

from playwright.sync_api import expect

POINTS = re.compile(r"^\d{1,3}(,\d{3})*$")
HEADER = (
    "member_no,name,tier,segment,r_score,f_score,m_score,recency_days,frequency,monetary_yuan,"
    "last_purchase_at,balance,held,redeemed_12m,computed_at"
)


def test_operator_recomputes_segments_exports_one_and_sees_it_on_a_member(
    desktop, log_in, check_page
):
    page = desktop.new_page()
    log_in(page, "admin")
    page.locator(".console-nav").get_by_role("link", name=re.compile("会员分层|Segments")).click()
    expect(page).to_have_url(re.compile(r"/admin/segments"))
    page.get_by_role("button", name=re.compile("立即重新计算|Recompute now")).click()
    expect(page.locator("main [role=status]").first).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_test_id("segments-computed")).to_contain_text(re.compile(r"\d"))
    sizes = page.get_by_test_id("segment-size")
    expect(sizes).to_have_count(6)
    for text in sizes.all_inner_texts():
        assert POINTS.match(text), text
    check_page(page, "console-segments")
    with page.expect_download() as download:
        page.locator('tr[data-segment="random"]').get_by_role(
            "link", name=re.compile("CSV")
        ).click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert ",".join(rows[0]) == HEADER
    assert all(row[3] == "random" for row in rows[1:])
    page.goto("/admin/members")
    page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    expect(page.get_by_test_id("member-segment")).to_contain_text(re.compile("分层|Segment"))
    expect(page.get_by_test_id("member-segment").get_by_role("link")).to_have_count(1)
    check_page(page, "console-member-segment")


def test_finance_reads_segments_but_cannot_recompute(desktop, log_in, check_page):
    page = desktop.new_page()
    log_in(page, "F0001")
    page.goto("/admin/segments?segment=none")
    expect(page.locator("main")).to_contain_text(re.compile("只读|Read-only"))
    expect(page.get_by_role("button", name=re.compile("立即重新计算|Recompute now"))).to_have_count(
        0
    )
    expect(page.locator("main form[method=post]")).to_have_count(0)
    check_page(page, "finance-segments")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    refused = page.request.post("/admin/segments/recompute", headers={"X-CSRFToken": token})
    assert refused.status == 403
