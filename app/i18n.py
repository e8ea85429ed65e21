"""Locale choice: the `lang` cookie, else Simplified Chinese."""

from flask import current_app, request

LOCALE_TAGS = {"zh_Hans": "zh-Hans", "en": "en", "zh_Hant": "zh-Hant"}
LOCALE_NAMES = {"zh_Hans": "简体中文", "en": "English", "zh_Hant": "繁體中文"}


def select_locale() -> str:
    """The visitor's chosen language, or the default."""
    chosen = request.cookies.get("lang", "")
    return chosen if chosen in current_app.config["LANGUAGES"] else "zh_Hans"
