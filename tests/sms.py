"""Asking for SMS codes through the pages, and reading them back from the sandbox's /dev/outbox."""

from tests.conftest import csrf_from

PAGES = {"register": "/register", "reset": "/forgot"}


def ask_code(client, phone: str, purpose: str = "register", **headers):
    """POST /sms/code as the page's "Send code" button does (CSRF token from the page)."""
    token = csrf_from(client.get(PAGES[purpose]).get_data(as_text=True))
    data = {"phone": phone, "purpose": purpose, "next": PAGES[purpose], "csrf_token": token}
    return client.post("/sms/code", data=data, headers=headers)


def outbox(client, phone: str) -> list[dict]:
    """The sandbox's messages to `phone`, newest first."""
    response = client.get("/dev/outbox", query_string={"phone": phone})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def last_code(client, phone: str) -> str | None:
    """The code in the newest message to `phone` (None for a notice or no message)."""
    messages = outbox(client, phone)
    return messages[0]["code"] if messages else None


def code_for(client, phone: str, purpose: str = "register") -> str | None:
    """Ask for a code and return the one the sandbox 'sent' (None when none was sent)."""
    ask_code(client, phone, purpose)
    return last_code(client, phone)
