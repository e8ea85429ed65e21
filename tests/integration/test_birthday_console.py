"""The console's birthday reward: points or a coupon/virtual gift, checked and audited; the
member's task centre names the gift."""

import pytest
from sqlalchemy import select

from app.models import AuditEntry, TaskRule
from tests import factories


@pytest.fixture(autouse=True)
def english(client):
    """English pages."""
    client.set_cookie("lang", "en")


def form(token: str, gift_id: str) -> dict:
    return {"csrf_token": token, "birthday-points": "100", "birthday-monthly_max": "0",
            "birthday-enabled": "y", "birthday-gift_id": gift_id}  # fmt: skip


def test_operators_give_a_coupon_for_birthdays_and_bad_choices_write_nothing(
    client, session, operator
):
    coupon = factories.gift(session, kind="coupon", name="Birthday coupon", stock=3)
    serum = factories.gift(session, kind="physical", name="Serum")
    session.commit()
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert f'<option value="{coupon.id}">{coupon.id} · Birthday coupon</option>' in page
    choices = page.split('name="birthday-gift_id"')[1].split("</select>")[0]
    assert f'value="{serum.id}"' not in choices
    refused = client.post("/admin/tasks/birthday", data=form(operator, str(serum.id)))
    assert refused.status_code == 422
    assert 'data-testid="form-error"' in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(TaskRule, "birthday").gift_id is None
    saved = client.post("/admin/tasks/birthday", data=form(operator, str(coupon.id)))
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(TaskRule, "birthday").gift_id == coupon.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "task.update"))
    assert entry.after["gift_id"] == coupon.id
    again = client.get("/admin/tasks").get_data(as_text=True)
    assert f'<option selected value="{coupon.id}">' in again
    assert client.post("/admin/tasks/birthday", data=form(operator, "")).status_code == 303
    session.expire_all()
    assert session.get(TaskRule, "birthday").gift_id is None


def test_the_task_centre_names_the_birthday_gift(client, session, member_user, login_as):
    coupon = factories.gift(session, kind="coupon", name="Birthday coupon", stock=3)
    session.get(TaskRule, "birthday").gift_id = coupon.id
    session.commit()
    login_as("13700009999")
    page = client.get("/me/tasks").get_data(as_text=True)
    assert "Birthday coupon arrives in your wallet in your birthday month" in page
