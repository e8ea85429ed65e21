"""The home's member hero: name, points, tier progress, and a one-tap sign-in in place."""

from sqlalchemy import func, select

from app.models import SignIn
from app.services.points import balances, ledger
from app.timeutil import utcnow
from tests.integration.test_query_budgets import statements

HX = {"HX-Request": "true"}


def _hero(html: str) -> str:
    start = html.index('data-testid="member-hero"')
    return html[start : html.index("</section>", start)]


def test_the_hero_shows_name_points_progress_and_sign_in(client, login_as, member_user, session):
    member_user.name = "Lin Yue"
    ledger.credit(session, member_user.id, "purchase", 1_234, "p", now=utcnow())
    session.commit()
    login_as("13700009999")
    client.set_cookie("lang", "en")
    hero = _hero(client.get("/").get_data(as_text=True))
    assert "Lin Yue" in hero and "1,234" in hero
    assert "¥1,000 more in purchases to reach Silver" in hero
    assert 'data-testid="hero-signin"' in hero and "Sign in +5" in hero
    assert 'href="/rules#earn"' in hero


def test_the_hero_sign_in_answers_in_place_by_htmx(client, login_as, member_user, session):
    csrf = login_as("13700009999")
    client.set_cookie("lang", "en")
    response = client.post("/me/signin/home", headers={**HX, "X-CSRFToken": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="hero-signin"' in html and "+5 points · 1-day streak" in html
    assert 'data-testid="hero-signin"' not in html  # no second tap
    assert response.headers["HX-Trigger"] == "points-changed"
    assert "HX-Request" in response.headers["Vary"]
    assert balances.balance(session, member_user.id, utcnow()) == 5
    hero = _hero(client.get("/").get_data(as_text=True))
    assert "Signed in today · 1-day streak" in hero and 'data-testid="hero-signin"' not in hero


def test_the_hero_sign_in_works_without_javascript(client, login_as, member_user, session):
    csrf = login_as("13700009999")
    response = client.post("/me/signin/home", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    again = client.post("/me/signin/home", data={"csrf_token": csrf})
    assert again.status_code == 303
    assert session.scalar(select(func.count(SignIn.id))) == 1


def test_the_hero_sign_in_without_csrf_writes_nothing(client, login_as, member_user, session):
    login_as("13700009999")
    assert client.post("/me/signin/home", headers=HX).status_code == 400
    assert session.scalar(select(func.count(SignIn.id))) == 0


def test_visitors_and_shelves_have_no_hero_and_members_see_only_their_own(
    client, login_as, member_user, make_member, session
):
    visitor = client.application.test_client()
    assert 'data-testid="member-hero"' not in visitor.get("/").get_data(as_text=True)
    member_user.name = "First"
    other = make_member("13700008888", name="Second")
    other.user.password_hash = member_user.user.password_hash
    session.commit()
    login_as("13700009999")
    assert "First" in _hero(client.get("/").get_data(as_text=True))
    assert 'data-testid="member-hero"' not in client.get("/?kind=physical").get_data(as_text=True)
    second = client.application.test_client()
    from tests.conftest import csrf_from

    token = csrf_from(second.get("/login").get_data(as_text=True))
    second.post("/login", data={"identifier": "13700008888", "password": "secret123",
                                "csrf_token": token})  # fmt: skip
    hero = _hero(second.get("/").get_data(as_text=True))
    assert "Second" in hero and "First" not in hero


def test_the_hero_costs_one_statement(client, login_as, member_user, session):
    login_as("13700009999")
    client.get("/")
    sent = statements(client, "/")
    # BEGIN, the user, lots + orders, growth + today's sign-in (the hero), "for you"'s signals
    assert len(sent) <= 5, sent
