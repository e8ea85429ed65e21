"""The gift console's services called directly: checks, stock movements, code files, images,
the library, duplicates and the read-only preview."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.demo import gift_library
from app.models import AuditEntry, Gift, GiftCode, GiftTemplate, Member, StockMovement
from app.services.console import codes, gifts, images, library, preview, stock
from app.services.console.gift_errors import GiftError
from tests import factories


@pytest.fixture
def actor(session):
    """An operator."""
    return factories.staff(session, "operator", "admin")


@pytest.fixture
def item(session):
    """A physical gift with stock 10."""
    return factories.gift(session, name="Serum", stock=10)


def valid(**changes) -> gifts.GiftInput:
    """A gift input every check accepts."""
    values = {"name": "Serum", "kind": "physical", "points_price": 100, "stock": 5}
    values.update(changes)
    return gifts.GiftInput(**values)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": " "}, "name"),
        ({"kind": "cake"}, "kind"),
        ({"points_price": 0}, "points"),
        ({"points_price": 10**9}, "points"),
        ({"cash_fen": -1}, "money"),
        ({"cost_fen": 10**10}, "money"),
        ({"stock": -1}, "stock"),
        ({"limit_count": 0, "limit_period": "day"}, "limit_count"),
        ({"limit_count": 2, "limit_period": None}, "limit_period"),
        ({"limit_count": 2, "limit_period": "year"}, "limit_period"),
        ({"per_order_max": 0}, "per_order_max"),
        ({"badges": ("shiny",)}, "badges"),
        ({"image": "../../etc"}, "badges"),
        ({"shelf_id": 999}, "shelf"),
        ({"tier_codes": ("gold", "platinum")}, "tiers"),
    ],
)
def test_check_refuses_what_no_gift_may_hold(session, item, changes, code):
    with pytest.raises(GiftError) as raised:
        gifts.check(session, valid(**changes))
    assert raised.value.code == code


def test_the_listing_window_must_end_after_it_starts(session, item, now):
    with pytest.raises(GiftError, match="window"):
        gifts.check(session, valid(listed_at=now, delisted_at=now))
    with pytest.raises(GiftError, match="window"):  # created already ended
        gifts.check(session, valid(delisted_at=now - timedelta(minutes=1)), now=now)
    gifts.check(session, valid(delisted_at=now - timedelta(minutes=1)))  # an edit may delist
    tiers = gifts.check(session, valid(tier_codes=("diamond", "silver")))
    assert tiers == ["silver", "diamond"]  # in ladder order


def test_create_records_the_opening_stock_as_a_movement(session, item, actor, now):
    gift = gifts.create(session, actor, valid(stock=7, tier_codes=("gold",)), now=now)
    assert (gift.stock, gift.tier_codes, gift.shelf_id) == (7, ["gold"], item.shelf_id)
    movement = session.scalar(select(StockMovement).where(StockMovement.gift_id == gift.id))
    assert (movement.delta, movement.stock_after, movement.actor_id) == (7, 7, actor.id)
    assert session.scalar(select(func.count(AuditEntry.id))) == 2


@pytest.mark.parametrize(
    ("delta", "after"), [(5, 15), (-10, 0), (-3, 7)]
)  # fmt: skip
def test_stock_movements(session, item, actor, now, delta, after):
    movement = stock.move(session, actor, item.id, delta, "stocktake", now=now)
    session.refresh(item)
    assert item.stock == after == movement.stock_after


@pytest.mark.parametrize(
    ("delta", "reason", "code"),
    [
        (-11, "stocktake", "stock_below_zero"),
        (0, "stocktake", "stock_delta"),
        (2_000_000, "stocktake", "stock_delta"),
        (5, "   ", "stock_reason"),
    ],
)
def test_refused_stock_movements_change_nothing(session, item, actor, now, delta, reason, code):
    with pytest.raises(GiftError) as raised:
        stock.move(session, actor, item.id, delta, reason, now=now)
    assert raised.value.code == code
    session.refresh(item)
    assert item.stock == 10 and session.scalar(select(func.count(StockMovement.id))) == 0


def test_the_below_zero_guard_is_in_the_update_itself(session, item, actor, now):
    """A write-off decided on a stale read still cannot take the stock below 0."""
    session.execute(Gift.__table__.update().values(stock=2))  # a sale behind the ORM's back
    with pytest.raises(GiftError, match="stock_below_zero") as raised:
        stock.record(session, actor, item, -5, "stocktake", now=now)
    assert raised.value.detail["stock"] == 2


def test_stock_cannot_overflow_the_column(session, item, actor, now):
    session.execute(Gift.__table__.update().values(stock=2**31 - 10))
    with pytest.raises(GiftError, match="stock_overflow"):
        stock.record(session, actor, item, 10, "delivery", now=now)
    assert stock.record(session, actor, item, 9, "delivery", now=now).stock_after == 2**31 - 1


def test_parse_reports_blank_lines_repeats_and_malformed_codes():
    parsed = codes.parse("code\nA1\n\nA2;x\nA1\n  \nB 2\n\ufeffC3,extra\n".encode())
    assert parsed.codes == ["A1"]
    assert parsed.blank_lines == [3, 6]
    assert parsed.duplicates == [(5, "A1")]
    assert [line for line, _ in parsed.invalid] == [4, 7, 8]
    bom = codes.parse("\ufeffA1\r\nA2\r\n".encode())
    assert bom.codes == ["A1", "A2"] and not bom.blank_lines
    with pytest.raises(GiftError, match="codes_encoding"):
        codes.parse(b"\xff\xfeA\x001\x00")


def test_a_code_import_is_all_or_nothing(session, actor, now):
    coupon = factories.gift(session, name="Voucher", kind="coupon", stock=1)  # CODE-<id>-0
    session.commit()
    for data, code in [
        (b"N1\nN2\nN1\n", "codes_repeated"),
        (f"N1\nCODE-{coupon.id}-0\n".encode(), "codes_exist"),
        (b"N1\n<script>\n", "codes_invalid"),
        (b"\n", "codes_empty"),
    ]:
        with pytest.raises(GiftError) as raised:
            codes.import_codes(session, actor, coupon.id, data, now=now)
        assert raised.value.code == code
        session.rollback()
    assert codes.free(session, coupon.id) == 1
    done = codes.import_codes(session, actor, coupon.id, b"N1\nN2\n", now=now)
    assert (done.count, done.free) == (2, 3)
    session.refresh(coupon)
    assert coupon.stock == 3
    assert session.scalar(select(func.count(GiftCode.id))) == 3


def test_codes_only_for_coupons_and_virtual_goods(session, item, actor, now):
    with pytest.raises(GiftError, match="codes_kind"):
        codes.import_codes(session, actor, item.id, b"A1\n", now=now)


def encoded(size=(1000, 500), fmt="PNG", mode="RGB") -> bytes:
    """An image file in memory."""
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (10, 200, 30, 128)[: len(mode)]).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_images_are_decoded_and_converted_to_two_webp_sizes(fmt, tmp_path):
    prepared = images.prepare(encoded(fmt=fmt), max_bytes=5 * 1024 * 1024)
    sizes = {}
    for side, body in prepared.files.items():
        with Image.open(io.BytesIO(body)) as out:
            sizes[side] = (out.format, out.size)
    assert sizes == {800: ("WEBP", (800, 400)), 320: ("WEBP", (320, 160))}
    images.store(str(tmp_path), prepared)
    images.store(str(tmp_path), prepared)  # the same content again: nothing changes
    assert sorted(p.name for p in (tmp_path / "gifts").iterdir()) == [
        f"{prepared.digest}-320.webp", f"{prepared.digest}-800.webp",
    ]  # fmt: skip
    assert images.FILE_RE.fullmatch(f"{prepared.digest}-800.webp")


def test_small_and_transparent_images_keep_their_size_and_alpha():
    prepared = images.prepare(encoded((200, 100), mode="RGBA"), max_bytes=10**6)
    with Image.open(io.BytesIO(prepared.files[800])) as out:
        assert out.size == (200, 100) and out.mode == "RGBA"


def bad_crc_png() -> bytes:
    """A PNG whose pixel chunk fails its checksum: it loads, but `verify` refuses it."""
    data = encoded((64, 64))
    at = data.index(b"IDAT")
    crc = at + 4 + int.from_bytes(data[at - 4 : at], "big")
    return data[:crc] + bytes([data[crc] ^ 0xFF]) + data[crc + 1 :]


def truncated_jpeg() -> bytes:
    """A JPEG cut in half: `verify` passes (it only reads the header), decoding fails."""
    out = io.BytesIO()
    Image.effect_noise((256, 256), 50).convert("RGB").save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (bad_crc_png(), "image_invalid"),
        (truncated_jpeg(), "image_invalid"),
        (b"", "image_invalid"),
        (b"not an image", "image_invalid"),
        (b"GIF89a" + b"\0" * 100, "image_invalid"),
        (encoded(fmt="GIF"), "image_invalid"),  # a real image, but not an accepted format
        (encoded(fmt="BMP"), "image_invalid"),
        (encoded()[:-40], "image_invalid"),  # truncated
        (encoded((9000, 5000), mode="L"), "image_pixels"),  # 45 MP: over the cap
        (b"x" * 101, "image_too_large"),
    ],
)
def test_images_that_are_not_usable_are_refused(data, code):
    with pytest.raises(GiftError) as raised:
        images.prepare(data, max_bytes=100 if code == "image_too_large" else 10**8)
    assert raised.value.code == code


def test_a_template_is_listed_delisted_with_no_stock(session, actor, now):
    factories.gift(session)  # makes the `care` shelf
    gift_library.load(session)
    template = session.scalar(select(GiftTemplate).where(GiftTemplate.code == "coffee"))
    gift = library.list_template(session, actor, template.id, now=now)
    assert (gift.name, gift.kind, gift.limit_count, gift.limit_period) == (
        "咖啡兑换券", "virtual", 1, "day",
    )  # fmt: skip
    assert gift.stock == 0 and gift.delisted_at == now
    assert gifts.state_of(gift, now) == "delisted"
    with pytest.raises(GiftError, match="not_found"):
        library.list_template(session, actor, 999, now=now)


def test_a_duplicate_is_independent_of_its_source(session, item, actor, now):
    item.tier_codes = ["gold"]
    copy = gifts.duplicate(session, actor, item.id, now=now)
    copy.tier_codes.append("diamond")
    assert item.tier_codes == ["gold"] and copy.stock == 0


def test_the_preview_member_is_synthetic_and_writes_nothing(session, item, now):
    gated = factories.gift(session, name="Gold set", tier_codes=["gold", "diamond"])
    members = session.scalar(select(func.count(Member.id)))
    base, gold = preview.member(session, "base"), preview.member(session, "gold")
    assert preview.member(session, "platinum") is None
    assert preview.gift_state(session, gated, base, now).status == "locked"
    assert preview.gift_state(session, gated, gold, now).status == "ok"
    assert preview.gift_state(session, gated, gold, now, balance=5).status == "short"
    cards = {
        c.gift.id: c.state.status for v in preview.shelves(session, base, now) for c in v.cards
    }
    assert cards == {item.id: "ok", gated.id: "locked"}
    assert not session.new and not session.dirty
    assert session.scalar(select(func.count(Member.id))) == members


def test_the_list_query_counts_and_filters(session, item, now):
    factories.gift(session, name="Later", listed_at=now + timedelta(days=1))
    factories.gift(session, name="Gone", stock=0)
    stmt, sorts = gifts.query(gifts.GiftFilter(state="scheduled"), now)
    assert [r[0].name for r in session.execute(stmt)] == ["Later"]
    stmt, _ = gifts.query(gifts.GiftFilter(state="sold_out"), now)
    assert [r[0].name for r in session.execute(stmt)] == ["Gone"]
    stmt, _ = gifts.query(gifts.GiftFilter(q="ser"), now)
    assert [(r[0].name, r.redeemed, r.free) for r in session.execute(stmt)] == [("Serum", 0, 0)]
    assert set(sorts) == {"id", "name", "points", "stock", "redeemed", "listed"}
