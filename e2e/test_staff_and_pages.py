"""The demo accounts on every page they can open: a Gold member, an advisor, an operator."""

import re

from playwright.sync_api import Page, expect

GOLD = "13800000002"
POINTS = re.compile(r"^\d{1,3}(,\d{3})*$")
MEMBER_PAGES = ["/", "/flash", "/orders", "/me", "/me/points", "/me/code"]


def test_anonymous_home(page: Page, check_page):
    """A visitor sees the mall with a way to join and to log in."""
    page.goto("/")
    expect(
        page.locator("main").get_by_role("link", name=re.compile(r"加入会员|Become a member"))
    ).to_be_visible()
    check_page(page, "anon-home")


def test_gold_member_pages(page: Page, check_page, log_in):
    """Every member page: the header badge, the tab bar, and no accessibility problem."""
    log_in(page, GOLD)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_test_id("tier-name")).to_have_text(re.compile(r"金卡|Gold"))
    for path in MEMBER_PAGES:
        page.goto(path)
        expect(page.get_by_test_id("points-balance").first).to_have_text(POINTS)
        if path != "/me":
            expect(page.locator("nav.tabbar [aria-current=page]")).to_have_count(1)
        check_page(page, "gold" + (path.replace("/", "-") if path != "/" else "-home"))


def test_gold_member_points_filters(page: Page, check_page, log_in):
    """The history filters swap the list in place and keep the URL; 'load more' appends."""
    log_in(page, GOLD)
    page.goto("/me/points")
    chips = page.locator("main nav a")  # all, earned, spent, expired
    expect(chips).to_have_count(4)
    for index, name in [(1, "earned"), (2, "spent"), (3, "expired"), (0, "all")]:
        chip = chips.nth(index)
        href = chip.get_attribute("href")
        chip.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(chips.nth(index)).to_have_attribute("aria-current", "page")
        check_page(page, f"gold-points-{name}")
    more = page.locator("#more")
    if more.count():
        before = page.locator("#history > li.history-row").count()
        more.get_by_role("link").click()
        expect(page.locator("#history > li.history-row")).not_to_have_count(before)


def test_advisor_counter(page: Page, check_page, log_in):
    """Advisor A0001 lands on the counter of store SH001."""
    log_in(page, "A0001")
    expect(page).to_have_url(re.compile(r"/counter/$"))
    expect(page.locator("main")).to_contain_text("SH001")
    check_page(page, "counter")


def test_operator_console(page: Page, check_page, log_in):
    """The operator lands on the console with the key figures."""
    log_in(page, "admin")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    for testid in ("kpi-outstanding", "kpi-liability", "kpi-health"):
        expect(page.get_by_test_id(testid)).to_be_visible()
    check_page(page, "admin")


def test_wrong_password_shows_form_error(page: Page, check_page):
    """A wrong password keeps the visitor on /login with a readable form-error."""
    page.goto("/login")
    check_page(page, "login")
    form = page.locator("#login-form")
    form.locator("[name=identifier]").fill(GOLD)
    form.locator("[name=password]").fill("not-the-password")
    form.locator("button[type=submit]").click()
    error = page.get_by_test_id("form-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#login-form [name=identifier]")).to_have_value(GOLD)
    check_page(page, "login-error")


def test_nothing_overflows_at_360(page: Page, log_in):
    """The narrowest supported phone: no page scrolls sideways."""
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/", "/login", "/register"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    log_in(page, GOLD)
    for path in MEMBER_PAGES:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
