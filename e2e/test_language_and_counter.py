"""Every word in the member's language, and the counter made smoother (issue 12 §5–6).

A visitor on a Pixel 7 reads the mall home and a gift page in Traditional Chinese and in English:
the demo's shelf, gift and store names follow the `lang` cookie (no Han characters in English
store names), the countdown's days are a word of the language and "15 ml" never splits. Then a
fresh member redeems two gifts for pickup at SH001 and an advisor on a landscape tablet (in
English) hands each over with its own button, keeps a mistyped number in the field, reads the
staff log in words, and finds the purchase form on the first screen.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.sms import join

HAN = re.compile(r"[\u4e00-\u9fff]")
SHANGHAI = timezone(timedelta(hours=8))
PASSWORD = "words-journey-2024"
SERUM = {"zh_Hans": "云澜青春精华 15ml 体验装", "zh_Hant": "雲瀾青春精華 15ml 體驗裝",
         "en": "Youth Serum 15 ml"}  # fmt: skip
SERUM_DESC = {"zh_Hans": "青春精华体验装", "zh_Hant": "青春精華體驗裝",
              "en": "trial size of the Youth Serum"}  # fmt: skip
SHELF = {"zh_Hans": "护肤臻品", "zh_Hant": "護膚臻品", "en": "Skincare"}
STORE = {"zh_Hans": "上海恒隆广场专柜", "zh_Hant": "上海恆隆廣場專櫃",
         "en": "Plaza 66 counter, Shanghai"}  # fmt: skip
UPCOMING = {"zh_Hant": "限定聖誕唇膏禮盒", "en": "Christmas Lipstick Set"}  # on sale in 3 days
UPCOMING_ID = 7  # the demo's seventh gift: not on a shelf before it is on sale
LIPSTICK = "Velvet Lipstick #520"  # 2,200 points, no cash part


def _lang(page: Page, base_url: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])


def _open_gift(page: Page, name: str) -> None:
    page.goto("/")
    card = page.get_by_test_id("gift-card").filter(has_text=name).first
    gift_id = card.get_attribute("data-gift-id")
    card.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/gifts/{gift_id}(\?via=\w+)?$"))


@pytest.mark.parametrize("lang", ["zh_Hant", "en"])
def test_the_mall_speaks_the_visitors_language(page: Page, base_url, check_page, lang):
    """Home and gift pages: the demo's data names in Traditional Chinese or English."""
    _lang(page, base_url, lang)
    page.goto("/")
    main = page.locator("main")
    expect(main).to_contain_text(SHELF[lang])
    expect(main).to_contain_text(SERUM[lang])
    for other in ("zh_Hans", "zh_Hant", "en"):
        if other != lang:
            expect(main).not_to_contain_text(SHELF[other])
    check_page(page, f"words-home-{lang}")

    _open_gift(page, SERUM[lang])
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text(SERUM[lang])
    if lang == "en":  # a no-break space holds the size together
        assert "15\u00a0ml" in title.evaluate("e => e.textContent")
    expect(page.locator(".gift-desc")).to_contain_text(SERUM_DESC[lang])
    check_page(page, f"words-gift-{lang}")

    page.goto(f"/gifts/{UPCOMING_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text(UPCOMING[lang])
    clock = page.locator(".countdown-clock")
    days = {"en": r"\d+ d", "zh_Hant": r"\d+ 天"}[lang]  # the day is a word of the language
    expect(clock).to_have_text(re.compile(rf"^{days} \d\d:\d\d:\d\d$"))
    check_page(page, f"words-upcoming-{lang}")


def _register(page: Page) -> str:
    phone = f"136{uuid.uuid4().int % 10**8:08d}"
    page.goto("/register")
    join(page, phone, PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
    return phone


def _top_up(pos, phone: str, yuan: int) -> None:
    order = {
        "order_no": f"E2E-WORDS-{uuid.uuid4().hex[:12]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": yuan * 100,
        "paid_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "lines": [{"sku": "YL-SERUM-50", "category": "skincare", "qty": 1, "paid_fen": yuan * 100}],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, response.text()


def _redeem_for_pickup(page: Page, name: str) -> str:
    """Redeem `name` for pickup at SH001; the order page's URL."""
    _open_gift(page, name)
    checkout = page.locator("#checkout")
    store = checkout.locator("select[name=store_id]")
    for option in store.locator("option").all_inner_texts():
        assert not HAN.search(option), option  # English store names only
    store.select_option(label=STORE["en"])
    checkout.get_by_test_id("redeem-button").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    return page.url


def _members_pickups(page: Page, pos, check_page) -> str:
    """A fresh member in English with two pickups waiting at SH001; their phone number."""
    phone = _register(page)
    _top_up(pos, phone, 4_000)
    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url}])
    first = _redeem_for_pickup(page, SERUM["en"])
    expect(page.locator("main")).to_contain_text(f"Show this code at {STORE['en']}.")
    assert not re.search(
        r"Show this code at [^.]*[\u4e00-\u9fff]", page.locator("main").inner_text()
    )
    check_page(page, "words-order-en")
    _redeem_for_pickup(page, LIPSTICK)
    page.context.add_cookies([{"name": "lang", "value": "zh_Hant", "url": page.url}])
    page.goto(first)
    expect(page.locator("main")).to_contain_text(STORE["zh_Hant"])
    check_page(page, "words-order-zh-hant")
    return phone


def test_the_counter_on_a_landscape_tablet(page: Page, tablet, base_url, log_in, check_page, pos):
    """Hand-over per pickup, a mistyped number kept, the log in words, purchase on screen one."""
    phone = _members_pickups(page, pos, check_page)
    tablet.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    advisor = tablet.new_page()
    log_in(advisor, "A0001")
    expect(advisor.get_by_role("heading", level=1)).to_contain_text(STORE["en"])

    lookup = advisor.get_by_role("region", name="Find the member")
    wrong = phone[:-1] + ("0" if phone[-1] != "0" else "1")
    lookup.get_by_label("Phone number or member code").fill(wrong)
    lookup.get_by_role("button", name="Find").click()
    expect(advisor.get_by_test_id("form-error")).to_contain_text("No member found")
    expect(lookup.get_by_label("Phone number or member code")).to_have_value(wrong)
    check_page(advisor, "words-counter-not-found")

    lookup.get_by_label("Phone number or member code").fill(phone)
    lookup.get_by_role("button", name="Find").click()
    pickups = advisor.get_by_role("region", name="Pickups waiting at this counter")
    rows = pickups.get_by_test_id("member-pickup")
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect(row.get_by_role("button", name=re.compile(r"^Hand over"))).to_have_count(1)

    viewport = advisor.viewport_size
    advisor.evaluate("window.scrollTo(0, 0)")
    purchase = advisor.get_by_role("region", name="Record a purchase")
    box = purchase.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    check_page(advisor, "words-counter-member")

    rows.filter(has_text=SERUM["en"]).get_by_role("button", name=re.compile("^Hand over")).click()
    expect(advisor.locator("main").get_by_role("status")).to_contain_text("Handed over")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(LIPSTICK)
    advisor.evaluate("window.scrollTo(0, 0)")  # with the confirmation on top, still on screen
    box = purchase.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)

    log = advisor.get_by_role("region", name="Recent actions at this counter")
    expect(log).to_contain_text("no member found")
    expect(log).not_to_contain_text("not_found")
    check_page(advisor, "words-counter-handed-over")
