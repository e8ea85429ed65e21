"""Locale choice (the `lang` cookie, else Simplified Chinese) and data names in the locale."""

import re

from flask import current_app, has_request_context, request
from flask_babel import get_locale

LOCALE_TAGS = {"zh_Hans": "zh-Hans", "en": "en", "zh_Hant": "zh-Hant"}
LOCALE_NAMES = {"zh_Hans": "简体中文", "en": "English", "zh_Hant": "繁體中文"}


def select_locale() -> str:
    """The visitor's chosen language, or the default."""
    chosen = request.cookies.get("lang", "")
    return chosen if chosen in current_app.config["LANGUAGES"] else "zh_Hans"


def current_locale() -> str:
    """The request's locale (zh_Hans outside a request)."""
    return str(get_locale() or "zh_Hans") if has_request_context() else "zh_Hans"


def local_name(thing, locale: str | None = None, field: str = "name") -> str:
    """The name of a gift, shelf, section, store, benefit or tier in `locale` (the request's by
    default): its `names` (or `titles`, for `field="title"`) entry, else the zh_Hans `name`."""
    locale = locale or current_locale()
    translations = getattr(thing, f"{field}s", None) or {}
    return translations.get(locale) or getattr(thing, field, "") or ""


UNIT_SPACE = re.compile(r"(\d)[ \t]+(ml|mL|l|g|mg|kg|cm|mm|m|min|h|oz|pcs)\b")


def keep_units(text: str) -> str:
    """`text` with a no-break space between a number and its unit: "15 ml" never splits."""
    return UNIT_SPACE.sub("\\1\u00a0\\2", text or "")
