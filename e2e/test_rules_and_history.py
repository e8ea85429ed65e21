"""The rules in sight, on a Pixel 7: /rules for visitors and members, /me's benefits and what is
coming, the home hero's one-tap sign-in, and the points history — in zh_Hans, and the rules page
and the history in en and zh_Hant too.

Isolation (one demo database for every e2e test): the campaign made here starts weeks ahead and
is ended in a `finally`, so nothing anybody earns today changes; the sign-in is a new member's.
Selectors are data-testids, roles and hrefs, so nothing depends on the translation catalogs.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect

from e2e.sms import join

SHANGHAI = timezone(timedelta(hours=8))
GOLD, DIAMOND = "13800000002", "13800000003"
LANGUAGES = ("en", "zh_Hant")
TIERS = 4  # the demo ladder: base, silver, gold, diamond
WELCOME, SIGNIN = 100, 5


def _language(page: Page, base_url: str, code: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": code, "url": base_url}])


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _campaign_ahead(desktop, log_in) -> str:
    """A ×2 campaign three weeks ahead, made in the console (it changes no earning today)."""
    console = desktop.new_page()
    log_in(console, "admin")
    name = f"E2E ×2 {uuid.uuid4().hex[:6]}"
    day = datetime.now(SHANGHAI).date() + timedelta(days=21)
    console.goto("/admin/rules/campaigns/new")
    form = console.locator("form.rule-form")
    form.locator("[name=name]").fill(name)
    form.locator("[name=multiplier_pct]").fill("200")
    form.locator("[name=starts_on]").fill(day.isoformat())
    form.locator("[name=ends_on]").fill((day + timedelta(days=1)).isoformat())
    form.locator("button[value=save]").click()
    expect(console).to_have_url(re.compile(r"/admin/rules(#campaigns)?$"))
    return name


def _end_campaign(desktop, name: str) -> None:
    console = desktop.pages[0]
    console.goto("/admin/rules")
    console.get_by_test_id("campaign").filter(has_text=name).get_by_role("button").click()
    expect(console.get_by_test_id("campaign").filter(has_text=name)).to_have_count(0)


def _rules_shown(page: Page) -> None:
    """Every part of the rules page is there, with the live figures."""
    for part in ("rules-earn", "rules-expiry", "rules-cash", "rules-tiers"):
        expect(page.get_by_test_id(part)).to_be_visible()
    expect(page.get_by_test_id("rules-tier")).to_have_count(TIERS)
    expect(page.get_by_test_id("rules-cash")).to_contain_text("10")  # today is a member day
    expect(page.locator("#faq details")).to_have_count(5)


def test_the_rules_page_for_visitors_and_members(page: Page, desktop, log_in, check_page, base_url):
    name = _campaign_ahead(desktop, log_in)
    try:
        page.goto("/")
        page.locator("footer").get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/rules$"))
        _rules_shown(page)
        expect(page.get_by_test_id("rules-campaigns")).to_contain_text(name)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        check_page(page, "rules-visitor")
        page.locator("#faq summary").first.click()
        expect(page.locator("#faq details").first).to_have_attribute("open", "")
        for code in LANGUAGES:
            _language(page, base_url, code)
            page.goto("/rules")
            _rules_shown(page)
            check_page(page, f"rules-visitor-{code}")
        _language(page, base_url, "zh_Hans")
        log_in(page, GOLD)
        page.goto("/me")
        expect(page.get_by_test_id("my-occasions")).to_contain_text(name)
        page.get_by_test_id("my-benefits").get_by_role("link", name=re.compile(".")).last.click()
        expect(page).to_have_url(re.compile(r"/rules$"))
        mine = page.locator('[data-testid="rules-tier"][data-tier="gold"]')
        expect(mine).to_have_class(re.compile(r"\bmine\b"))
        check_page(page, "rules-member-gold")
    finally:
        _end_campaign(desktop, name)


def test_me_shows_the_tier_benefits_and_the_way_up(page: Page, log_in, check_page):
    log_in(page, GOLD)
    page.goto("/me")
    benefits = page.get_by_test_id("benefit")
    expect(benefits.first).to_be_visible()
    states = {benefits.nth(i).get_attribute("data-state") for i in range(benefits.count())}
    assert {"usable", "counter"} <= states or {"usable", "used"} <= states, states
    expect(page.get_by_test_id("tier-to-next")).to_contain_text("¥")
    expect(page.get_by_test_id("tier-to-next")).to_contain_text(re.compile(r"\d"))
    check_page(page, "rules-me-gold")


def test_the_home_hero_signs_in_in_place(page: Page, check_page):
    phone = f"135{uuid.uuid4().int % 10**8:08d}"
    page.goto("/register")
    join(page, phone, "hero-e2e-2026")
    expect(page).to_have_url(re.compile(r"/me$"))
    page.goto("/")
    hero = page.get_by_test_id("member-hero")
    expect(hero).to_be_visible()
    expect(hero.locator(".big")).to_have_text(str(WELCOME))
    check_page(page, "rules-home-hero")
    hero.get_by_test_id("hero-signin").click()
    status = hero.locator("#hero-signin [role=status]")
    expect(status).to_contain_text(f"+{SIGNIN}")
    expect(hero.get_by_test_id("hero-signin")).to_have_count(0)
    expect(page.locator("header").get_by_test_id("points-balance")).to_have_text(
        str(WELCOME + SIGNIN)
    )
    expect(hero.locator(".big")).to_have_text(str(WELCOME + SIGNIN))
    expect(page).to_have_url(re.compile(r"/$"))  # answered in place: no navigation
    check_page(page, "rules-home-hero-signed-in")
    page.goto("/me/points")
    rows = page.get_by_test_id("history-row")
    expect(rows).to_have_count(2)  # the welcome gift and the sign-in
    top = page.get_by_test_id("running-balance").first
    expect(top).to_have_attribute("data-points", str(WELCOME + SIGNIN))


def test_the_history_names_links_and_reconciles(page: Page, log_in, check_page, base_url):
    log_in(page, DIAMOND)
    page.goto("/me")
    balance = _digits(page.locator("main").get_by_test_id("points-balance").inner_text())
    page.locator('main a[href="/me/points"]').click()
    expect(page).to_have_url(re.compile(r"/me/points$"))
    expect(page.get_by_test_id("history-row").first).to_be_visible()
    top = page.get_by_test_id("running-balance").first
    assert int(top.get_attribute("data-points")) == balance
    expect(page.locator(".history .detail").filter(has_text=f"DEMO-{DIAMOND}")).to_have_count(1)
    redeemed = page.locator('.history .what a[href^="/orders/"]').first
    expect(redeemed).to_be_visible()
    check_page(page, "rules-history")
    for code in LANGUAGES:
        _language(page, base_url, code)
        page.goto("/me/points")
        expect(page.get_by_test_id("history-row").first).to_be_visible()
        check_page(page, f"rules-history-{code}")
    _language(page, base_url, "zh_Hans")
    redeemed.click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
