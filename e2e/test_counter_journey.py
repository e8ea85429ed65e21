"""At the counter: an advisor on a landscape tablet and a member on a Pixel 7, side by side.

The member shows their code, the advisor looks them up and records a purchase; the member
redeems a gift for pickup and the advisor hands it over (a second tap says it is done already);
the member books a facial and the advisor checks them in; last, the advisor redeems a points +
cash cream at the counter, which needs the cash collected first. Both screens are checked at
every step.

The advisor's tablet is switched to English (the `lang` cookie) so its role and label locators
read like the screen; the member stays in Simplified Chinese and is driven by data-testids,
form fields and data (store and gift names), never by translated words.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.sms import join

ADVISOR = "A0001"
STORE = "上海恒隆广场专柜"  # SH001, the advisor's counter
STORE_EN = "Plaza 66 counter, Shanghai"  # its English name, on the English tablet
PASSWORD = "counter-journey-2024"
SHANGHAI = timezone(timedelta(hours=8))
WELCOME_POINTS = 100
COUNTER_YUAN = 880  # a base-tier member earns 1 point per yuan of skincare
TOP_UP_YUAN = 5_500  # through the POS afterwards: enough for the three gifts below
SERUM, SERUM_POINTS = "云澜青春精华 15ml 体验装", 1_500  # physical, kept at SH001
FACIAL, FACIAL_POINTS = "专柜焕颜护理 60 分钟", 3_000  # service, slots at SH001 and BJ001
FACIAL_EN = "60-minute facial at the counter"
CREAM, CREAM_POINTS, CREAM_CASH = "Nourishing Cream 50 ml", 1_500, "¥300.00"  # kept at SH001


def _points(value: int) -> str:
    return f"{value:,}"


def _badge(member: Page):
    """The points badge in the member's header (every member page but /me)."""
    return member.locator("header").get_by_test_id("points-balance")


@pytest.fixture
def advisor(tablet, base_url: str, log_in, check_page) -> Page:
    """Advisor A0001 on the counter tablet, in English, on /counter/."""
    tablet.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page = tablet.new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_page(page, "counter-tablet-login")
    log_in(page, ADVISOR)
    expect(page).to_have_url(re.compile(r"/counter/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(STORE_EN)
    expect(page.get_by_test_id("tier-name")).to_have_count(0)  # no member card yet
    check_page(page, "counter-tablet-home")
    return page


def _register(member: Page, check_page) -> str:
    """A fresh member (so no other test shares the balance), logged in on /me."""
    phone = f"135{uuid.uuid4().int % 10**8:08d}"
    member.goto("/register")
    check_page(member, "counter-member-register")
    join(member, phone, PASSWORD)
    expect(member).to_have_url(re.compile(r"/me$"))
    expect(member.locator("main").get_by_test_id("points-balance")).to_have_text(
        _points(WELCOME_POINTS)
    )
    check_page(member, "counter-member-me")
    return phone


def _member_card(advisor: Page):
    """The member card: the region named after the member (their masked phone number)."""
    return advisor.get_by_role("region", name=re.compile(r"\d{3}\*{4}\d{4}"))


def _banner(advisor: Page):
    """The confirmation across the counter (errors are role=alert + form-error instead)."""
    return advisor.locator("main").get_by_role("status")


def _look_up_and_buy(advisor: Page, member: Page, check_page, phone: str) -> int:
    """Code on the phone → look-up → member card → ¥880 purchase → the member sees +880."""
    member.goto("/me/code")
    code = member.get_by_test_id("member-code")
    expect(code).to_have_text(re.compile(r"^\d{8,}$"))
    check_page(member, "counter-member-code")

    lookup = advisor.get_by_role("region", name="Find the member")
    field = lookup.get_by_label("Phone number or member code")
    expect(field).to_have_attribute("inputmode", "numeric")
    field.fill(code.inner_text())
    lookup.get_by_role("button", name="Find").click()
    card = _member_card(advisor)
    expect(card.get_by_test_id("tier-name")).to_have_text(re.compile(r"\S"))
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(WELCOME_POINTS))
    expect(card).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    expect(advisor.get_by_test_id("form-error")).to_have_count(0)
    check_page(advisor, "counter-tablet-member-card")

    purchase = advisor.get_by_role("region", name="Record a purchase")
    purchase.get_by_label("Receipt number").fill(f"R-{uuid.uuid4().hex[:10]}")
    purchase.get_by_label("Amount paid (¥)").fill(str(COUNTER_YUAN))
    expect(purchase.get_by_role("checkbox", name="Skincare")).to_be_checked()
    # The card stays on screen while the advisor works further down (DESIGN: counter screens).
    advisor.get_by_role("button", name="Redeem for the member").scroll_into_view_if_needed()
    expect(card.get_by_test_id("points-balance")).to_be_in_viewport()
    award = purchase.get_by_role("button", name="Award points")
    award.scroll_into_view_if_needed()
    expect(award).to_be_in_viewport()
    expect(card.get_by_test_id("points-balance")).to_be_in_viewport()
    award.click()
    expect(_banner(advisor)).to_have_text(f"Purchase recorded: +{COUNTER_YUAN} points.")
    balance = WELCOME_POINTS + COUNTER_YUAN
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(balance))
    check_page(advisor, "counter-tablet-purchase")

    # The member's screen: the header badge on /me/code after a reload, then the /me card.
    member.reload()
    expect(_badge(member)).to_have_text(_points(balance))
    member.goto("/me")
    expect(member.locator("main").get_by_test_id("points-balance")).to_have_text(_points(balance))
    check_page(member, "counter-member-me-after-purchase")
    return balance


def _top_up(pos, phone: str, balance: int) -> int:
    """A later purchase through the POS, so the member can afford both gifts."""
    order = {
        "order_no": f"E2E-COUNTER-{uuid.uuid4().hex[:12]}",
        "phone": phone,
        "store_code": "SH001",
        "paid_fen": TOP_UP_YUAN * 100,
        "paid_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "lines": [
            {"sku": "YL-SERUM-50", "category": "skincare", "qty": 1, "paid_fen": TOP_UP_YUAN * 100}
        ],
    }
    response = pos.post("/api/v1/orders", data=order)
    assert response.status == 201, f"POST /api/v1/orders -> {response.status}: {response.text()}"
    body = response.json()
    assert body["balance"] == balance + body["points_awarded"]
    assert body["balance"] >= SERUM_POINTS + FACIAL_POINTS + CREAM_POINTS
    return body["balance"]


def _open_gift(member: Page, name: str) -> None:
    """From the shelves, tap the gift's card."""
    member.goto("/")
    card = member.get_by_test_id("gift-card").filter(has_text=name).first
    gift_id = card.get_attribute("data-gift-id")
    card.get_by_role("link").click()
    expect(member).to_have_url(re.compile(rf"/gifts/{gift_id}(\?via=\w+)?$"))


def _order_status(member: Page, status: str):
    return member.get_by_test_id("order-status").locator(f".status-{status}")


def _hand_over_pickup(advisor: Page, member: Page, check_page, balance: int) -> int:
    """Redeem for pickup at SH001 → the advisor verifies the code → completed; again → refused."""
    _open_gift(member, SERUM)
    checkout = member.locator("#checkout")
    expect(checkout.locator("input[name=delivery][value=pickup]")).to_be_checked()
    checkout.locator("select[name=store_id]").select_option(label=STORE)
    check_page(member, "counter-member-serum")
    checkout.get_by_test_id("redeem-button").click()
    expect(member).to_have_url(re.compile(r"/orders/\d+$"))
    order_url = member.url
    expect(_order_status(member, "to_pickup")).to_be_visible()
    pickup_code = member.get_by_test_id("pickup-code")
    expect(pickup_code).to_have_text(re.compile(r"^\d{8}$"))
    code = pickup_code.inner_text()
    expect(member.locator("main")).to_contain_text(STORE)
    balance -= SERUM_POINTS
    expect(_badge(member)).to_have_text(_points(balance))
    check_page(member, "counter-member-pickup-order")

    # The member is still on the counter's screen, with the pickup now waiting here.
    advisor.reload()
    card = _member_card(advisor)
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(balance))
    waiting = advisor.locator("main").get_by_role("listitem").filter(has_text=code)
    expect(waiting).to_have_count(1)

    hand_over = advisor.get_by_role("region", name="Hand over a pickup")
    field = hand_over.get_by_label("Pickup code")
    expect(field).to_have_attribute("inputmode", "numeric")
    field.fill(code)
    hand_over.get_by_role("button", name="Verify and hand over").click()
    expect(_banner(advisor)).to_have_text(re.compile(r"^Handed over: .+ × 1\. Order completed\.$"))
    expect(advisor.get_by_test_id("form-error")).to_have_count(0)
    expect(waiting).to_have_count(0)  # no longer waiting
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(balance))
    check_page(advisor, "counter-tablet-handed-over")

    member.goto(order_url)
    expect(_order_status(member, "completed")).to_be_visible()
    expect(member.get_by_test_id("pickup-code")).to_have_count(0)
    check_page(member, "counter-member-pickup-completed")

    hand_over.get_by_label("Pickup code").fill(code)
    hand_over.get_by_role("button", name="Verify and hand over").click()
    error = advisor.get_by_test_id("form-error")
    expect(error).to_have_text("Already handed over. Nothing more to do.")
    expect(error).to_have_attribute("role", "alert")
    expect(_banner(advisor)).to_have_count(0)
    check_page(advisor, "counter-tablet-already-handed-over")
    return balance


def _book_and_check_in(advisor: Page, member: Page, check_page, balance: int) -> int:
    """Redeem the facial → book the earliest free time at SH001 → the advisor checks in."""
    _open_gift(member, FACIAL)
    check_page(member, "counter-member-facial")
    member.locator("#checkout").get_by_test_id("redeem-button").click()
    expect(member).to_have_url(re.compile(r"/orders/\d+$"))
    order_url = member.url
    expect(_order_status(member, "to_book")).to_be_visible()
    expect(_badge(member)).to_have_text(_points(balance - FACIAL_POINTS))
    check_page(member, "counter-member-facial-order")

    member.get_by_test_id("book-button").click()
    expect(member).to_have_url(re.compile(r"/orders/\d+/book$"))
    # The picker opens on the first store and its first day with a free seat; past times are
    # not offered, so the first free time of the grid is the earliest at this store: later
    # today, or tomorrow once today's last slot has begun (the counter lists both days).
    member.get_by_test_id("store-picks").get_by_role("link").filter(has_text=STORE).click()
    # htmx swaps the picker in place and then puts the choice in the address: wait for it, or a
    # slow swap could replace the grid between choosing a time and confirming it
    expect(member).to_have_url(re.compile(r"/book\?store=\d+$"))
    expect(
        member.get_by_test_id("store-picks").locator("[aria-current]").filter(has_text=STORE)
    ).to_be_visible()
    slot = member.locator(".time-slot").filter(has=member.locator("input[name=slot_id]:enabled"))
    slot = slot.first
    expect(slot).to_be_visible()
    starts = re.search(r"\d{1,2}:\d{2}", slot.inner_text()).group(0)
    slot.click()
    expect(slot.locator("input")).to_be_checked()
    check_page(member, "counter-member-book")
    member.locator("form[action$='/book'] button[type=submit]").click()
    expect(member).to_have_url(order_url)
    expect(member.locator("main")).to_contain_text(STORE)
    expect(member.locator("main")).to_contain_text(starts)
    expect(_order_status(member, "booked")).to_be_visible()  # "Booked for …", not "to be booked"
    expect(_order_status(member, "booked")).to_contain_text(starts)
    expect(member.get_by_test_id("book-button")).to_have_count(0)
    check_page(member, "counter-member-booked")

    advisor.reload()
    appointments = advisor.get_by_role("region", name="Appointments", exact=True)
    visit = appointments.get_by_role("listitem").filter(has_text=FACIAL_EN)
    expect(visit).to_have_count(1)
    everywhere = advisor.locator("main").get_by_role("listitem").filter(has_text=FACIAL_EN)
    expect(everywhere).to_have_count(1)  # listed once, marked as this member's
    expect(visit).to_contain_text("This member")
    check_page(advisor, "counter-tablet-appointment")

    visit.get_by_role("button", name="Check in").click()
    expect(_banner(advisor)).to_have_text("Checked in. Enjoy the treatment!")
    expect(visit.get_by_role("button")).to_have_count(0)
    expect(visit).to_contain_text("Checked in")
    expect(everywhere).to_have_count(1)  # still listed once, now checked in
    expect(_member_card(advisor).get_by_test_id("points-balance")).to_have_text(
        _points(balance - FACIAL_POINTS)
    )
    check_page(advisor, "counter-tablet-checked-in")

    member.reload()
    expect(_order_status(member, "completed")).to_be_visible()
    check_page(member, "counter-member-facial-completed")
    return balance - FACIAL_POINTS


def _redeem_with_cash(advisor: Page, member: Page, check_page, balance: int) -> None:
    """A points + cash cream at the counter: refused until the advisor ticks the cash collected."""
    member.goto("/me/code")
    code = member.get_by_test_id("member-code").inner_text()
    redeem = advisor.get_by_role("region", name="Redeem at the counter")
    gift = redeem.get_by_label("Gift", exact=True)
    option = gift.locator("option").filter(has_text=CREAM)
    expect(option).to_contain_text(f"{CREAM_POINTS:,} points + {CREAM_CASH} cash")
    gift.select_option(option.get_attribute("value"))
    redeem.get_by_label("Member's current code").fill(code)
    redeem.get_by_role("button", name="Redeem for the member").click()
    error = advisor.get_by_test_id("form-error")
    expect(error).to_have_text(f"Collect {CREAM_CASH} first, then tick the box.")
    card = _member_card(advisor)
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(balance))  # nothing taken
    check_page(advisor, "counter-tablet-redeem-cash-due")

    redeem = advisor.get_by_role("region", name="Redeem at the counter")
    redeem.get_by_label("Gift", exact=True).select_option(option.get_attribute("value"))
    redeem.get_by_label("Member's current code").fill(code)
    redeem.get_by_role("checkbox", name=re.compile("已收取现金部分|Cash part collected")).check()
    redeem.get_by_role("button", name="Redeem for the member").click()
    expect(_banner(advisor)).to_have_text(
        f"Redeemed: {CREAM} × 1 for {CREAM_POINTS:,} points and {CREAM_CASH} in cash."
    )
    expect(card.get_by_test_id("points-balance")).to_have_text(_points(balance - CREAM_POINTS))
    check_page(advisor, "counter-tablet-redeem-cash-collected")


def test_counter_journey(advisor: Page, page: Page, check_page, pos):
    """Look-up and purchase, pickup hand-over (twice), booking and check-in, a points + cash
    redemption at the counter, on both screens."""
    member = page
    phone = _register(member, check_page)
    balance = _look_up_and_buy(advisor, member, check_page, phone)
    balance = _top_up(pos, phone, balance)
    balance = _hand_over_pickup(advisor, member, check_page, balance)
    balance = _book_and_check_in(advisor, member, check_page, balance)
    _redeem_with_cash(advisor, member, check_page, balance)
