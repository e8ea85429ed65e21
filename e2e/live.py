"""Helpers for tests: rows written straight into the live server's SQLite database, and new
members with a purchase behind them."""

import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.sms import join

SHANGHAI = timezone(timedelta(hours=8))


def catalogue_changed(database: Path) -> None:
    """After catalogue rows written straight into the live database: a new catalogue stamp, as a
    commit through the app makes (app/cache.py keeps it beside the SQLite file), so no worker
    serves a page or a row kept from before."""
    Path(f"{database}-stamp").write_text(secrets.token_hex(8))


def joined_with_purchase(
    page: Page, pos, password: str, *, yuan: int, tag: str, phone_prefix: str = "135",
    sku: str = "YL-SERUM-50",
) -> str:  # fmt: skip
    """A new member, joined through the form (so signed in on `page`), who spent ¥yuan at a
    counter (a POS order, `tag` in its number); their phone."""
    phone = f"{phone_prefix}{uuid.uuid4().int % 10**8:08d}"
    page.goto("/register")
    join(page, phone, password)
    expect(page).not_to_have_url(re.compile(r"/register"))
    order = {
        "order_no": f"E2E-{tag}-{uuid.uuid4().hex[:12]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": yuan * 100,
        "paid_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "lines": [{"sku": sku, "category": "skincare", "qty": 1, "paid_fen": yuan * 100}],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, f"POST /api/v1/orders -> {response.status}: {response.text()}"
    return phone
