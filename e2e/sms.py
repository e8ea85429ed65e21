"""Joining and resetting a password as a member does, with the code from the sandbox outbox."""

import re

from playwright.sync_api import Page, expect

CODE = re.compile(r"[0-9]{6}")


def outbox_code(page: Page, phone: str) -> str:
    """The code in the newest message the sandbox 'sent' to `phone` (GET /dev/outbox)."""
    response = page.request.get("/dev/outbox", params={"phone": phone})
    assert response.ok, f"GET /dev/outbox -> {response.status}: {response.text()}"
    messages = response.json()
    assert messages and messages[0]["to"] == phone, messages
    code = messages[0]["code"]
    assert code and CODE.fullmatch(code), messages[0]
    return code


def send_code(page: Page, form_id: str, phone: str) -> str:
    """Type the phone, tap "send code" (a plain form post, back with the phone kept): the code."""
    form = page.locator(form_id)
    form.locator("[name=phone]").fill(phone)
    form.locator("button[name=purpose]").click()
    expect(page).to_have_url(re.compile(rf"\?phone={phone}"))
    expect(page.locator(form_id).get_by_role("status")).to_contain_text(phone[-4:])
    expect(page.locator(form_id).locator("[name=phone]")).to_have_value(phone)
    return outbox_code(page, phone)


def join(page: Page, phone: str, password: str, referral: str = "", check=None) -> None:
    """On /register: ask for the code, then join with it; `check(page)` runs once it is sent."""
    code = send_code(page, "#register-form", phone)
    if check is not None:
        check(page)
    form = page.locator("#register-form")
    form.locator("[name=sms_code]").fill(code)
    form.locator("[name=password]").fill(password)
    form.locator("[name=confirm]").fill(password)
    form.locator("[name=referral_code]").fill(referral)
    form.locator("button.btn-primary").click()
