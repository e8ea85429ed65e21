"""What the gift console says for each GiftError code, in the operator's words."""

from flask_babel import gettext as _

from app.services.console.gift_errors import GiftError


def _lines(items) -> str:
    return ", ".join(f"{line}: {code}" for line, code in items)


MESSAGES = {
    "not_found": lambda d: _("No such gift."),
    "name": lambda d: _("Enter the gift's name (at most 80 characters)."),
    "kind": lambda d: _("Choose the kind: physical, coupon, virtual or service."),
    "points": lambda d: _("Points must be between 1 and 10,000,000."),
    "money": lambda d: _("Cash and cost must be between ¥0 and ¥9,999,999.99."),
    "stock": lambda d: _("Stock must be between 0 and 1,000,000."),
    "limit_count": lambda d: _("The limit must be 1 to 10,000."),
    "limit_period": lambda d: _("Choose the period of the limit."),
    "per_order_max": lambda d: _("Per order: 1 to 99."),
    "badges": lambda d: _("Choose badges and a drawing from the lists."),
    "shelf": lambda d: _("Choose a shelf."),
    "window": lambda d: _("The end of the listing must come after its start."),
    "tiers": lambda d: _("Choose tiers from: %(tiers)s.", tiers=", ".join(d.get("known", []))),
    "stock_delta": lambda d: _("Enter 1 to 1,000,000 units."),
    "stock_reason": lambda d: _("Say why the stock changes (at most 200 characters)."),
    "stock_below_zero": lambda d: _(
        "Only %(stock)s in stock: a write-off of %(n)s would take it below 0.",
        stock=d.get("stock"),
        n=-d.get("delta", 0),
    ),  # fmt: skip
    "stock_overflow": lambda d: _("That would make the stock larger than any gift can hold."),
    "image_too_large": lambda d: _("The photo is larger than %(mb)s MB.", mb=d.get("mb")),
    "image_invalid": lambda d: _(
        "This file is not a JPEG, PNG or WebP image (or it is damaged). Choose another."
    ),
    "image_pixels": lambda d: _("The photo has too many pixels. Use one under 40 megapixels."),
    "file_too_large": lambda d: _("The file is larger than %(mb)s MB.", mb=d.get("mb")),
    "codes_kind": lambda d: _("Only coupons and virtual goods have code pools."),
    "codes_missing": lambda d: _("Choose a CSV file of codes."),
    "codes_encoding": lambda d: _("Save the file as UTF-8 CSV and try again."),
    "codes_empty": lambda d: _("The file holds no codes."),
    "codes_too_many": lambda d: _("At most %(max)s codes a file.", max=f"{d.get('max', 0):,}"),
    "codes_invalid": lambda d: _(
        "Nothing was imported: %(n)s lines are not valid codes (letters, digits and . _ - : / + ="
        " only, at most 64), e.g. line %(lines)s.",
        n=d.get("n"),
        lines=_lines(d.get("lines", [])),
    ),  # fmt: skip
    "codes_repeated": lambda d: _(
        "Nothing was imported: %(n)s codes appear twice in the file, e.g. line %(lines)s.",
        n=d.get("n"),
        lines=_lines(d.get("lines", [])),
    ),  # fmt: skip
    "codes_exist": lambda d: _(
        "Nothing was imported: %(n)s codes are already in this gift's pool: %(codes)s.",
        n=d.get("n"),
        codes=", ".join(d.get("codes", [])),
    ),  # fmt: skip
}


def explain(error: GiftError) -> str:
    """The message for a gift console error."""
    message = MESSAGES.get(error.code)
    return message(error.detail) if message else _("That did not work. Please try again.")
