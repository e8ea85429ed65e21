"""A gift's stock movements, code pool (CSV, all-or-nothing) and photo (decoded by Pillow)."""

import io
import os
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import AuditEntry, Gift, GiftCode, StockMovement
from tests import factories
from tests.gift_helpers import HX, count, gift_form, make_shelves, refused, sign_in_operator


@pytest.fixture
def shelves(session):
    """Two shelves, `care` first."""
    return make_shelves(session)


@pytest.fixture
def operator(client, session, login_as, shelves):
    """Signed in as operator `admin` (English pages); returns the CSRF token."""
    return sign_in_operator(client, session, login_as)


@pytest.fixture
def uploads(app, tmp_path):
    """UPLOAD_DIR in a temporary folder; returns the folder gift images go to."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / "gifts"


@pytest.fixture
def gift(session, shelves):
    """A physical gift with stock 10."""
    item = factories.gift(session, name="Serum", stock=10)
    session.commit()
    return item


@pytest.fixture
def coupon(session, shelves):
    """A coupon gift with stock 2 and its two pooled codes (CODE-<id>-0, CODE-<id>-1)."""
    item = factories.gift(session, name="Voucher", kind="coupon", stock=2)
    session.commit()
    return item


def move(client, token, gift_id, direction, quantity, reason="delivery", headers=None):
    """POST a stock movement."""
    data = {"csrf_token": token, "direction": direction, "quantity": quantity, "reason": reason}
    return client.post(f"/admin/gifts/{gift_id}/stock", data=data, headers=headers or {})


def test_stock_received_and_written_off_are_movements_in_the_audit_log(
    client,
    session,
    operator,
    gift,
):
    assert move(client, operator, gift.id, "in", "5").status_code == 303
    assert move(client, operator, gift.id, "out", "3", "damaged in transit").status_code == 303
    session.expire_all()
    assert session.get(Gift, gift.id).stock == 12
    rows = session.scalars(select(StockMovement).order_by(StockMovement.id)).all()
    assert [(m.delta, m.stock_after, m.reason) for m in rows] == [
        (5, 15, "delivery"), (-3, 12, "damaged in transit"),
    ]  # fmt: skip
    audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "gift.stock")).all()
    assert [(a.before, a.after, a.reason) for a in audits][1] == (
        {"stock": 15}, {"stock": 12}, "damaged in transit",
    )  # fmt: skip
    page = client.get(f"/admin/gifts/{gift.id}").get_data(as_text=True)
    assert "damaged in transit" in page and "-3" in page


def test_stock_never_goes_below_zero(client, session, operator, gift):
    page = refused(move(client, operator, gift.id, "out", "11", "stocktake"))
    assert "Only 10 in stock" in page
    session.expire_all()
    assert session.get(Gift, gift.id).stock == 10 and count(session, StockMovement) == 0
    assert count(session, AuditEntry) == 0
    assert move(client, operator, gift.id, "out", "10", "stocktake").status_code == 303
    session.expire_all()
    assert session.get(Gift, gift.id).stock == 0


@pytest.mark.parametrize(
    ("direction", "quantity", "reason"),
    [
        ("in", "0", "x"),
        ("in", "-4", "x"),
        ("in", "abc", "x"),
        ("in", "5", ""),
        ("sideways", "5", "x"),
    ],
)
def test_bad_movements_are_refused(client, session, operator, gift, direction, quantity, reason):
    refused(move(client, operator, gift.id, direction, quantity, reason))
    assert count(session, StockMovement) == 0


def test_a_movement_by_htmx_answers_the_stock_card(client, session, operator, gift):
    response = move(client, operator, gift.id, "in", "7", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="stock"' in body and "now 17" in body
    bad = move(client, operator, gift.id, "out", "100", headers=HX)
    assert bad.status_code == 422 and 'data-testid="form-error"' in bad.get_data(as_text=True)


def upload_codes(client, token, gift_id, text, add_stock=True):
    """POST a codes file."""
    data = {"csrf_token": token, "codes": (io.BytesIO(text.encode()), "codes.csv")}
    if add_stock:
        data["add_stock"] = "y"
    return client.post(f"/admin/gifts/{gift_id}/codes", data=data)


def pool(session, gift_id) -> int:
    """Codes in the gift's pool."""
    session.expire_all()
    return session.scalar(select(func.count(GiftCode.id)).where(GiftCode.gift_id == gift_id))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A1\nA2\nA3\nA2\n", "appear twice"),
        ("A1\nA2\nCODE-{id}-1\n", "already in this gift"),
        ("A1\nA 2\n", "not valid codes"),
        ("\n\n", "no codes"),
    ],
)
def test_a_code_file_is_imported_all_or_nothing(client, session, operator, coupon, text, message):
    page = refused(upload_codes(client, operator, coupon.id, text.format(id=coupon.id)))
    assert message in page
    assert pool(session, coupon.id) == 2 and session.get(Gift, coupon.id).stock == 2
    assert count(session, AuditEntry) == 0


def test_a_good_code_file_is_imported_with_blank_lines_reported(
    client,
    session,
    operator,
    coupon,
):
    response = upload_codes(client, operator, coupon.id, "code\nNEW-1\n\nNEW-2,ignored\nNEW-3\n")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 codes imported; 5 left in the pool." in page and "1 blank lines skipped" in page
    assert pool(session, coupon.id) == 5 and session.get(Gift, coupon.id).stock == 5
    actions = sorted(session.scalars(select(AuditEntry.action)))
    assert actions == ["gift.codes", "gift.stock"]
    assert upload_codes(client, operator, coupon.id, "NEW-4\n", add_stock=False).status_code == 303
    assert pool(session, coupon.id) == 6 and session.get(Gift, coupon.id).stock == 5


def test_physical_gifts_have_no_code_pool(client, session, operator, gift):
    assert "only coupons" in refused(upload_codes(client, operator, gift.id, "A1\n")).lower()


def png(width=1600, height=1200, fmt="PNG") -> bytes:
    """A real image, encoded."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 140)).save(out, fmt)
    return out.getvalue()


def edit_with_photo(client, token, gift, data: bytes, name="photo.png"):
    """POST the gift's edit form with a photo file."""
    form = gift_form(token, name=gift.name, tiers=None, stock=None)
    fields = [(k, v) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])]
    # encoded in memory: given a file, the test client spools a large body to a temporary file
    # it never closes
    boundary, body = encode_multipart(
        MultiDict([*fields, ("photo", FileStorage(io.BytesIO(data), name))])
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(f"/admin/gifts/{gift.id}", data=body, content_type=content_type)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 not an image at all" * 10,
        b"\x89PNG\r\n\x1a\n" + b"\0" * 200,  # a PNG signature and nothing behind it
        png()[:2000],  # truncated: the header verifies, the pixels do not decode
        b"GIF89a" + png()[6:],
    ],
)
def test_a_non_image_renamed_png_is_refused_and_nothing_is_stored(
    client,
    session,
    operator,
    gift,
    uploads,
    data,
):
    page = refused(edit_with_photo(client, operator, gift, data))
    assert "not a JPEG, PNG or WebP image" in page
    assert not uploads.exists() or not list(uploads.iterdir())
    session.expire_all()
    assert session.get(Gift, gift.id).photo is None and count(session, AuditEntry) == 0


def test_a_real_png_is_stored_as_webp_in_two_sizes_and_served_immutable(
    client,
    session,
    operator,
    gift,
    uploads,
):
    assert edit_with_photo(client, operator, gift, png()).status_code == 303
    session.expire_all()
    digest = session.get(Gift, gift.id).photo
    files = sorted(p.name for p in uploads.iterdir())
    assert files == [f"{digest}-320.webp", f"{digest}-800.webp"]
    with Image.open(uploads / f"{digest}-800.webp") as large:
        assert (large.format, large.size) == ("WEBP", (800, 600))
    with Image.open(uploads / f"{digest}-320.webp") as small:
        assert small.size == (320, 240)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "gift.image"))
    assert entry.before == {"photo": None} and entry.after == {"photo": digest}
    served = client.get(f"/media/gifts/{digest}-320.webp")
    assert served.get_data() == (uploads / f"{digest}-320.webp").read_bytes()
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "private" not in served.headers["Cache-Control"]
    page = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert f"/media/gifts/{digest}-800.webp" in page  # the member's gift page shows it
    shelf = client.get("/admin/gifts/preview?at=2026-12-25T00:00").get_data(as_text=True)
    assert f"/media/gifts/{digest}-320.webp" in shelf  # the member's gift card (listed by then)
    assert client.get("/media/gifts/..%2Fsecret_key").status_code == 404


def test_a_photo_can_be_removed_and_the_drawing_comes_back(
    client,
    session,
    operator,
    gift,
    uploads,
):
    edit_with_photo(client, operator, gift, png(fmt="JPEG"), "p.jpg")
    form = gift_form(operator, name=gift.name, tiers=None, stock=None, remove_photo="y")
    assert client.post(f"/admin/gifts/{gift.id}", data=form).status_code == 303
    session.expire_all()
    assert session.get(Gift, gift.id).photo is None
    page = client.get(f"/gifts/{gift.id}").get_data(as_text=True)
    assert re.search(r'<use href="/static/img/gifts\.svg\?v=\w+#cream">', page)  # the jar, drawn


def test_a_6_mb_upload_is_refused(client, session, operator, gift, uploads):
    big = os.urandom(6 * 1024 * 1024)
    page = refused(edit_with_photo(client, operator, gift, big))
    assert "larger than 5 MB" in page
    assert not uploads.exists() and session.get(Gift, gift.id).photo is None
    huge = edit_with_photo(client, operator, gift, os.urandom(9 * 1024 * 1024))
    assert huge.status_code == 413  # past the upload forms' request limit
    other = client.post("/admin/staff", data={"csrf_token": operator, "x": "y" * 2_000_000})
    assert other.status_code == 413  # every other form keeps the 1 MB limit


def test_a_decompression_bomb_is_refused_before_decoding(
    client,
    session,
    operator,
    gift,
    uploads,
):
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 megapixels in a small file
    assert len(out.getvalue()) < 5 * 1024 * 1024
    refused(edit_with_photo(client, operator, gift, out.getvalue()))
    assert not uploads.exists()
