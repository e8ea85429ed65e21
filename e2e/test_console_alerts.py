"""Alerts on a 1366 × 768 desktop: a member's ¥45,000 day at the POS, the alerts job run once,
the alert on the console home; the operator opens it, acknowledges and resolves it with notes;
finance reads the alerts and the thresholds and can change nothing. axe on every page."""

import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import expect

from e2e.sms import join

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"  # the virtual environment running pytest
SHANGHAI = timezone(timedelta(hours=8))
PASSWORD = "console-alerts-2024"


def _run_alerts_job(live_db: Path) -> None:
    """`flask jobs run --once alerts` against the live server's database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live_db}", "PYTHONDONTWRITEBYTECODE": "1"}
    env.setdefault("SECRET_KEY", "e2e-secret-key-not-for-production")
    done = subprocess.run(
        [str(FLASK), "--app", "wsgi", "jobs", "run", "--once", "alerts"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"


def _big_spender(desktop, pos) -> str:
    """A new member (registered through the form) who spends ¥45,000 today: the member no."""
    phone = f"136{uuid.uuid4().int % 10**8:08d}"
    page = desktop.new_page()
    page.goto("/register")
    join(page, phone, PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
    page.close()
    order = {
        "order_no": f"E2E-AL-{uuid.uuid4().hex[:12]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": 4_500_000,
        "paid_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "lines": [{"sku": "YL-SET", "category": "skincare", "qty": 1, "paid_fen": 4_500_000}],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, f"POST /api/v1/orders -> {response.status}: {response.text()}"
    member = pos.get("/api/v1/members", params={"phone": phone})
    assert member.ok, member.text()
    desktop.clear_cookies()
    return member.json()["member_no"]


def test_operator_handles_an_alert_and_finance_only_reads(
    desktop, browser, base_url, pos, live_db, log_in, check_page
):
    member_no = _big_spender(desktop, pos)
    _run_alerts_job(live_db)
    page = desktop.new_page()
    log_in(page, "admin")
    item = page.get_by_test_id("alert").filter(has_text=member_no)
    expect(item).to_have_attribute("data-severity", "high")
    check_page(page, "console-home-alerts")
    item.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/admin/alerts/\d+$"))
    detail = page.url
    expect(page.get_by_role("link", name=re.compile(member_no))).to_be_visible()
    check_page(page, "console-alert-detail")
    page.get_by_label(re.compile("备注|Note")).fill("正在与 SH001 门店核实这笔订单")
    page.get_by_role("button", name=re.compile("^(确认|Acknowledge)$")).click()
    expect(page.get_by_test_id("alert-status")).to_have_text(re.compile("已确认|Acknowledged"))
    page.get_by_label(re.compile("备注|Note")).fill("婚礼团购订单，收据已核对")
    page.get_by_role("button", name=re.compile("^(解决|Resolve)$")).click()
    expect(page.get_by_test_id("alert-status")).to_have_text(re.compile("已解决|Resolved"))
    expect(page.locator("main")).to_contain_text("婚礼团购订单，收据已核对")
    page.goto("/admin/alerts?status=resolved")
    expect(page.locator("#alert-results")).to_contain_text(member_no)
    check_page(page, "console-alerts")
    page.goto("/admin/alerts/settings")
    check_page(page, "console-alert-settings")

    finance = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")  # fmt: skip
    reader = finance.new_page()
    log_in(reader, "F0001")
    for path, name in [
        (detail, "finance-alert"),
        ("/admin/alerts/settings", "finance-alert-settings"),
    ]:
        reader.goto(path)
        expect(reader.locator("main")).to_contain_text(re.compile("只读|Read-only"))
        expect(reader.locator("main form[method=post]")).to_have_count(0)
        check_page(reader, name)
    refused = reader.request.post(detail + "/resolve", form={"note": "x"})
    assert refused.status in (400, 403)
    finance.close()
