"""The birthday gift on a Pixel 7: with a coupon chosen as the birthday's reward, the `birthdays`
job hands it to a member born this month; the notification centre says so and leads to the
order with the code, and the task centre names the gift."""

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import BRAND_TZ, SECRET_KEY, _flask

MEMBER = "13800000000"
COUPON = "满 500 减 100 券"


def _sql(live_db: Path, statement: str, *params):
    with sqlite3.connect(live_db) as db:
        found = db.execute(statement, params).fetchone()
    db.close()
    return found


@pytest.fixture
def coupon_for_birthdays(live_db: Path):
    """The demo coupon as the birthday gift, and MEMBER born this brand-local month; the
    birthday goes back to points afterwards (the member's birthday stays, as a profile's does)."""
    (coupon_id,) = _sql(live_db, "SELECT id FROM gifts WHERE name = ?", COUPON)
    month = datetime.now(BRAND_TZ).month
    _sql(live_db, "UPDATE task_rules SET gift_id = ? WHERE code = 'birthday'", coupon_id)
    _sql(live_db,
         "UPDATE members SET birthday = ? WHERE user_id = (SELECT id FROM users WHERE phone = ?)",
         f"1992-{month:02d}-01", MEMBER)  # fmt: skip
    yield coupon_id
    _sql(live_db, "UPDATE task_rules SET gift_id = NULL WHERE code = 'birthday'")


def _run_birthdays(live_db: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live_db}", "SECRET_KEY": SECRET_KEY}
    env.pop("FLASK_DEBUG", None)
    _flask(env, "jobs", "run", "--once", "birthdays")


def test_a_birthday_coupon_arrives_and_the_member_is_told(
    page: Page, check_page, log_in, live_db, coupon_for_birthdays
):
    _run_birthdays(live_db)
    log_in(page, MEMBER)
    page.goto("/me/notifications")
    note = page.get_by_test_id("notification").filter(has_text="生日快乐")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(COUPON)
    check_page(page, "birthday-notification")

    note.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator("main")).to_contain_text(COUPON)
    expect(page.locator("main .code-line")).to_have_count(1)
    check_page(page, "birthday-order")

    page.goto("/me/tasks")
    task = page.locator("[data-testid=task][data-task-code=birthday]")
    expect(task).to_contain_text(COUPON)
    expect(task).to_have_attribute("data-done", "true")
    first = page.locator("[data-testid=task][data-task-code=first_redemption]")
    expect(first.get_by_role("button")).to_have_count(0)  # a gift given is no redemption
    check_page(page, "birthday-task")
