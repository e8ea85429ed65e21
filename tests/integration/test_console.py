"""The console's shell: who may enter, finance reads only, staff accounts, the audit log."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import AuditEntry, User
from app.services.accounts import accounts
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English pages (zh_Hans is the default)."""
    client.set_cookie("lang", "en")


def test_visitors_go_to_login_and_members_and_advisors_are_refused(client, session, login_as):
    assert client.get("/admin/").status_code == 302
    factories.advisor(session).password_hash = accounts.hash_password("secret123")
    session.commit()
    login_as("A0001")
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/staff").status_code == 403


def test_operator_sees_the_shell_with_navigation_and_role(client, operator):
    page = client.get("/admin/").get_data(as_text=True)
    assert 'class="console-nav"' in page and 'aria-current="page"' in page
    assert "admin" in page and "Read-only" not in page
    assert client.get("/admin/staff").status_code == 200
    assert client.get("/admin/audit").status_code == 200


def test_finance_reads_everything_and_every_write_is_refused(client, session, finance):
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/staff").status_code == 200
    assert client.get("/admin/audit.csv").status_code == 200
    before = session.scalar(select(func.count(User.id)))
    data = {"staff_id": "A0009", "display_name": "x", "role": "finance", "csrf_token": finance}
    assert client.post("/admin/staff", data=data).status_code == 403
    assert client.post("/admin/staff/1/disable", data={"csrf_token": finance}).status_code == 403
    session.expire_all()
    assert session.scalar(select(func.count(User.id))) == before


def test_every_console_post_route_refuses_finance(app, client, finance):
    posts = [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and "POST" in r.methods
    ]
    assert posts
    for rule in posts:
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
        url = url.split("<")[0] if "<" in url else url
        assert client.post(url, data={"csrf_token": finance}).status_code in (403, 404), url


def test_posts_without_csrf_are_refused(client, session, operator):
    data = {"staff_id": "A0002", "display_name": "新顾问", "role": "advisor", "store_id": "0"}
    assert client.post("/admin/staff", data=data).status_code == 400
    assert session.scalar(select(func.count(User.id)).where(User.staff_id == "A0002")) == 0


def test_creating_an_advisor_needs_a_store_and_shows_the_password_once(client, session, operator):
    store = factories.store(session)
    session.commit()
    data = {
        "staff_id": "A0002",
        "display_name": "新顾问",
        "role": "advisor",
        "csrf_token": operator,
    }
    refused = client.post("/admin/staff", data={**data, "store_id": "0"})
    assert refused.status_code == 422 and 'data-testid="form-error"' in refused.get_data(
        as_text=True
    )
    assert session.scalar(select(func.count(User.id)).where(User.staff_id == "A0002")) == 0
    created = client.post("/admin/staff", data={**data, "store_id": str(store.id)})
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "Temporary password for A0002" in page
    user = session.scalar(select(User).where(User.staff_id == "A0002"))
    assert user.store_id == store.id and user.must_change_password
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.create"))
    assert entry.target_id == "A0002" and entry.after["role"] == "advisor"
    again = client.post("/admin/staff", data={**data, "store_id": str(store.id)})
    assert again.status_code == 422 and "already in use" in again.get_data(as_text=True)


@pytest.mark.parametrize("staff_id", ["", "1abc", "a b", "A0002\n", "A" * 21, "Ａ0002"])
def test_bad_staff_ids_are_refused(client, session, operator, staff_id):
    data = {"staff_id": staff_id, "display_name": "x", "role": "finance", "csrf_token": operator}
    assert client.post("/admin/staff", data=data).status_code == 422
    assert session.scalar(select(func.count(User.id))) == 1


def test_disabling_is_audited_and_never_your_own_account(client, session, operator):
    other = factories.staff(session, "finance", "F0001")
    session.commit()
    me = session.scalar(select(User).where(User.staff_id == "admin"))
    assert (
        client.post(f"/admin/staff/{me.id}/disable", data={"csrf_token": operator}).status_code
        == 422
    )
    data = {"csrf_token": operator, "reason": "left the company"}
    assert client.post(f"/admin/staff/{other.id}/disable", data=data).status_code == 303
    session.expire_all()
    assert session.get(User, other.id).active is False
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.disable"))
    assert entry.before == {"active": True} and entry.after == {"active": False}
    assert entry.reason == "left the company"
    page = client.get("/admin/audit?action=staff").get_data(as_text=True)
    assert "staff.disable" in page and "left the company" in page
    assert "staff.disable" not in client.get("/admin/audit?action=gift").get_data(as_text=True)
    csv = client.get("/admin/audit.csv?actor=admin").get_data(as_text=True)
    assert "staff.disable" in csv.splitlines()[1]


def test_a_password_reset_gives_a_new_temporary_password(client, session, operator):
    other = factories.staff(session, "finance", "F0001")
    session.commit()
    old = other.password_hash
    page = client.post(f"/admin/staff/{other.id}/reset", data={"csrf_token": operator})
    assert "Temporary password for F0001" in page.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, other.id).password_hash != old
    assert session.get(User, other.id).must_change_password


def test_the_audit_log_is_append_only(session, operator, client):
    factories.staff(session, "finance", "F0001")
    session.commit()
    client.post("/admin/staff/2/disable", data={"csrf_token": operator})
    with pytest.raises(DBAPIError):
        session.execute(text("UPDATE audit_log SET reason = 'x'"))
    session.rollback()
    with pytest.raises(DBAPIError):
        session.execute(text("DELETE FROM audit_log"))
    session.rollback()


def test_tables_sort_and_paginate_on_the_server(client, session, operator):
    for n in range(30):
        factories.staff(session, "finance", f"F{n:04d}")
    session.commit()
    first = client.get("/admin/staff?sort=id&dir=asc").get_data(as_text=True)
    assert "F0000" in first and "F0029" not in first and "Page 1 of 2" in first
    second = client.get("/admin/staff?sort=id&dir=asc&page=2").get_data(as_text=True)
    assert "F0029" in second
    assert client.get("/admin/staff?page=99999999999999999999&sort=bogus").status_code == 200
    assert "F0029" in client.get("/admin/staff?q=F0029").get_data(as_text=True)


def test_csrf_meta_on_console_pages(client, operator):
    assert csrf_from(client.get("/admin/staff").get_data(as_text=True))
