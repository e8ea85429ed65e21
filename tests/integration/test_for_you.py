"""'For you' end to end: the co-redemption recompute, reasons on the home, the shelf links and
their tracking (impression, click, redemption), the job's flush and the console's figures."""

import re
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import select

from app.jobs.registry import JOBS
from app.models import GiftPair, GiftPopularity, MemberSegment, Order, ShelfDaily, Tier
from app.services.analytics import pairs, shelf_stats
from app.services.mall import recommend
from app.services.points import ledger
from app.timeutil import local_date, utcnow
from tests import factories
from tests.integration.test_page_cache import signed_in

NUMBERS = count(1)


def order(session, member, gift, status="to_pickup", days_ago=1):
    """A redemption row as the mall leaves it (only what the recompute reads matters)."""
    n = next(NUMBERS)
    session.add(
        Order(order_no=f"FY{n:06d}", request_key=f"fy-{n}", member_id=member.id, gift_id=gift.id,
              qty=1, points=gift.points_price, delivery="pickup", status=status,
              created_at=utcnow() - timedelta(days=days_ago))
    )  # fmt: skip
    session.flush()


@pytest.fixture
def history(session, make_member):
    """Four gifts; members who redeemed serum mostly also took the mask, a cancelled order and
    one from two years ago that must not count."""
    g = {k: factories.gift(session, name=k.title(), points_price=100) for k in ("serum", "mask")}
    g["lipstick"] = factories.gift(session, name="Lipstick", points_price=200)
    g["toner"] = factories.gift(session, name="Toner", points_price=150)
    gold = session.scalar(select(Tier).where(Tier.code == "gold"))
    a, b, c, d = (make_member() for _ in range(4))
    c.tier = d.tier = gold
    for m in (a, b, c):
        order(session, m, g["serum"])
        order(session, m, g["mask"])
    order(session, c, g["lipstick"])
    order(session, d, g["lipstick"])
    order(session, a, g["toner"], status="cancelled")  # undone: not a choice kept
    order(session, b, g["toner"], days_ago=800)  # outside the 12 months
    session.add(MemberSegment(member_id=c.id, segment="loyal", computed_at=utcnow()))
    session.add(MemberSegment(member_id=d.id, segment="loyal", computed_at=utcnow()))
    session.commit()
    return g, (a, b, c, d)


def _tables(session) -> tuple:
    got_pairs = {(p.gift_id, p.other_id): p.members for p in session.scalars(select(GiftPair))}
    got_pop = {
        (p.scope, p.code, p.gift_id): p.members for p in session.scalars(select(GiftPopularity))
    }
    return got_pairs, got_pop


def test_recompute_counts_members_who_redeemed_both_and_is_idempotent(session, history):
    g, _ = history
    pairs.recompute(session, utcnow())
    session.commit()
    first = _tables(session)
    s, m, lip = g["serum"].id, g["mask"].id, g["lipstick"].id
    assert first[0] == {(s, m): 3, (m, s): 3, (s, lip): 1, (lip, s): 1, (m, lip): 1, (lip, m): 1}
    assert first[1] == {
        ("tier", "base", s): 2, ("tier", "base", m): 2,
        ("tier", "gold", s): 1, ("tier", "gold", m): 1, ("tier", "gold", lip): 2,
        ("segment", "loyal", s): 1, ("segment", "loyal", m): 1, ("segment", "loyal", lip): 2,
    }  # fmt: skip
    job = JOBS["gift-pairs"]
    list(job.run(session, utcnow().replace(hour=0), utcnow()))  # the nightly job, again
    session.commit()
    assert _tables(session) == first


def test_recommend_reads_its_signals_in_one_statement(session, history, make_member):
    from tests.integration.test_query_budgets import counting

    g, _ = history
    pairs.recompute(session, utcnow())
    fresh = make_member()
    ledger.credit(session, fresh.id, "purchase", 1_000, "fy", now=utcnow())
    order(session, fresh, g["serum"])
    session.commit()
    recommend.recommend(session, fresh, utcnow())  # the catalogue is built once
    with counting() as sent:
        picks = recommend.recommend(session, fresh, utcnow())
    assert sum("gift_pairs" in s for s in sent) == 1 and len(sent) <= 3  # balance, usage, signals
    by_id = {p.gift.id: p for p in picks}
    assert (
        by_id[g["mask"].id].reason == "also_chose" and by_id[g["mask"].id].because == g["serum"].id
    )
    assert picks[0].gift.id == g["mask"].id


def test_the_homes_one_statement_reads_what_the_separate_ones_do(session, history):
    """member_home.read (one UNION ALL) against usage, balances, the hero's figures and the
    signals read each by its own statement, for members with pairs, a segment and none."""
    from app.services.mall import catalog, member_home
    from app.services.points import balances, earning, member_center

    g, members = history
    pairs.recompute(session, utcnow())
    now = utcnow()
    for m in members:
        ledger.credit(session, m.id, "purchase", 700, f"fy-{m.id}", now=now - timedelta(days=2))
    earning.sign_in(session, members[2].id, now)
    session.commit()
    for m in members:
        bits = member_home.read(session, m, now)
        alone = catalog.viewer(session, m, now)
        assert bits.viewer.used == alone.used and bits.viewer.balance == alone.balance
        assert balances.summary(session, m.id, now) == balances.current(session, m.id, now)
        assert bits.figures == member_center._figures(session, m.id, now)
        assert bits.signals == recommend.signals(session, alone), m.id
    loyal = member_home.read(session, members[2], now)
    assert loyal.signals.segment == "loyal" and loyal.signals.in_segment and loyal.signals.pairs
    assert loyal.figures[2] is not None  # signed in today: the streak came through


@pytest.fixture
def shop(app, session, history, make_member):
    """The history above and a cream two Gold members took, recomputed; a Gold member signed
    in with 1,000 points who has redeemed the serum."""
    g, _ = history
    factories.store(session)
    g["cream"] = factories.gift(session, name="Cream", points_price=120)
    gold = session.scalar(select(Tier).where(Tier.code == "gold"))
    for _ in range(2):
        order(session, make_member(tier=gold), g["cream"])
    client, csrf, member = signed_in(app, session, "13911110000", 1_000, tier="gold")
    order(session, member, g["serum"])
    pairs.recompute(session, utcnow())
    session.commit()
    return client, csrf, member, g


def _for_you(html: str) -> str:
    return html.split('data-testid="for-you"')[1].split("</ul>")[0]


def test_each_card_says_why_and_links_with_its_shelf(shop):
    client, _, _, g = shop
    html = client.get("/").get_data(as_text=True)
    shelf = _for_you(html)
    reasons = re.findall(r'data-testid="for-you-reason">([^<]+)<', shelf)
    assert reasons[0] == "Members who redeemed Serum also chose this"  # the mask
    assert reasons[1] == "Members who redeemed Serum also chose this"  # the lipstick
    assert reasons[2] == "Popular with Gold members"  # the cream
    assert f'href="/gifts/{g["mask"].id}?via=for_you"' in shelf
    rest = html.split('data-testid="for-you"')[1].split("</section>", 1)[1]
    assert f"/gifts/{g['toner'].id}?via=shelf" in rest and "via=for_you" not in rest


def test_one_members_picks_are_never_shown_to_another(app, session, shop):
    client, _, _, g = shop
    other, _, _ = signed_in(app, session, "13911112222", 1_000, tier="gold")
    mine = _for_you(client.get("/").get_data(as_text=True))
    theirs = _for_you(other.get("/").get_data(as_text=True))
    assert "Members who redeemed Serum" in mine and "Members who redeemed" not in theirs


def test_impressions_clicks_and_redemptions_reach_the_daily_table(app, session, shop):
    client, csrf, _, g = shop
    client.get("/")
    client.get("/")
    page = client.get(f"/gifts/{g['mask'].id}?via=for_you").get_data(as_text=True)
    assert 'name="via" value="for_you"' in page  # carried through the redeem form
    client.get(f"/gifts/{g['toner'].id}?via=shelf")
    client.get(f"/gifts/{g['toner'].id}?via=elsewhere")  # not a shelf: not counted
    form = {"qty": 1, "delivery": "pickup", "request_key": "fy-r1", "via": "for_you",
            "csrf_token": csrf}  # fmt: skip
    assert client.post(f"/gifts/{g['mask'].id}/redeem", data=form).status_code == 303
    list(JOBS["shelf-stats"].run(session, utcnow(), utcnow()))
    session.commit()
    rows = {
        r.via: (r.impressions, r.clicks, r.redemptions) for r in session.scalars(select(ShelfDaily))
    }
    # two homes: 'for you' shown twice; one plain shelf (the care shelf) each time
    assert rows == {"for_you": (2, 1, 1), "shelf": (2, 1, 0)}
    assert all(r.day == local_date(utcnow()) for r in session.scalars(select(ShelfDaily)))
    list(JOBS["shelf-stats"].run(session, utcnow(), utcnow()))  # again: nothing doubles
    session.commit()
    again = {
        r.via: (r.impressions, r.clicks, r.redemptions) for r in session.scalars(select(ShelfDaily))
    }
    assert again == rows


def test_a_home_page_view_sends_no_statement_to_count(session, shop):
    from tests.integration.test_query_budgets import counting

    client = shop[0]
    client.get("/")
    session.commit()
    with counting() as sent:
        client.get("/")
    assert not any("shelf_daily" in s for s in sent)


def test_console_shows_the_rates_for_a_hand_computed_fixture(client, session, operator):
    today = local_date(utcnow())
    for day, via, figures in (
        (today, "for_you", (200, 30, 6)),
        (today - timedelta(days=29), "for_you", (200, 10, 2)),  # the window's first day
        (today - timedelta(days=30), "for_you", (9_000, 9_000, 9_000)),  # outside
        (today - timedelta(days=3), "shelf", (1_000, 50, 0)),
    ):
        imp, clicks, red = figures
        session.add(ShelfDaily(day=day, via=via, impressions=imp, clicks=clicks, redemptions=red))
    session.add(
        ShelfDaily(day=date(2020, 1, 1), via="shelf", impressions=1, clicks=1, redemptions=1)
    )
    session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/admin/segments").get_data(as_text=True)
    # for you: 40 clicks / 400 impressions = 10.0 %, 8 / 40 = 20.0 %; shelves: 5.0 %, 0 / 50
    assert re.search(r'data-testid="ctr-for_you">10\.0 %<', page)
    assert re.search(r'data-testid="redemption-rate-for_you">20\.0 %<', page)
    assert re.search(r'data-testid="ctr-shelf">5\.0 %<', page)
    assert re.search(r'data-testid="redemption-rate-shelf">0\.0 %<', page)
    assert "Click-through rate = clicks ÷ impressions" in page


def test_rates_without_a_denominator_show_a_dash(session):
    figures = shelf_stats.Figures("shelf", 0, 0, 0)
    assert figures.click_through is None and figures.redemption_rate is None
    assert shelf_stats.Figures("for_you", 3, 1, 0).click_through == 333  # 33.3 %


def _daily(session) -> dict:
    """The daily rows by kind, in a transaction that ends at once (the flush takes the lock)."""
    session.expire_all()
    rows = session.scalars(select(ShelfDaily))
    found = {r.via: (r.impressions, r.clicks, r.redemptions) for r in rows}
    session.commit()
    return found


def test_with_redis_counts_are_one_hash_and_the_job_copies_them_once(app, session):
    before = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = before or "redis://127.0.0.1:6379/8"  # this suite's own Redis db
    try:
        now = utcnow()
        for metric, n in (("impressions", 5), ("clicks", 2), ("redemptions", 1)):
            shelf_stats.count("for_you", metric, now, n)
        shelf_stats.count("shelf", "impressions", now, 7)
        assert shelf_stats._tally()["counts"] == {}  # nothing kept in the process
        for _ in range(2):  # a re-run, or a second scheduler: the larger figure is kept
            list(JOBS["shelf-stats"].run(session, now, now))
            session.commit()
            assert _daily(session) == {"for_you": (5, 2, 1), "shelf": (7, 0, 0)}
        shelf_stats.count("for_you", "clicks", now)
        list(JOBS["shelf-stats"].run(session, now, now))
        session.commit()
        assert _daily(session)["for_you"] == (5, 3, 1)
    finally:
        app.config["REDIS_URL"] = before


def test_without_redis_the_process_writes_its_tally_out_itself(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    now = utcnow()
    shelf_stats.count("for_you", "impressions", now, 3)
    shelf_stats.count("shelf", "clicks", now)
    shelf_stats.count("for_you", "views", now)  # not a metric: ignored
    session.commit()
    shelf_stats._flush_later(app, 0)  # what the timer thread runs a minute after the first count
    assert _daily(session) == {"for_you": (3, 0, 0), "shelf": (0, 1, 0)}
    assert shelf_stats._tally()["counts"] == {}
    shelf_stats.count("for_you", "impressions", now)
    shelf_stats._flush_later(app, 0)
    assert _daily(session)["for_you"] == (4, 0, 0)  # added to the day's row
