"""The drawn gift pictures: one SVG sprite of <symbol>s, each with a name the console shows.

A gift's `image` column holds a drawing's name (≤ 20 characters); the six names the mall
started with stay valid, two of them as other names of today's drawings.
"""

from flask_babel import lazy_gettext as _l

SPRITE = "img/gifts.svg"  # every drawing in one file: a page costs one request for all of them
DRAWINGS = {
    "serum": _l("Serum dropper bottle"),
    "lotus-serum": _l("Snow-lotus serum bottle"),
    "cream": _l("Cream jar"),
    "eye-cream": _l("Eye cream tube"),
    "mask": _l("Sheet mask"),
    "cushion": _l("Cushion compact"),
    "palette": _l("Eye palette"),
    "lipstick": _l("Lipstick"),
    "lipstick-set": _l("Lipstick gift set"),
    "perfume": _l("Perfume flacon"),
    "perfume-mini": _l("Perfume miniature"),
    "gift-box": _l("Gift box"),
    "tote": _l("Tote bag"),
    "coupon": _l("Coupon"),
    "discount": _l("Discount tag"),
    "ticket": _l("Ticket"),
    "video": _l("Video membership"),
    "music": _l("Music membership"),
    "coffee": _l("Coffee cup"),
    "facial": _l("Facial treatment"),
    "eye-care": _l("Eye treatment"),
    "spa": _l("Spa stones"),
}
# names gifts saved before the sprite may hold, and the drawing each shows now
ALIASES = {"bottle": "serum", "jar": "cream"}
DEFAULT = "serum"


def drawing(name: str | None) -> str:
    """The sprite symbol a stored `image` name shows (old names mapped, unknown: the default)."""
    name = ALIASES.get(name or "", name or "")
    return name if name in DRAWINGS else DEFAULT


def is_drawing(name: str) -> bool:
    """Whether a stored `image` name is one of the drawings (or an old name of one)."""
    return name in DRAWINGS or name in ALIASES


def chosen(stored: str, posted: str) -> str:
    """What to store: the stored name kept when the posted one is the same picture (an old
    name shown under its new one is no change), else the posted name."""
    return stored if drawing(stored) == drawing(posted) else posted
