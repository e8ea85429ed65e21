"""The shared page cache: what it keeps is the same for everyone, and a write is seen at once.

Runs as it is with REDIS_URL set too (each test app has its own key prefix), where the stamp,
the cached catalogue and the stock poll's figure live in Redis.
"""

import gzip
import re
import time

import pytest
from sqlalchemy import event, select, update

from app import cache
from app.extensions import db
from app.models import Gift, Tier
from app.services.mall import redemption
from app.services.mall.redemption import Checkout
from app.services.points import ledger
from app.timeutil import utcnow
from tests import factories
from tests.conftest import FreshClient, csrf_from

HX = {"HX-Request": "true"}
PRIVATE = "private, no-store"


def signed_in(app, session, phone: str, points: int, tier: str = "base"):
    """A new member with `points`, logged in on a client of their own; (client, csrf)."""
    from app.services.accounts import accounts

    member = accounts.create_member(session, phone, "secret123", now=utcnow())
    member.tier = session.scalar(select(Tier).where(Tier.code == tier))
    ledger.credit(session, member.id, "purchase", points, f"seed-{phone}", now=utcnow())
    session.commit()
    app.test_client_class = FreshClient  # no user or token cached between requests
    client = app.test_client()
    client.set_cookie("lang", "en")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"identifier": phone, "password": "secret123", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 303
    return client, csrf_from(client.get("/me").get_data(as_text=True)), member


def card(html: str, gift_id: int) -> str:
    """The gift card of one gift in a page."""
    return html.split(f'data-gift-id="{gift_id}"')[1].split("</li>")[0]


def balance_badge(html: str) -> str:
    """The digits of the header's points badge."""
    return re.search(r'data-testid="points-balance"[^>]*>([\d,]+)<', html).group(1)


@pytest.fixture
def shop(app, session):
    """Gifts that show each member something different, and a live flash event."""
    factories.store(session)
    gifts = {
        "gated": factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"]),
        "limited": factories.gift(session, name="Once", points_price=100, limit_count=1),
        "dear": factories.gift(session, name="Dear", points_price=1_000),
        "low": factories.gift(session, name="Few", points_price=50, stock=4),
    }
    flash = factories.flash(session, utcnow(), stock=10, price=60, limit=1)
    session.commit()
    return gifts, flash


def test_one_members_data_is_never_served_to_another(app, session, shop):
    gifts, flash = shop
    base, _, base_member = signed_in(app, session, "13700000001", 400)
    gold, _, _ = signed_in(app, session, "13700000002", 50_000, tier="gold")
    redemption.redeem(session, base_member.id, gifts["limited"].id, Checkout(request_key="a"),
                      now=utcnow())  # fmt: skip
    redemption.redeem_flash(session, base_member.id, flash.id, now=utcnow())
    session.commit()
    for _ in range(2):  # each in turn, after the other filled every cache
        mine, theirs = base.get("/").get_data(as_text=True), gold.get("/").get_data(as_text=True)
        assert balance_badge(mine) == "240" and balance_badge(theirs) == "50,000"
        assert 'data-testid="gift-locked"' in card(mine, gifts["gated"].id)
        assert 'data-testid="gift-locked"' not in card(theirs, gifts["gated"].id)
        assert "Limit reached" in card(mine, gifts["limited"].id)
        assert "Limit reached" not in card(theirs, gifts["limited"].id)
        assert "760 more points needed" in card(mine, gifts["dear"].id)
        assert "more points needed" not in card(theirs, gifts["dear"].id)
        locked = base.get(f"/gifts/{gifts['gated'].id}").get_data(as_text=True)
        open_ = gold.get(f"/gifts/{gifts['gated'].id}").get_data(as_text=True)
        assert "Only Gold and above can redeem this." in locked and "/redeem" not in locked
        assert f'action="/gifts/{gifts["gated"].id}/redeem"' in open_
        mine, theirs = (
            base.get("/flash").get_data(as_text=True),
            gold.get("/flash").get_data(as_text=True),
        )
        assert "Already redeemed" in mine and "Already redeemed" not in theirs
        assert f'action="/flash/{flash.id}/redeem"' in theirs
        assert base.get("/me").headers["Cache-Control"] == PRIVATE
        assert "ETag" not in gold.get("/").headers


def test_a_catalogue_write_is_seen_at_once_by_every_member(app, session, shop):
    gifts, _ = shop
    first, csrf, _ = signed_in(app, session, "13700000001", 1_000)
    second, _, _ = signed_in(app, session, "13700000002", 1_000)
    assert "Only 4 left" in card(second.get("/").get_data(as_text=True), gifts["low"].id)
    first.post(
        f"/gifts/{gifts['low'].id}/redeem",
        data={"csrf_token": csrf, "qty": 1, "delivery": "pickup", "request_key": "k"},
    )
    assert "Only 3 left" in card(second.get("/").get_data(as_text=True), gifts["low"].id)
    session.execute(update(Gift).where(Gift.id == gifts["dear"].id).values(name="Renamed"))
    session.commit()
    assert "Renamed" in second.get("/").get_data(as_text=True)
    assert "Renamed" in second.get(f"/gifts/{gifts['dear'].id}").get_data(as_text=True)


def test_the_stamp_moves_with_catalogue_commits_only(app, session, shop, make_member):
    gifts, _ = shop
    before = cache.stamp()
    member = make_member()
    ledger.credit(session, member.id, "purchase", 10, "x", now=utcnow())
    session.commit()
    assert cache.stamp() == before  # a ledger write is not a catalogue write
    session.get(Gift, gifts["dear"].id).stock = 7
    session.rollback()
    assert cache.stamp() == before  # nothing was committed
    session.get(Gift, gifts["dear"].id).stock = 7
    session.commit()
    assert cache.stamp() != before


def test_uncommitted_catalogue_rows_are_read_as_they_stand(client, session, shop):
    client.get("/")  # fills the cache
    draft = factories.gift(session, name="Not yet committed")
    assert f'data-gift-id="{draft.id}"' in client.get("/").get_data(as_text=True)
    session.rollback()
    assert "Not yet committed" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_visitors_get_an_etag_and_a_304(client, session, shop, encoding):
    gifts, _ = shop
    headers = {"Accept-Encoding": encoding}
    tags = {}
    for path in ("/", "/?kind=physical", f"/gifts/{gifts['dear'].id}"):
        tags[path] = client.get(path, headers=headers).headers["ETag"]
        again = client.get(path, headers={**headers, "If-None-Match": tags[path]})
        assert again.status_code == 304 and again.get_data() == b"", path
    session.execute(update(Gift).where(Gift.id == gifts["dear"].id).values(points_price=999))
    session.commit()
    changed = client.get("/", headers={**headers, "If-None-Match": tags["/"]})
    body = changed.get_data()
    body = gzip.decompress(body) if encoding == "gzip" else body
    assert changed.status_code == 200 and b"999" in body


def test_a_gift_counting_down_gets_no_etag(client, session):
    soon = factories.gift(session, name="Soon", listed_at=utcnow().replace(year=2099))
    session.commit()
    assert "ETag" not in client.get(f"/gifts/{soon.id}").headers


def test_the_stock_poll_is_at_most_a_second_old(app, client, session, shop, monkeypatch):
    _, flash = shop
    url = f"/flash/{flash.id}/stock"
    assert 'data-testid="flash-stock">10<' in client.get(url, headers=HX).get_data(as_text=True)
    flash.stock = 9
    session.commit()
    cached = client.get(url, headers=HX).get_data(as_text=True)
    assert 'data-testid="flash-stock">10<' in cached  # served from the cache …
    client_redis = cache.redis_client()
    if client_redis is not None:  # … which Redis drops within a second
        key = cache.key(f"brief:flash-stock:{flash.id}")
        assert 0 < client_redis.pttl(key) <= 1000
        client_redis.delete(key)
    else:  # … or the process, a second later
        later = time.monotonic() + 1.01
        monkeypatch.setattr(cache.time, "monotonic", lambda: later)
    fresh = client.get(url, headers=HX).get_data(as_text=True)
    assert 'data-testid="flash-stock">9<' in fresh


@pytest.mark.parametrize("stock", [0, 5], ids=["sold out", "limit reached"])
def test_a_flash_loser_takes_no_lock_and_writes_only_its_tally(app, session, stock):
    factories.store(session)
    event_ = factories.flash(session, utcnow(), stock=stock, price=60, limit=1)
    session.commit()
    member, csrf, member_row = signed_in(app, session, "13700000003", 1_000)
    if stock:
        redemption.redeem_flash(session, member_row.id, event_.id, now=utcnow())
        session.commit()
    url = f"/flash/{event_.id}/redeem"
    session.commit()  # the request begins its own transaction, as in a server
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = member.post(url, headers={**HX, "X-CSRFToken": csrf})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 409
    writes = [s for s in sent if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert all("rate_counters" in s for s in writes), writes  # the console's refusal tally only
    if cache.redis_client() is not None:
        assert writes == []  # the tally is a Redis INCR
    decided = sent[: sent.index(writes[0])] if writes else sent
    if decided and decided[-1].strip() == "BEGIN IMMEDIATE":
        decided = decided[:-1]  # the tally's own short transaction
    assert not any("FOR UPDATE" in s or s.strip() == "BEGIN IMMEDIATE" for s in decided), decided


@pytest.mark.postgres
def test_losers_decided_before_the_lock_still_leave_exactly_the_stock(app, session, make_member):
    """The one-tap path (a check without locks, then the locked redemption) under a burst."""
    from functools import partial

    from app.models import FlashEvent, Member, Order
    from app.services.mall import flash_gate
    from app.services.points.audit import audit
    from tests.concurrency import race

    factories.store(session)
    now = utcnow()
    event_id = factories.flash(session, now, stock=10, price=100).id
    member_ids = [make_member().id for _ in range(100)]
    for member_id in member_ids:
        ledger.credit(session, member_id, "purchase", 500, f"seed{member_id}", now=now)
    session.commit()

    def tap(member_id: int) -> None:
        flash_gate.check(db.session, db.session.get(Member, member_id), event_id, now=now)
        db.session.commit()  # the reads end; the redemption locks in a transaction of its own
        redemption.redeem_flash(db.session, member_id, event_id, now=now)

    outcomes = race(app, [partial(tap, m) for m in member_ids])
    assert outcomes.count("ok") == 10 and set(outcomes) == {"ok", "sold_out"}
    session.expire_all()
    assert session.get(FlashEvent, event_id).stock == 0
    orders = session.scalars(select(Order).where(Order.flash_event_id == event_id)).all()
    assert len(orders) == 10 and audit(session) == []
