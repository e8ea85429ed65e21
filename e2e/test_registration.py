"""Joining with a code sent by SMS, and "forgot password", on a Pixel 7 (sandbox SMS: /dev/outbox).

Selectors are form field names, ids and data-testids: the UI is in Simplified Chinese.
"""

import re
import uuid

from playwright.sync_api import Page, expect

from e2e.sms import outbox_code, send_code

PASSWORD = "sms-joined-2024"
NEW_PASSWORD = "sms-reset-2025"
WELCOME_POINTS = 100


def _new_phone() -> str:
    """A mainland mobile number nobody else in this run uses."""
    return f"134{uuid.uuid4().int % 10**8:08d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_join_with_the_code_from_the_text_message(page: Page, check_page):
    """A wrong code is refused with a form-error; the right one (Enter to submit) joins."""
    phone = _new_phone()
    page.goto("/register")
    check_page(page, "sms-register")
    code = send_code(page, "#register-form", phone)
    check_page(page, "sms-register-sent")
    form = page.locator("#register-form")
    form.locator("[name=sms_code]").fill(_wrong(code))
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("[name=confirm]").fill(PASSWORD)
    form.locator("button.btn-primary").click()
    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/register$"))
    check_page(page, "sms-register-wrong-code")

    form = page.locator("#register-form")
    expect(form.locator("[name=phone]")).to_have_value(phone)
    form.locator("[name=sms_code]").fill(code)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("[name=confirm]").fill(PASSWORD)
    form.locator("[name=confirm]").press("Enter")  # joins: Enter never sends another code
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.locator("main").get_by_test_id("points-balance")).to_have_text(str(WELCOME_POINTS))
    assert len(page.request.get("/dev/outbox", params={"phone": phone}).json()) == 1


def test_forgot_password_sets_a_new_one(page: Page, check_page, log_in):
    """Join, forget the password, reset it by SMS from the login page, log in with the new one."""
    phone = _new_phone()
    page.goto("/register")
    code = send_code(page, "#register-form", phone)
    form = page.locator("#register-form")
    form.locator("[name=sms_code]").fill(code)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("[name=confirm]").fill(PASSWORD)
    form.locator("button.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/me$"))
    page.context.clear_cookies()  # another day, logged out

    page.goto("/login")
    page.locator("a[href='/forgot']").click()
    expect(page).to_have_url(re.compile(r"/forgot$"))
    check_page(page, "sms-forgot")
    reset_code = send_code(page, "#forgot-form", phone)
    assert reset_code == outbox_code(page, phone)
    form = page.locator("#forgot-form")
    form.locator("[name=sms_code]").fill(reset_code)
    form.locator("[name=password]").fill(NEW_PASSWORD)
    form.locator("[name=confirm]").fill(NEW_PASSWORD)
    form.locator("button.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/forgot$"))
    expect(page.locator("#forgot-form").get_by_role("status")).to_be_visible()
    check_page(page, "sms-forgot-done")

    page.goto("/login")
    form = page.locator("#login-form")
    form.locator("[name=identifier]").fill(phone)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("form-error")).to_be_visible()  # the old password is over
    log_in(page, phone, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
