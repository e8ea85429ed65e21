"""Sub-pages open with a back link to their parent; visitors get the tab bar (issue 12 §1)."""

import re

import pytest

from tests import factories

BACK = re.compile(r'<a class="back-link" href="([^"]+)" data-testid="back-link">')


@pytest.fixture
def member(client, login_as, member_user, session):
    """A signed-in member, in English."""
    factories.store(session)
    session.commit()
    client.set_cookie("lang", "en")
    login_as("13700009999")
    return client


@pytest.mark.parametrize(
    ("path", "parent"),
    [
        ("/me/points", "/me"),
        ("/me/notifications", "/me"),
        ("/me/notifications/settings", "/me/notifications"),
        ("/me/tasks", "/me"),
        ("/me/code", "/me"),
        ("/rules", "/me"),
    ],
)
def test_member_sub_pages_lead_back_to_their_parent(member, path, parent):
    response = member.get(path)
    assert response.status_code == 200, path
    found = BACK.findall(response.get_data(as_text=True))
    assert found == [parent], path


def test_the_rules_lead_a_visitor_back_to_the_mall(client):
    assert BACK.findall(client.get("/rules").get_data(as_text=True)) == ["/"]


def test_the_me_page_is_a_top_level_page_without_one(member):
    assert BACK.findall(member.get("/me").get_data(as_text=True)) == []


def test_visitors_get_the_tab_bar_whose_member_tabs_ask_to_log_in(client):
    for _ in range(2):  # the visitor's home is kept: the second answer is the kept page
        html = client.get("/").get_data(as_text=True)
        bar = html.split('<nav class="tabbar"')[1].split("</nav>")[0]
        links = re.findall(r'<a href="([^"]+)" class="tab"', bar)
        assert links == ["/", "/flash", "/login?next=/orders", "/login?next=/me"]
        assert bar.count('aria-current="page"') == 1


def test_members_tabs_go_straight_to_their_pages(member):
    bar = member.get("/flash").get_data(as_text=True).split('<nav class="tabbar"')[1]
    links = re.findall(r'<a href="([^"]+)" class="tab"', bar.split("</nav>")[0])
    assert links == ["/", "/flash", "/orders", "/me"]
