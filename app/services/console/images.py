"""Gift images: decoded and checked with Pillow (never trusted by name or type), stored as WebP.

An upload is accepted only if Pillow, allowed to try JPEG, PNG and WebP and nothing else,
decodes it completely, and it is below the pixel cap (a decompression bomb is refused before
it is decoded). It is stored as WebP in two sizes under UPLOAD_DIR/gifts/, named by the
SHA-256 of the upload, so a file never changes once written and is cached as immutable.
"""

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from app.models import User
from app.services.console import audit, gifts
from app.services.console.gift_errors import GiftError

FORMATS = ("JPEG", "PNG", "WEBP")
SIZES = {"large": 800, "small": 320}  # longest side in pixels
PIXEL_CAP = 40_000_000  # e.g. 8000 × 5000; larger is refused before decoding
FILE_RE = re.compile(r"([0-9a-f]{24})-(800|320)\.webp")
DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
)


@dataclass(frozen=True)
class Prepared:
    """A decoded upload: its content hash and the WebP bytes of each size."""

    digest: str
    files: dict[int, bytes]


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=FORMATS)


def _decode(data: bytes) -> Image.Image:
    """Identify, verify, then really decode the image (verify alone misses truncated data)."""
    with _open(data) as probe:
        width, height = probe.size
        if width * height > PIXEL_CAP:
            raise GiftError("image_pixels", cap=PIXEL_CAP)
        probe.verify()
    image = _open(data)
    image.load()
    return image


def _webp(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def prepare(data: bytes, *, max_bytes: int) -> Prepared:
    """Check and convert an upload (GiftError `image_*` when it is not a usable image)."""
    if len(data) > max_bytes:
        raise GiftError("image_too_large", mb=max_bytes // (1024 * 1024))
    if not data:
        raise GiftError("image_invalid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _decode(data)
            image = ImageOps.exif_transpose(image)
            alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            image = image.convert("RGBA" if alpha else "RGB")
    except DECODE_ERRORS as exc:
        raise GiftError("image_invalid") from exc
    digest = hashlib.sha256(data).hexdigest()[:24]
    return Prepared(digest, {side: _webp(image, side) for side in SIZES.values()})


def file_name(digest: str, side: int) -> str:
    """The stored file of one size."""
    return f"{digest}-{side}.webp"


def store(upload_dir: str, prepared: Prepared) -> None:
    """Write both sizes (atomically; a file already there is the same content)."""
    folder = Path(upload_dir) / "gifts"
    folder.mkdir(parents=True, exist_ok=True)
    for side, body in prepared.files.items():
        target = folder / file_name(prepared.digest, side)
        if target.exists():
            continue
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(body)
        os.replace(partial, target)


def set_photo(
    session: Session, actor: User, gift_id: int, digest: str | None, *, now: datetime
) -> None:
    """Point the gift at an uploaded image (None: back to its drawn SVG), audited."""
    gift = gifts.lock(session, gift_id)
    if gift.photo == digest:
        return
    before = {"photo": gift.photo}
    gift.photo = digest
    audit.record(
        session, actor, "gift.image", "gift", gift.id, now=now, summary=gift.name,
        before=before, after={"photo": digest},
    )  # fmt: skip
