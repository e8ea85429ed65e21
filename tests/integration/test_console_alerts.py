"""The alerts console: the home's open alerts, the list and its filters, an alert's evidence and
links, acknowledge and resolve with a required note, thresholds; finance reads only."""

import re

import pytest
from sqlalchemy import func, select

from app.jobs import periods, scheduler
from app.jobs.registry import JOBS
from app.models import Alert, AlertObservation, AlertSetting, AuditEntry
from app.services.alerts import feed, monitor
from app.services.points import purchases
from app.timeutil import utcnow
from tests import factories, sms
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


@pytest.fixture
def english(client):
    """The console in English, so words can be asserted."""
    client.set_cookie("lang", "en")


@pytest.fixture
def operator(english, operator):
    """The shared operator, on English pages; returns the CSRF token."""
    return operator


@pytest.fixture
def finance(english, finance):
    """The shared finance user, on English pages; returns the CSRF token."""
    return finance


@pytest.fixture
def opened(session, make_member, monkeypatch):
    """Two alerts from the real job: a member's ¥50,000 day (high), 20 sign-ups on one network."""
    monkeypatch.setattr(feed, "LAG", {})  # read what was just written (PostgreSQL waits 2 min)
    now = utcnow()
    member = make_member()
    factories.store(session)
    body = {"order_no": "BIG-1", "fen": 5_000_000}
    purchases.record_purchase(
        session, member, order_no="BIG-1", store_code="SH001", paid_fen=5_000_000, paid_at=now,
        lines=[{"category": "skincare", "paid_fen": 5_000_000}],
        fingerprint=purchases.body_hash(body), now=now,
    )  # fmt: skip
    for n in range(20):
        monitor.signed_up(session, make_member(), "203.0.113.50", f"b-{n}", now=now)
    session.commit()
    job = JOBS["alerts"]
    scheduler.run_period(session, job, periods.start_of(job.period, now), utcnow)
    found = {a.rule: a for a in session.scalars(select(Alert))}
    assert set(found) == {"member_velocity", "registrations"}
    return found | {"member": member}


def test_the_home_lists_open_alerts_worst_first(client, operator, opened):
    body = client.get("/admin/").get_data(as_text=True)
    severities = re.findall(r'data-testid="alert" data-severity="(\w+)"', body)
    assert severities == ["high", "medium"]
    velocity = opened["member_velocity"]
    assert f'href="/admin/alerts/{velocity.id}"' in body
    assert f"Member {opened['member'].member_no} earned 50,000 points today" in body
    assert 'href="/admin/alerts"' in body and ">Alerts</a>" in body  # the nav entry


def test_the_home_says_so_when_nothing_is_open(client, operator):
    body = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="alert"' not in body and "No open alert" in body


def test_the_list_filters_by_status_rule_and_severity(client, operator, opened):
    everything = client.get("/admin/alerts").get_data(as_text=True)
    assert everything.count("data-alert-id=") == 2
    high = client.get("/admin/alerts?severity=high").get_data(as_text=True)
    assert high.count("data-alert-id=") == 1 and "earned 50,000 points" in high
    rule = client.get("/admin/alerts?rule=registrations").get_data(as_text=True)
    assert rule.count("data-alert-id=") == 1 and "from network 203.0.113.50" in rule
    assert "data-alert-id=" not in client.get("/admin/alerts?status=resolved").get_data(True)
    fragment = client.get("/admin/alerts?status=open", headers=HX)
    html = fragment.get_data(as_text=True)
    assert (
        "<html" not in html and 'id="alert-results"' in html and html.count("data-alert-id=") == 2
    )
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "rule=%00",
        "severity=urgent",
        "page=-3",
        "page=99999999999999999999",
        "sort=drop&dir=sideways",
        "status=" + "x" * 500,
        "rule=member_velocity&severity=%C0%AF",
    ],
)
def test_bad_query_args_are_ignored_never_a_500(client, operator, opened, query):
    response = client.get(f"/admin/alerts?{query}")
    assert response.status_code == 200


def test_the_detail_shows_the_evidence_and_links(client, operator, opened):
    velocity, member = opened["member_velocity"], opened["member"]
    body = client.get(f"/admin/alerts/{velocity.id}").get_data(as_text=True)
    assert f'href="/admin/members/{member.member_no}"' in body
    assert "Daily average, last 28 days" in body and "20,000" in body and "×10" in body
    signups = client.get(f"/admin/alerts/{opened['registrations'].id}").get_data(as_text=True)
    assert signups.count('href="/admin/members/') == 20  # each account it concerns
    assert client.get("/admin/alerts/99999").status_code == 404


def test_acknowledge_then_resolve_each_needs_a_note(client, session, operator, opened):
    alert_id = opened["member_velocity"].id
    url = f"/admin/alerts/{alert_id}"
    refused = client.post(f"{url}/acknowledge", data={"csrf_token": operator, "note": "  "})
    assert refused.status_code == 422 and 'data-testid="form-error"' in refused.get_data(True)
    session.expire_all()
    assert session.get(Alert, alert_id).status == "open"
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    data = {"csrf_token": operator, "note": "Calling SH001 about it"}
    assert client.post(f"{url}/acknowledge", data=data).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Acknowledged by admin" in page and "Calling SH001 about it" in page
    data["note"] = "A wedding order, receipt checked"
    assert client.post(f"{url}/resolve", data=data).status_code == 303
    again = client.post(f"{url}/resolve", data=data)
    assert again.status_code == 422 and "already Resolved" in again.get_data(as_text=True)
    session.expire_all()
    alert = session.get(Alert, alert_id)
    assert (alert.status, alert.resolved_by.staff_id) == ("resolved", "admin")
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["alert.acknowledged", "alert.resolved"]
    home = client.get("/admin/").get_data(as_text=True)
    assert re.findall(r'data-testid="alert" data-severity="(\w+)"', home) == ["medium"]
    assert client.post("/admin/alerts/99999/resolve", data=data).status_code == 404


def test_a_step_without_the_csrf_token_writes_nothing(client, session, operator, opened):
    alert_id = opened["member_velocity"].id
    response = client.post(f"/admin/alerts/{alert_id}/resolve", data={"note": "x"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Alert, alert_id).status == "open"


def test_finance_reads_everything_and_changes_nothing(client, session, finance, opened):
    alert_id = opened["member_velocity"].id
    for url in ("/admin/", "/admin/alerts", f"/admin/alerts/{alert_id}", "/admin/alerts/settings"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "Read-only" in body, url
        assert 'method="post" action="/admin/alerts' not in body, url
    data = {"csrf_token": finance, "note": "finance says hi"}
    assert client.post(f"/admin/alerts/{alert_id}/resolve", data=data).status_code == 403
    settings_data = {"member_velocity-csrf_token": finance, "member_velocity-floor": "1"}
    assert (
        client.post("/admin/alerts/settings/member_velocity", data=settings_data).status_code == 403
    )
    session.expire_all()
    assert session.get(Alert, alert_id).status == "open"
    assert session.scalar(select(func.count()).select_from(AlertSetting)) == 0


def _settings_form(client, rule: str) -> dict:
    """The settings form of one rule as the page fills it in."""
    page = client.get("/admin/alerts/settings").get_data(as_text=True)
    section = page[page.index(f'id="rule-{rule}"') :]
    section = section[: section.index("</form>")]
    fields = dict(re.findall(r'name="([\w-]+)"[^>]*value="([^"]*)"', section))
    assert f'checked id="{rule}-enabled"' in section  # every rule is on by default
    return fields


def test_thresholds_are_saved_and_audited(client, session, operator):
    data = _settings_form(client, "member_velocity")
    assert data["member_velocity-floor"] == "20000"
    data |= {"member_velocity-floor": "15000", "member_velocity-note": "peak season"}
    response = client.post("/admin/alerts/settings/member_velocity", data=data)
    assert response.status_code == 303
    row = session.scalar(select(AlertSetting))
    assert row.payload["floor"] == 15_000 and row.payload["factor_pct"] == 1_000
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.settings"))
    assert entry.after == {"floor": 15_000} and entry.reason == "peak season"
    tiny = _settings_form(client, "referral_tiny")
    assert tiny["referral_tiny-tiny_fen"] == "50"  # shown and typed in yuan
    tiny["referral_tiny-tiny_fen"] = "20"
    assert client.post("/admin/alerts/settings/referral_tiny", data=tiny).status_code == 303
    saved = session.scalar(select(AlertSetting).where(AlertSetting.rule == "referral_tiny"))
    assert saved.payload["tiny_fen"] == 2_000


@pytest.mark.parametrize("floor", ["0", "abc", "", "1e9", "٣", "99999999999999"])
def test_bad_thresholds_are_refused_with_a_form_error(client, session, operator, floor):
    data = _settings_form(client, "member_velocity") | {"member_velocity-floor": floor}
    response = client.post("/admin/alerts/settings/member_velocity", data=data)
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AlertSetting)) == 0
    unknown = client.post("/admin/alerts/settings/everything", data=data)
    assert unknown.status_code == 404


def test_registering_records_the_network_and_a_device_cookie(client, session):
    client.set_cookie("lang", "en")
    for phone in ("13911110001", "13911110002"):
        code = sms.code_for(client, phone)
        token = csrf_from(client.get("/register").get_data(as_text=True))
        data = {"phone": phone, "sms_code": code, "password": "goodpass1", "confirm": "goodpass1"}
        response = client.post("/register", data=data | {"csrf_token": token})
        assert response.status_code == 303, response.get_data(as_text=True)
        assert "device=" in response.headers.get("Set-Cookie", "")
        me = client.get("/me").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(me)})
    rows = session.execute(select(AlertObservation.kind, AlertObservation.subject)).all()
    networks = [s for k, s in rows if k == "signup_ip"]
    devices = [s for k, s in rows if k == "signup_device"]
    assert networks == ["127.0.0.1", "127.0.0.1"]
    assert len(devices) == 2 and devices[0] == devices[1]  # the same browser, seen again
