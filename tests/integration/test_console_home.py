"""The home arrangement in the console: the member home follows every change at once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, HomeSection, Shelf
from app.services.mall import storefront
from app.timeutil import brand_tz, utcnow
from tests import factories


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English pages (zh_Hans is the default)."""
    client.set_cookie("lang", "en")


HX = {"HX-Request": "true"}


@pytest.fixture
def arranged(session):
    """A banner, the flash strip, and two shelves with a gift each, in that order."""
    factories.gift(session, name="Serum")  # shelf "care"
    lips = Shelf(code="lips", name="彩妆", sort=2)
    session.add(lips)
    session.flush()
    factories.gift(session, name="Lipstick", shelf=lips)
    care = session.scalar(select(Shelf).where(Shelf.code == "care"))
    sections = {
        "banner": HomeSection(kind="banner", sort=0, title="冬日焕颜季", image="img/banner.svg",
                              link="/gifts/1"),
        "flash": HomeSection(kind="flash", sort=1, title="限时兑换"),
        "care": HomeSection(kind="shelf", sort=2, shelf_id=care.id),
        "lips": HomeSection(kind="shelf", sort=3, shelf_id=lips.id),
    }  # fmt: skip
    session.add_all(sections.values())
    factories.flash(session, utcnow(), name="Flash gift")  # so the strip has something to show
    session.commit()
    return sections


def order(session, member=None, now=None) -> list[str]:
    """The member home's sections as kind[:shelf code]."""
    session.expire_all()
    found = storefront.home(session, member, now or utcnow())
    return [s.kind + (f":{s.shelf.code}" if s.shelf else "") for s in found]


def test_reordering_changes_the_member_home_at_once(client, session, operator, arranged):
    assert order(session) == ["banner", "flash", "shelf:care", "shelf:lips"]
    lips = arranged["lips"].id
    data = {"csrf_token": operator, "direction": "up"}
    assert client.post(f"/admin/home/{lips}/move", data=data).status_code == 303
    assert order(session) == ["banner", "flash", "shelf:lips", "shelf:care"]
    up = client.post(f"/admin/home/{lips}/move", data=data, headers=HX)
    body = up.get_data(as_text=True)
    assert up.status_code == 200 and "<html" not in body and 'id="layout-sections"' in body
    assert "HX-Request" in up.headers["Vary"]
    assert order(session) == ["banner", "shelf:lips", "flash", "shelf:care"]
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "layout.reorder").order_by(AuditEntry.id)
    )
    assert entry.before["order"] != entry.after["order"]
    banner = arranged["banner"].id
    top = client.post(f"/admin/home/{banner}/move", data=data)
    assert top.status_code == 422 and 'data-testid="form-error"' in top.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert home.index("彩妆") < home.index("限时兑换")  # the page itself, not only the service


def test_hiding_takes_a_section_off_and_showing_puts_it_back(client, session, operator, arranged):
    care = arranged["care"].id
    hide = {"csrf_token": operator, "visible": "0"}
    assert client.post(f"/admin/home/{care}/visibility", data=hide).status_code == 303
    assert order(session) == ["banner", "flash", "shelf:lips"]  # not moved to the end either
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "layout.visibility"))
    show = {"csrf_token": operator, "visible": "1"}
    assert client.post(f"/admin/home/{care}/visibility", data=show).status_code == 303
    assert order(session) == ["banner", "flash", "shelf:care", "shelf:lips"]
    banner = arranged["banner"].id
    client.post(f"/admin/home/{banner}/visibility", data=hide)
    assert "冬日焕颜季" not in client.get("/").get_data(as_text=True)


def test_adding_and_removing_sections(client, session, operator, arranged):
    data = {"csrf_token": operator, "kind": "for_you", "shelf_id": "0"}
    assert client.post("/admin/home/sections", data=data).status_code == 303
    again = client.post("/admin/home/sections", data=data)
    assert again.status_code == 422 and "already on the home" in again.get_data(as_text=True)
    flash_again = client.post("/admin/home/sections", data={**data, "kind": "flash"})
    assert flash_again.status_code == 422
    no_shelf = client.post("/admin/home/sections", data={**data, "kind": "shelf"})
    assert no_shelf.status_code == 422 and "Choose the shelf" in no_shelf.get_data(as_text=True)
    bogus = client.post("/admin/home/sections", data={**data, "kind": "carousel"})
    assert bogus.status_code == 422
    before = session.scalar(select(func.count(HomeSection.id)))
    assert client.post("/admin/home/sections", data={**data, "kind": "banner"}).status_code == 303
    new = session.scalar(select(HomeSection).order_by(HomeSection.id.desc()))
    assert new.kind == "banner" and not new.visible  # hidden until it has been edited
    assert session.scalar(select(func.count(HomeSection.id))) == before + 1
    remove = client.post(
        f"/admin/home/{arranged['flash'].id}/remove", data={"csrf_token": operator}
    )
    assert remove.status_code == 303
    assert "flash" not in order(session)
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"layout.add", "layout.remove"} <= actions


@pytest.mark.parametrize(
    "link", ["https://evil.example/x", "//evil.example", "javascript:alert(1)", "gifts/1", "/a b"]
)
def test_a_banner_link_must_be_a_local_path(client, session, operator, arranged, link):
    banner = arranged["banner"]
    data = {"csrf_token": operator, "title": "新标题", "image": "img/banner.svg", "link": link}
    response = client.post(f"/admin/home/{banner.id}", data=data)
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(HomeSection, banner.id).title == "冬日焕颜季"
    assert not session.scalar(select(AuditEntry.id).where(AuditEntry.action == "layout.section"))


def test_a_banner_edit_with_a_window(client, session, operator, arranged):
    banner = arranged["banner"]
    now = utcnow()
    start = (now + timedelta(days=1)).astimezone(brand_tz())
    data = {
        "csrf_token": operator,
        "title": "双十二",
        "title_en": "Double twelve",
        "image": "img/gifts/jar.svg",
        "link": "/flash",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = client.post(f"/admin/home/{banner.id}", data={**data, "image": "../../etc/passwd"})
    assert bad.status_code == 422
    backwards = {**data, "ends_at": data["starts_at"]}
    assert client.post(f"/admin/home/{banner.id}", data=backwards).status_code == 422
    assert client.post(f"/admin/home/{banner.id}", data=data).status_code == 303
    session.expire_all()
    saved = session.get(HomeSection, banner.id)
    assert (saved.title, saved.titles, saved.image, saved.link) == (
        "双十二", {"en": "Double twelve"}, "img/gifts/jar.svg", "/flash",
    )  # fmt: skip
    assert "banner" not in order(session, now=now)  # before its window
    assert order(session, now=now + timedelta(days=2))[0] == "banner"
    assert "banner" not in order(session, now=now + timedelta(days=4))  # after it
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "layout.section"))
    assert entry.before["title"] == "冬日焕颜季" and entry.after["link"] == "/flash"
    page = client.get(f"/admin/home/{banner.id}").get_data(as_text=True)
    assert 'value="双十二"' in page
    assert client.get(f"/admin/home/{arranged['flash'].id}").status_code == 404  # not a banner


def test_for_you_goes_where_the_operator_puts_it(session, arranged, make_member):
    member = make_member()
    factories.gift(session, name="Free sample", points_price=1)
    from app.services.points import ledger

    ledger.credit(session, member.id, "purchase", 500, "seed", now=utcnow())
    session.commit()
    assert order(session, member)[0] == "for_you"  # not placed: it leads, as it always has
    session.add(HomeSection(kind="for_you", sort=9))
    session.commit()
    assert order(session, member)[-3:] == ["shelf:care", "shelf:lips", "for_you"]
    slot = [s for s in storefront.home(session, None, utcnow()) if s.kind == "for_you"]
    assert slot[0].cards == []  # visitors get the slot, empty: the page shows nothing there


def test_the_preview_shows_the_home_read_only(client, session, operator, arranged):
    page = client.get("/admin/home/preview").get_data(as_text=True)
    preview = page.split('data-testid="home-preview"')[1]
    assert "冬日焕颜季" in preview and "限时兑换" in preview
    assert 'method="post"' not in preview
    future = (utcnow() + timedelta(days=30)).astimezone(brand_tz()).strftime("%Y-%m-%dT%H:%M")
    assert client.get(f"/admin/home/preview?at={future}").status_code == 200
    assert client.get("/admin/home/preview?at=garbage").status_code == 200


def test_the_layout_page_lists_sections_in_order(client, operator, arranged):
    page = client.get("/admin/home").get_data(as_text=True)
    assert page.count('data-testid="layout-section"') == 4
    assert page.index('data-kind="banner"') < page.index('data-kind="flash"')
    assert 'aria-current="page"' in page and "Home layout" in page


def test_finance_sees_the_layout_and_changes_nothing(client, session, login_as, arranged):
    factories.staff(session, "finance", "F0001")
    session.commit()
    csrf = login_as("F0001")
    page = client.get("/admin/home").get_data(as_text=True)
    assert "Move up" not in page and "Add a section" not in page
    lips = arranged["lips"].id
    data = {"csrf_token": csrf, "direction": "up"}
    assert client.post(f"/admin/home/{lips}/move", data=data).status_code == 403
    assert order(session) == ["banner", "flash", "shelf:care", "shelf:lips"]


def test_a_banner_can_reuse_an_uploaded_gift_photo(client, session, operator, arranged):
    factories.gift(session, name="Photo gift", photo="ab" * 12)
    session.commit()
    banner = arranged["banner"]
    photo = f"/media/gifts/{'ab' * 12}-800.webp"
    page = client.get(f"/admin/home/{banner.id}").get_data(as_text=True)
    assert f'value="{photo}"' in page and "Photo gift" in page
    data = {"csrf_token": operator, "title": "新品", "image": photo, "link": "/"}
    made_up = {**data, "image": f"/media/gifts/{'cd' * 12}-800.webp"}
    assert client.post(f"/admin/home/{banner.id}", data=made_up).status_code == 422
    assert client.post(f"/admin/home/{banner.id}", data=data).status_code == 303
    session.expire_all()
    assert session.get(HomeSection, banner.id).image == photo
    assert f'src="{photo}"' in client.get("/").get_data(as_text=True)
