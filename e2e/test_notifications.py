"""Reminders on a Pixel 7: the `reminders` job tells a member about expiring points, the header's
bell shows the unread count, the centre lists the reminder and opening it clears the badge —
in zh_Hans, then the centre in English and Traditional Chinese (the `lang` cookie).

The demo members hold task points that expire within the month, so the job has something to say.
"""

import os
import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.conftest import SECRET_KEY, _flask

MEMBER = "13800000000"
UPCOMING = "限定圣诞唇膏礼盒"  # the demo's gift listed three days after loading


def _run_reminders(live_db: Path) -> None:
    """`flask jobs run --once reminders` against the live server's database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live_db}", "SECRET_KEY": SECRET_KEY}
    env.pop("FLASK_DEBUG", None)
    _flask(env, "jobs", "run", "--once", "reminders")


def _set_lang(page: Page, base_url: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])


def test_an_expiring_points_reminder_reaches_the_member(
    page: Page, check_page, log_in, live_db, base_url
):
    """Job → badge on the home → the centre shows the reminder → badge gone; en and zh_Hant."""
    _run_reminders(live_db)
    log_in(page, MEMBER)
    page.goto("/")
    badge = page.locator("header").get_by_test_id("unread-count")
    expect(badge).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    check_page(page, "notifications-home-badge")

    page.goto("/me")
    page.locator("main").get_by_role("link", name=re.compile("Notifications|通知")).click()
    expect(page).to_have_url(re.compile(r"/me/notifications$"))
    reminder = page.get_by_test_id("notification").filter(has_text=re.compile(r"60"))
    expect(reminder.first).to_be_visible()
    expect(page.locator("header").get_by_test_id("unread-count")).to_have_count(0)
    check_page(page, "notifications-centre-zh_Hans")

    page.goto("/")
    expect(page.locator("header").get_by_test_id("unread-count")).to_have_count(0)
    page.locator("header a.bell").click()
    expect(page).to_have_url(re.compile(r"/me/notifications$"))
    reminder.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/me/points$"))

    _set_lang(page, base_url, "en")
    page.goto("/me/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_test_id("notification").first).to_contain_text("points expire after")
    check_page(page, "notifications-centre-en")

    _set_lang(page, base_url, "zh_Hant")
    page.goto("/me/notifications")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh-Hant"))
    expect(page.get_by_test_id("notification").first).to_be_visible()
    check_page(page, "notifications-centre-zh_Hant")

    page.locator("main a[href='/me/notifications/settings']").click()
    expect(page.locator("#prefs input[type=radio]:checked")).to_have_count(2)
    check_page(page, "notifications-settings-zh_Hant")


def test_notify_me_on_a_gift_not_yet_on_sale(page: Page, check_page, log_in, live_db):
    """One tap on the upcoming Christmas set's page: the button answers in place."""
    with sqlite3.connect(live_db) as db:
        (gift_id,) = db.execute("SELECT id FROM gifts WHERE name = ?", (UPCOMING,)).fetchone()
    db.close()
    log_in(page, "13800000001")
    page.goto(f"/gifts/{gift_id}")
    button = page.get_by_test_id("notify-me")
    expect(button).to_be_visible()
    check_page(page, "notifications-notify-me")
    button.click()
    expect(page.locator("#notify-me [role=status]")).to_be_visible()
    expect(page.get_by_test_id("notify-me")).to_have_count(0)
    check_page(page, "notifications-notify-me-done")
    page.reload()
    expect(page.locator("#notify-me [role=status]")).to_be_visible()
