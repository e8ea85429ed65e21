"""The segments page: figures per segment, a segment's CSV, recompute by an operator only."""

import csv
import io
import re
from datetime import timedelta

import pytest

from app.models import AuditEntry, MemberSegment
from app.services.analytics import rfm
from app.services.points import ledger
from app.timeutil import utcnow
from tests import factories


@pytest.fixture
def shoppers(session, make_member):
    """A big recent buyer (loyal), five small old ones (random), a lapsed one, one who never
    bought: eight members."""
    now = utcnow()
    big, small, lapsed, never = (
        make_member(name=n) for n in ("大客户", "小客户", "老客户", "新人")
    )
    for n in range(4):
        factories.buy(session, big, 500_000, now - timedelta(days=n + 1), order_no=f"big{n}")
    factories.buy(session, small, 10_000, now - timedelta(days=200), order_no="small")
    for n in range(4):
        factories.buy(session, make_member(), 20_000, now - timedelta(days=100), order_no=f"f{n}")
    factories.buy(session, lapsed, 80_000, now - timedelta(days=400), order_no="old")
    ledger.credit(session, never.id, "adjustment", 250, "never-1", now=now - timedelta(days=1))
    session.commit()
    return {"big": big, "small": small, "lapsed": lapsed, "never": never}


def _recompute(session):
    rfm.recompute(session, utcnow())
    session.commit()


def test_page_shows_each_segment_and_when_computed(client, session, shoppers, operator):
    page = client.get("/admin/segments").get_data(as_text=True)
    assert "Not computed yet" in page or "尚未计算" in page
    _recompute(session)
    response = client.get("/admin/segments")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    for code in ("loyal", "opportunity", "random", "at_risk", "lapsed", "none"):
        assert f'data-segment="{code}"' in page
        assert f"/admin/segments/{code}.csv" in page
    assert 'data-testid="segments-computed"' in page
    assert '/admin/segments/recompute"' in page  # the operator's button
    assert shoppers["big"].member_no in page  # listed among the loyal members by default
    fragment = client.get("/admin/segments?segment=lapsed", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and shoppers["lapsed"].member_no in body


def test_segment_csv_lists_its_members(client, session, shoppers, operator):
    _recompute(session)
    response = client.get("/admin/segments/loyal.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["member_no"] for r in rows] == [shoppers["big"].member_no]
    assert rows[0]["frequency"] == "4" and rows[0]["monetary_yuan"] == "20000.00"
    assert rows[0]["name"] == "大客户" and rows[0]["segment"] == "loyal"
    none = client.get("/admin/segments/none.csv").get_data(as_text=True).splitlines()
    assert len(none) == 2 and shoppers["never"].member_no in none[1]
    assert client.get("/admin/segments/bogus.csv").status_code == 404


def test_operator_recomputes_on_demand_and_it_is_audited(client, session, shoppers, operator):
    response = client.post("/admin/segments/recompute", data={"csrf_token": operator})
    assert response.status_code == 303 and response.location.endswith("/admin/segments")
    assert session.query(MemberSegment).count() == 8
    entry = session.query(AuditEntry).filter_by(action="segments.recompute").one()
    assert entry.summary == "8 members"
    page = client.get("/admin/segments").get_data(as_text=True)
    assert re.search(r'role="status">[^<]*\b8\b', page)  # "Segments recomputed for 8 members."
    assert client.post("/admin/segments/recompute").status_code == 400  # no CSRF token


def test_finance_reads_and_exports_but_cannot_recompute(client, session, shoppers, finance):
    _recompute(session)
    page = client.get("/admin/segments")
    assert page.status_code == 200
    assert "/admin/segments/recompute" not in page.get_data(as_text=True)
    assert client.get("/admin/segments/random.csv").status_code == 200
    refused = client.post("/admin/segments/recompute", data={"csrf_token": finance})
    assert refused.status_code == 403
    assert session.query(AuditEntry).filter_by(action="segments.recompute").count() == 0


def test_member_page_shows_the_segment(client, session, shoppers, operator):
    big = shoppers["big"]
    before = client.get(f"/admin/members/{big.member_no}").get_data(as_text=True)
    assert 'data-testid="member-segment"' in before
    _recompute(session)
    page = client.get(f"/admin/members/{big.member_no}").get_data(as_text=True)
    assert "/admin/segments?segment=loyal" in page


@pytest.mark.parametrize(
    "query",
    ["segment=%00", "segment=" + "x" * 500, "segment=loyal&sort=<script>&dir=up&page=-3",
     "page=99999999999999999999", "segment=none&page=abc&sort=balance&dir=asc"],
)  # fmt: skip
def test_bad_query_args_never_break_the_page(client, session, shoppers, operator, query):
    _recompute(session)
    assert client.get(f"/admin/segments?{query}").status_code == 200


def test_nightly_job_recomputes(session, shoppers):
    from app.jobs import periods, scheduler
    from app.jobs.registry import JOBS

    now = utcnow()
    run = scheduler.run_period(session, JOBS["rfm"], periods.start_of("daily", now), utcnow)
    assert run.error is None and run.rows == 8
    assert session.query(MemberSegment).filter_by(segment="lapsed").count() == 1
