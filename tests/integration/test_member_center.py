"""The member center: /me, sign-in by htmx, profile, history paging, the counter code."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import SignIn
from app.services.counter import member_code
from app.services.points import balances, ledger
from app.timeutil import utcnow

HX = {"HX-Request": "true"}


@pytest.fixture
def member_client(client, login_as, member_user):
    """A client logged in as member_user; yields (client, csrf token, member)."""
    return client, login_as("13700009999"), member_user


def test_me_shows_balance_tier_progress_and_expiring(member_client, session):
    client, _, member = member_client
    ledger.credit(session, member.id, "signin", 40, "soon", now=utcnow() - timedelta(days=80))
    ledger.credit(session, member.id, "purchase", 1_200, "p", now=utcnow())
    session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert 'data-testid="points-balance"' in html and "1,240" in html
    assert 'data-testid="tier-name"' in html and 'data-testid="tier-progress"' in html
    assert 'data-testid="expiring-points">40<' in html
    assert html.count('data-testid="points-balance"') == 1


def test_sign_in_by_htmx_returns_the_fragment_and_fires_points_changed(member_client, session):
    client, csrf, member = member_client
    response = client.post("/me/signin", headers={**HX, "X-CSRFToken": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="signin"' in html
    assert response.headers["HX-Trigger"] == "points-changed"
    assert "HX-Request" in response.headers["Vary"]
    again = client.post("/me/signin", headers={**HX, "X-CSRFToken": csrf})
    assert again.status_code == 200
    assert session.scalar(select(func.count(SignIn.id))) == 1
    assert balances.balance(session, member.id, utcnow()) == 5


def test_sign_in_without_javascript_redirects(member_client):
    client, csrf, _ = member_client
    response = client.post("/me/signin", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/me"


def test_sign_in_without_csrf_writes_nothing(member_client, session):
    client, _, _ = member_client
    assert client.post("/me/signin", headers=HX).status_code == 400
    assert session.scalar(select(func.count(SignIn.id))) == 0


def test_balance_fragment_is_just_the_digits(member_client, session):
    client, _, member = member_client
    ledger.credit(session, member.id, "purchase", 12_345, "p", now=utcnow())
    session.commit()
    response = client.get("/me/balance", headers=HX)
    assert response.get_data(as_text=True).strip() == "12,345"
    assert "HX-Request" in response.headers["Vary"]


def test_profile_errors_are_shown_in_place(member_client, session):
    client, csrf, member = member_client
    client.set_cookie("lang", "en")
    response = client.post(
        "/me/profile", data={"name": "", "birthday": ""}, headers={**HX, "X-CSRFToken": csrf}
    )
    assert response.status_code == 422 and 'data-testid="form-error"' in response.get_data(
        as_text=True
    )
    ok = client.post(
        "/me/profile",
        data={"name": "Lin", "birthday": "1995-06-20"},
        headers={**HX, "X-CSRFToken": csrf},
    )
    assert ok.headers["HX-Trigger"] == "points-changed"
    assert "+50" in ok.get_data(as_text=True)
    assert balances.balance(session, member.id, utcnow()) == 50


def test_history_filters_and_pages(member_client, session):
    client, _, member = member_client
    now = utcnow()
    for i in range(25):
        ledger.credit(session, member.id, "purchase", 10, f"p{i}", now=now - timedelta(minutes=i))
    ledger.debit(session, member.id, 7, "spend", now=now)
    session.commit()
    client.set_cookie("lang", "en")
    first = client.get("/me/points").get_data(as_text=True)
    assert first.count('class="history-row"') == 20 and "Load more" in first
    second = client.get("/me/points?page=2", headers=HX)
    assert "<html" not in second.get_data(as_text=True)
    assert second.get_data(as_text=True).count('class="history-row"') == 6
    spent = client.get("/me/points?filter=spent").get_data(as_text=True)
    assert spent.count('class="history-row"') == 1 and "-7" in spent
    assert "usable until" in client.get("/me/points?filter=earned").get_data(as_text=True)


def test_member_code_page_and_its_window(member_client, session, app):
    client, _, member = member_client
    html = client.get("/me/code").get_data(as_text=True)
    now = utcnow()
    assert 'data-testid="member-code"' in html and "<svg" in html
    code = member_code.code_for(member, now)
    assert member_code.resolve(session, code, now).id == member.id
    one_minute_ago = member_code.code_for(member, now - timedelta(seconds=60))
    assert member_code.resolve(session, one_minute_ago, now).id == member.id
    three_minutes_ago = member_code.code_for(member, now - timedelta(seconds=180))
    assert member_code.resolve(session, three_minutes_ago, now) is None
    assert member_code.resolve(session, code[:-1] + str((int(code[-1]) + 1) % 10), now) is None
    assert member_code.resolve(session, "12", now) is None


def test_another_members_pages_are_not_reachable(
    client, login_as, member_user, make_member, session
):
    other = make_member()
    ledger.credit(session, other.id, "purchase", 999, "other", now=utcnow())
    session.commit()
    login_as("13700009999")
    assert "999" not in client.get("/me/points").get_data(as_text=True)


def test_mes_one_statement_reads_what_the_separate_ones_do(session, member_user):
    """member_reads.read_me (one UNION ALL) against the open lots, FIGURES and REMINDERS each
    read alone, for a member with lots, today's sign-in, an appointment ahead and one past, an
    order waiting at a counter and a benefit used this year; and for a member with none."""
    from app.models import Benefit, BenefitUse, Booking, Order
    from app.services.accounts import accounts
    from app.services.points import earning, member_reads
    from tests import factories

    now = utcnow()
    member = member_user
    ledger.credit(session, member.id, "purchase", 700, "a", now=now - timedelta(days=40))
    ledger.credit(session, member.id, "purchase", 300, "b", now=now)
    earning.sign_in(session, member.id, now)
    store = factories.store(session)
    store.names = {"en": "Shanghai flagship"}
    for n, hours in enumerate((48, 24, -3)):
        slot = factories.slot(session, now, hours=hours)
        order = Order(order_no=f"S{n}", request_key=f"s{n}", member_id=member.id,
                      gift_id=slot.gift_id, qty=1, points=0, delivery="service",
                      status="to_book", created_at=now)  # fmt: skip
        session.add(order)
        session.flush()
        session.add(
            Booking(order_id=order.id, slot_id=slot.id, member_id=member.id, created_at=now)
        )
    waiting = Order(order_no="P1", request_key="p1", member_id=member.id, gift_id=slot.gift_id,
                    qty=1, points=0, delivery="pickup", status="to_pickup", created_at=now,
                    store_id=store.id)  # fmt: skip
    session.add(waiting)
    care = Benefit(code="care", name="护理", tier_codes=["base"], verification="offline")
    session.add(care)
    session.flush()
    advisor = factories.advisor(session)
    session.add(BenefitUse(benefit_id=care.id, member_id=member.id, period_key="2026Q4",
                           store_id=store.id, user_id=advisor.id, at=now))  # fmt: skip
    bare = accounts.create_member(session, "13700001111", "secret123", now=now)
    session.commit()
    for someone in (member, bare):
        bits = member_reads.read_me(session, someone.id, now)
        assert bits.points == balances.summary(session, someone.id, now)
        figures = member_reads.figures_params(someone.id, now)
        assert bits.figures == tuple(session.execute(member_reads.FIGURES, figures).one())
        reminders = member_reads.reminders_params(someone.id, now)
        alone = [tuple(r) for r in session.execute(member_reads.REMINDERS, reminders)]
        assert sorted(bits.reminders, key=repr) == sorted(alone, key=repr)
        kinds = lambda rows: [(r[0], r[1]) for r in rows if r[0] != "pickup"]  # noqa: E731
        assert kinds(bits.reminders) == kinds(alone)  # soonest first, as REMINDERS orders them
    mine = member_reads.read_me(session, member.id, now)
    assert [r[0] for r in mine.reminders].count("booking") == 2 and mine.figures[2] is not None
    assert {r[0] for r in mine.reminders} == {"booking", "pickup", "benefit"}
    assert member_reads.read_me(session, bare.id, now).reminders == []
