"""The rules console: versions in force at the right instant, campaigns, the issue cap, the
simulator, clearing with four eyes; bad input writes nothing; finance reads only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.admin import rule_benefits, rule_clearing, rule_sim, rules
from app.blueprints.api import routes
from app.models import AuditEntry, PointClearing, PointTransaction, PosOrder, RuleVersion
from app.services.accounts import apikeys
from app.services.counter import counter
from app.services.mall.errors import RedeemError
from app.services.points import balances, earning
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English pages (zh_Hans is the default)."""
    client.set_cookie("lang", "en")


KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TODAY_2359 = datetime(2026, 6, 15, 15, 59, tzinfo=UTC)  # 23:59 on June 15 in Shanghai
TOMORROW_0000 = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)


class Clock:
    """The console's and the API's clock, stopped; tests move it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch, now):
    """Every rules view and the POS API read this clock (starts at `now`)."""
    stopped = Clock(now)
    for module in (rules, rule_sim, rule_clearing, rule_benefits, routes):
        monkeypatch.setattr(module, "utcnow", stopped)
    return stopped


@pytest.fixture
def operator(session, login_as, clock):
    """Signed in as operator `admin` (admin2 exists too); the API has a key and store SH001."""
    factories.staff(session, "operator", "admin")
    factories.staff(session, "operator", "admin2")
    factories.store(session, "SH001")
    apikeys.create(session, "t", now=clock.now, key=KEY)
    session.commit()
    return login_as("admin")


@pytest.fixture
def member(make_member, session):
    """A committed base-tier member."""
    made = make_member()
    session.commit()
    return made


def pos(client, member, order_no, paid_at, fen=10_000, category="skincare"):
    body = {
        "order_no": order_no,
        "member_no": member.member_no,
        "store_code": "SH001",
        "paid_fen": fen,
        "paid_at": paid_at.isoformat(),
        "lines": [{"sku": "S1", "category": category, "qty": 1, "paid_fen": fen}],
    }
    return client.post("/api/v1/orders", json=body, headers=AUTH)


def versions(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(RuleVersion.id)))


def campaign(token, **changes):
    data = {
        "name": "Triple day",
        "multiplier_pct": "300",
        "starts_on": "2026-06-15",
        "ends_on": "2026-06-15",
        "csrf_token": token,
    }
    return {**data, **changes}


def test_the_rules_page_shows_every_rule_grouped(client, operator):
    page = client.get("/admin/rules")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'aria-current="page"' in html
    for title in (
        "Category multipliers",
        "Campaigns",
        "Birthday rule",
        "Activity rewards",
        "New-member gift pack",
        "Tiers",
        "Tier benefits",
        "Expiry and pending by source",
        "Points as cash",
        "Orders and bookings",
        "Monthly issue cap",
        "Simulator",
    ):
        assert title in html, title
    assert "The initial rules (never changed)" in html
    for url in (
        "/admin/rules/history",
        "/admin/rules/simulate",
        "/admin/rules/clearing",
        "/admin/rules/campaigns/new",
        "/admin/rules/tiers",
        "/admin/rules/cash",
        "/admin/rules/sources",
        "/admin/rules/categories",
        "/admin/rules/behaviour",
        "/admin/rules/bookings",
        "/admin/rules/issue_cap",
        "/admin/rules/gift_pack",
        "/admin/rules/birthday",
        "/admin/rules/benefits/new",
    ):
        assert client.get(url).status_code == 200, url


def test_htmx_gets_the_fragment_only(client, operator):
    response = client.get("/admin/rules", headers={"HX-Request": "true"})
    assert "<html" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_a_campaign_from_the_console_makes_a_pos_order_earn_triple(
    client, session, operator, member, clock
):
    before = pos(client, member, "before", clock.now - timedelta(minutes=1))
    assert before.get_json()["points_awarded"] == 100
    created = client.post("/admin/rules/campaigns/new", data=campaign(operator))
    assert created.status_code == 303
    during = pos(client, member, "during", clock.now)
    assert during.status_code == 201 and during.get_json()["points_awarded"] == 300
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "rule.campaign"))
    assert "Triple day" in entry.summary and entry.actor.staff_id == "admin"
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "Triple day" in page and "Running" in page and "set by admin" in page
    assert "rule-version" in client.get("/admin/rules/history").get_data(as_text=True)


def test_a_campaign_for_one_tier_only(client, session, operator, make_member, clock):
    gold = make_member(tier=earning_tier(session, "gold"))
    base = make_member()
    session.commit()
    data = campaign(operator, tiers=["gold"])
    assert client.post("/admin/rules/campaigns/new", data=data).status_code == 303
    assert pos(client, gold, "g", clock.now).get_json()["points_awarded"] == 450
    assert pos(client, base, "b", clock.now).get_json()["points_awarded"] == 100


def earning_tier(session, code):
    from app.models import Tier

    return session.scalar(select(Tier).where(Tier.code == code))


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"multiplier_pct": "abc"},
        {"multiplier_pct": "50"},  # a campaign adds points
        {"multiplier_pct": "１００"},
        {"starts_on": "2026-06-16", "ends_on": "2026-06-15"},
        {"ends_on": "2026-06-14", "starts_on": "2026-06-01"},  # already over
        {"starts_on": "15/06/2026"},
        {"effective_at": "2026-06-14T09:00"},  # retroactive
        {"tiers": ["platinum"]},
    ],
)
def test_bad_campaign_input_is_refused_and_nothing_is_written(client, session, operator, changes):
    response = client.post("/admin/rules/campaigns/new", data=campaign(operator, **changes))
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert versions(session) == 0
    assert session.scalar(select(func.count(AuditEntry.id))) == 0


def _section_form(client, section) -> dict:
    """The section's form as the page fills it (every input's name and value)."""
    import re

    html = client.get(f"/admin/rules/{section}").get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag and 'type="submit"' not in tag:
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
        first = re.search(r'<option[^>]*value="([^"]*)"', body)
        data[name] = (chosen or first).group(1) if (chosen or first) else ""
    data["csrf_token"] = csrf_from(html)
    return {k: v for k, v in data.items() if not k.startswith("sim_")}


def test_a_version_effective_tomorrow_applies_from_shanghai_midnight(
    client, session, operator, member, clock
):
    data = _section_form(client, "categories")
    data.update(pct_skincare="200", effective_at="2026-06-16T00:00", note="double skincare")
    assert client.post("/admin/rules/categories", data=data).status_code == 303
    version = session.scalar(select(RuleVersion).where(RuleVersion.created_by_id.is_not(None)))
    assert version.effective_at == TOMORROW_0000 and version.note == "double skincare"
    clock.now = TOMORROW_0000 + timedelta(minutes=1)  # the till reports both after midnight
    late = pos(client, member, "late", TODAY_2359)
    midnight = pos(client, member, "midnight", TOMORROW_0000)
    assert late.get_json()["points_awarded"] == 100
    assert midnight.get_json()["points_awarded"] == 200
    page = client.get("/admin/rules/history").get_data(as_text=True)
    assert "double skincare" in page and "admin" in page


def test_a_pos_order_replayed_after_a_rule_change_keeps_its_award(
    client, session, operator, member, clock
):
    first = pos(client, member, "R1", clock.now)
    assert first.status_code == 201 and first.get_json()["points_awarded"] == 100
    data = _section_form(client, "categories")
    data.update(pct_skincare="300")
    assert client.post("/admin/rules/categories", data=data).status_code == 303
    clock.now += timedelta(hours=1)
    again = pos(client, member, "R1", clock.now - timedelta(hours=1))
    assert again.status_code == 200 and again.get_json()["points_awarded"] == 100
    assert session.scalar(select(func.count(PosOrder.id))) == 1
    assert balances.balance(session, member.id, clock.now) == 100


@pytest.mark.parametrize(
    ("section", "changes"),
    [
        ("tiers", {"threshold_gold": "500"}),  # below silver
        ("tiers", {"threshold_base": "10"}),
        ("tiers", {"name_silver": ""}),
        ("tiers", {"multiplier_gold": "x"}),
        ("behaviour", {"signin_streak_days": "0"}),
        ("behaviour", {"signin_points": "-5"}),
        ("issue_cap", {"monthly_issue_cap": "99999999999"}),
        ("categories", {"new_category": "Bad Code", "new_pct": "100"}),
        ("cash", {"new_kind": "range", "new_name": "x", "new_ppy": "15"}),  # no dates
        ("cash", {"points_cash_cap_pct": "101"}),
        ("sources", {"kind_purchase": "soon"}),
        ("bookings", {"effective_at": "2026-06-01T10:00"}),
        ("bookings", {"effective_at": "not a time"}),
    ],
)
def test_bad_section_input_is_refused_and_nothing_is_written(
    client, session, operator, section, changes
):
    data = {**_section_form(client, section), **changes}
    response = client.post(f"/admin/rules/{section}", data=data)
    assert response.status_code == 422, response.get_data(as_text=True)[:2000]
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert versions(session) == 0


def test_a_form_opened_before_another_change_is_stale(client, session, operator):
    mine = _section_form(client, "behaviour")
    theirs = {**_section_form(client, "behaviour"), "signin_points": "6"}
    assert client.post("/admin/rules/behaviour", data=theirs).status_code == 303
    stale = client.post("/admin/rules/behaviour", data={**mine, "signin_points": "7"})
    assert stale.status_code == 409 and "Reload" in stale.get_data(as_text=True)
    assert versions(session) == 2  # version 0 and theirs


def test_every_section_saves_unchanged_as_a_new_version(client, session, operator):
    for section in rules.EDITABLE:
        data = _section_form(client, section)
        response = client.post(f"/admin/rules/{section}", data=data)
        assert response.status_code == 303, (section, response.get_data(as_text=True)[:3000])
    actions = session.scalars(select(AuditEntry.action)).all()
    assert actions == ["rule.version"] * len(rules.EDITABLE)


def test_a_new_cash_rate_and_tier_names_through_the_forms(client, session, operator, clock):
    data = _section_form(client, "cash")
    data.update(
        new_kind="range", new_name="618", new_ppy="12", new_from="2026-06-15", new_to="2026-06-18"
    )
    assert client.post("/admin/rules/cash", data=data).status_code == 303
    from app.services.mall import pricing

    assert pricing.rate_at(session, clock.now).points_per_yuan == 12
    data = {**_section_form(client, "tiers"), "name_en_gold": "Golden"}
    assert client.post("/admin/rules/tiers", data=data).status_code == 303
    assert "Golden" in client.get("/admin/rules").get_data(as_text=True)


def test_a_benefit_added_in_the_console(client, session, operator, clock):
    data = {
        "code": "silver_tea",
        "name": "银卡下午茶",
        "name_en": "Silver tea",
        "icon": "coin",
        "tier_codes": ["silver"],
        "verification": "offline",
        "period": "month",
        "csrf_token": operator,
    }
    assert client.post("/admin/rules/benefits/new", data=data).status_code == 303
    assert "银卡下午茶" in client.get("/admin/rules").get_data(as_text=True)
    again = client.post("/admin/rules/benefits/new", data=data)
    assert again.status_code == 422 and 'data-testid="form-error"' in again.get_data(as_text=True)
    edit = client.get("/admin/rules/benefits/silver_tea").get_data(as_text=True)
    assert "Silver tea" in edit
    bad = client.post("/admin/rules/benefits/new", data={**data, "code": "Bad code!"})
    assert bad.status_code == 422


# --- the monthly issue cap ---------------------------------------------------------------


def test_the_monthly_issue_cap_refuses_earning_and_shows_its_use(
    client, session, operator, member, clock
):
    data = {**_section_form(client, "issue_cap"), "monthly_issue_cap": "150"}
    assert client.post("/admin/rules/issue_cap", data=data).status_code == 303
    assert pos(client, member, "fits", clock.now).status_code == 201  # 100 points
    refused = pos(client, member, "beyond", clock.now)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "issue_cap_reached"
    assert session.scalar(select(func.count(PosOrder.id))) == 1
    page = client.get("/admin/rules").get_data(as_text=True)
    assert 'data-testid="issue-cap-used">100<' in page and "of 150 points this month" in page


def test_the_counter_is_told_when_the_cap_is_reached(session, operator, member, clock):
    from app.models import User
    from app.services.console import rules as console_rules

    admin = session.scalar(select(User).where(User.staff_id == "admin"))
    payload = console_rules.in_force(session, "issue_cap", clock.now)
    payload["monthly_issue_cap"] = 50
    console_rules.save(session, admin, "issue_cap", payload, effective_at=None, now=clock.now)
    advisor = factories.advisor(session)
    with pytest.raises(RedeemError) as caught:
        counter.record_purchase(
            session,
            advisor,
            member,
            receipt_no="R9",
            paid_fen=10_000,
            categories=["skincare"],
            now=clock.now,
        )
    from app.blueprints.messages import explain

    assert caught.value.code == "issue_cap"
    assert "50 points left" in explain(caught.value, to="counter")


def test_a_member_signing_in_is_told_the_brand_cap_is_reached(
    client, session, operator, clock, login_as
):
    from app.models import User
    from app.services.accounts import accounts
    from app.services.console import rules as console_rules

    admin = session.scalar(select(User).where(User.staff_id == "admin"))
    payload = console_rules.in_force(session, "issue_cap", clock.now)
    payload["monthly_issue_cap"] = 1
    console_rules.save(session, admin, "issue_cap", payload, effective_at=None, now=clock.now)
    member = accounts.create_member(session, "13700001111", "secret123", now=clock.now)
    factories.buy(session, member, 100, clock.now, "fills")
    session.commit()
    client.post("/logout", data={"csrf_token": operator})
    token = login_as("13700001111")
    response = client.post("/me/signin", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert "given out this month's points" in response.get_data(as_text=True)
    assert earning.signed_in_today(session, member.id, datetime.now(UTC)) is not None


# --- the simulator -------------------------------------------------------------------------


def test_the_simulator_page_for_a_tier_and_for_a_member(client, session, operator, member):
    page = client.get("/admin/rules/simulate?sim_amount=100&sim_tier=gold&sim_month=&sim_category=")
    assert page.status_code == 200
    assert 'data-testid="sim-in-force">150<' in page.get_data(as_text=True)
    mine = client.get(f"/admin/rules/simulate?sim_amount=99.99&sim_member={member.member_no}")
    assert 'data-testid="sim-in-force">99<' in mine.get_data(as_text=True)
    unknown = client.get("/admin/rules/simulate?sim_amount=10&sim_member=NOPE")
    assert unknown.status_code == 422 and "No member has that number" in unknown.get_data(
        as_text=True
    )
    bad = client.get("/admin/rules/simulate?sim_amount=1e9")
    assert bad.status_code == 422


def test_a_draft_is_simulated_next_to_the_rules_in_force_and_not_saved(client, session, operator):
    data = {**_section_form(client, "tiers"), "multiplier_gold": "300"}
    data.update(action="simulate", sim_amount="100", sim_tier="gold", sim_category="skincare")
    response = client.post("/admin/rules/tiers", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        'data-testid="sim-in-force">150<' in html and 'data-testid="sim-draft"><strong>300<' in html
    )
    assert versions(session) == 0
    data = campaign(operator, action="simulate", sim_amount="100", sim_tier="base")
    html = client.post("/admin/rules/campaigns/new", data=data).get_data(as_text=True)
    assert 'data-testid="sim-draft"><strong>300<' in html
    assert versions(session) == 0


# --- points clearing -----------------------------------------------------------------------


def test_clearing_is_previewed_requested_approved_by_another_operator_and_run(
    app, client, session, operator, member, clock, login_as, monkeypatch
):
    factories.buy(session, member, 30_000, clock.now - timedelta(days=40), "old")
    session.commit()
    form = {"earned_before": "2026-06-01", "run_on": "2026-06-20", "csrf_token": operator}
    preview = client.post("/admin/rules/clearing", data={**form, "action": "preview"})
    assert 'data-testid="clearing-preview"' in preview.get_data(as_text=True)
    assert "300 points of 1 members" in preview.get_data(as_text=True)
    assert session.scalar(select(func.count(PointClearing.id))) == 0
    assert client.post("/admin/rules/clearing", data=form).status_code == 303
    item = session.scalar(select(PointClearing))
    assert (item.preview_members, item.preview_points, item.status) == (1, 300, "requested")
    own = client.post(f"/admin/rules/clearing/{item.id}/approve", data={"csrf_token": operator})
    assert own.status_code == 422 and "second operator" in own.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": operator})
    token = login_as("admin2")
    approved = client.post(f"/admin/rules/clearing/{item.id}/approve", data={"csrf_token": token})
    assert approved.status_code == 303
    session.expire_all()
    assert session.get(PointClearing, item.id).status == "approved"
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["rule.clearing.request", "rule.clearing.approve"]
    from app import cli

    monkeypatch.setattr(cli, "utcnow", lambda: datetime(2026, 6, 19, 15, 59, tzinfo=UTC))
    runner = app.test_cli_runner()
    early = runner.invoke(args=["points", "clear", "--id", str(item.id)])
    assert early.exit_code == 1 and "not_due" in early.output
    assert "no clearing due" in runner.invoke(args=["points", "clear", "--due"]).output
    monkeypatch.setattr(cli, "utcnow", lambda: datetime(2026, 6, 19, 16, 0, tzinfo=UTC))
    ran = runner.invoke(args=["points", "clear", "--due"])
    assert ran.exit_code == 0 and f"clearing #{item.id}: 300 points of 1 member" in ran.output
    assert "no clearing due" in runner.invoke(args=["points", "clear", "--due"]).output
    session.expire_all()
    assert session.get(PointClearing, item.id).status == "done"
    cleared = session.scalar(select(PointTransaction).where(PointTransaction.kind == "clear"))
    assert cleared.points == -300 and cleared.member_id == member.id
    run_entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "rule.clearing.run"))
    assert run_entry.actor.staff_id == "admin2"


def test_members_see_an_approved_clearing_on_me(client, session, operator, clock, login_as):
    from app.models import User
    from app.services.accounts import accounts
    from app.services.console import clearing

    member = accounts.create_member(session, "13700002222", "secret123", now=clock.now)
    factories.buy(session, member, 30_000, clock.now - timedelta(days=40), "old")
    admin, admin2 = (
        session.scalar(select(User).where(User.staff_id == s)) for s in ("admin", "admin2")
    )
    from datetime import date

    item = clearing.request(
        session,
        admin,
        earned_before=date(2026, 6, 1),
        run_on=date(2026, 12, 20),
        note="",
        now=clock.now,
    )
    clearing.approve(session, admin2, item.id, now=clock.now)
    session.commit()
    client.post("/logout", data={"csrf_token": operator})
    login_as("13700002222")
    page = client.get("/me").get_data(as_text=True)
    assert 'data-testid="clearing-notice"' in page and "300" in page


def test_bad_clearing_input_is_refused_and_nothing_is_written(client, session, operator):
    for form in (
        {"earned_before": "2026-06-01", "run_on": "2026-06-15"},  # runs today
        {"earned_before": "2026-07-01", "run_on": "2026-06-20"},
        {"earned_before": "", "run_on": "2026-06-20"},
        {"earned_before": "2026-13-01", "run_on": "2026-06-20"},
    ):
        response = client.post("/admin/rules/clearing", data={**form, "csrf_token": operator})
        assert response.status_code == 422
        assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(PointClearing.id))) == 0


# --- finance -------------------------------------------------------------------------------


def test_finance_reads_the_rules_and_changes_nothing(client, session, login_as, clock):
    factories.staff(session, "finance", "F0001")
    session.commit()
    token = login_as("F0001")
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "Read-only" in page and "New campaign" not in page and "End now" not in page
    assert client.get("/admin/rules/simulate?sim_amount=10").status_code == 200
    assert client.get("/admin/rules/history").status_code == 200
    assert client.post("/admin/rules/campaigns/new", data=campaign(token)).status_code == 403
    assert client.post("/admin/rules/tiers", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/rules/clearing", data={"csrf_token": token}).status_code == 403
    assert versions(session) == 0


def test_posts_without_csrf_are_refused(client, session, operator):
    data = campaign(operator)
    del data["csrf_token"]
    assert client.post("/admin/rules/campaigns/new", data=data).status_code == 400
    assert versions(session) == 0


def test_ending_a_campaign_keeps_what_was_earned_before(client, session, operator, member, clock):
    assert client.post("/admin/rules/campaigns/new", data=campaign(operator)).status_code == 303
    cid = session.scalar(select(RuleVersion).order_by(RuleVersion.id.desc())).payload["campaigns"][
        -1
    ]["id"]
    paid = clock.now
    clock.now += timedelta(minutes=5)
    ended = client.post(f"/admin/rules/campaigns/{cid}/end", data={"csrf_token": operator})
    assert ended.status_code == 303
    assert pos(client, member, "after", clock.now).get_json()["points_awarded"] == 100
    assert pos(client, member, "before", paid).get_json()["points_awarded"] == 300
    unknown = client.post("/admin/rules/campaigns/999/end", data={"csrf_token": operator})
    assert unknown.status_code == 303
    assert "not in the rules in force" in client.get("/admin/rules").get_data(as_text=True)


# --- the issue cap under real concurrency (PostgreSQL) ----------------------------------------


@pytest.mark.postgres
def test_concurrent_purchases_never_issue_beyond_the_cap(app, session, make_member, now):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.services.console import rules as console_rules
    from app.services.points import issuing, ledger

    admin = factories.staff(session, "operator", "admin")
    payload = console_rules.in_force(session, "issue_cap", now)
    payload["monthly_issue_cap"] = 1_000
    console_rules.save(session, admin, "issue_cap", payload, effective_at=None, now=now)
    members = [make_member() for _ in range(12)]
    factories.store(session, "SH001")
    session.commit()
    ids = [m.id for m in members]
    wide = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 0, "pool_timeout": 60},
    )
    barrier = threading.Barrier(len(ids), timeout=60)

    def one(i: int):
        with wide.app_context():
            s = db.session
            s.connection()
            barrier.wait()
            try:
                member = s.get(type(members[0]), ids[i])
                factories.buy(s, member, 30_000, now, f"c{i}")  # 300 points each
                s.commit()
                return "ok"
            except ledger.LedgerError:
                s.rollback()
                return "refused"
            finally:
                s.remove()

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        results = list(pool.map(one, range(len(ids))))
    with wide.app_context():
        db.engine.dispose()
    assert results.count("ok") == 3 and results.count("refused") == 9
    session.expire_all()
    assert issuing.used(session, now) == 900
    assert session.scalar(select(func.count(PosOrder.id))) == 3
