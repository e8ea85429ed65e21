"""The message catalogs: complete, placeholder-safe, compiled, and in sync with the sources.

Run `make messages` after changing any UI string, then translate the new entries in
app/translations/zh_Hans and zh_Hant (the .mo files are committed: there is no build step).
"""

import re
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
TRANSLATED = ("zh_Hans", "zh_Hant")
LOCALES = (*TRANSLATED, "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # as in `make messages`

# %(name)s, %s, %d, %.1f ... but not a literal %%
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _read_po(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _po(locale: str):
    return _read_po(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)


def _key(message) -> tuple:
    """A message's identity: context and msgid (the singular of a plural)."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return message.context, msgid


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


@pytest.fixture(scope="module")
def template():
    return _read_po(POT)


def test_template_is_not_empty(template):
    """Extraction found the app's strings (babel.cfg patterns are relative to the repo root)."""
    assert len([m for m in template if m.id]) > 50


def test_template_matches_the_sources(template):
    """Every wrapped string in app/ is in messages.pot and vice versa (`make messages` was run)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.add((context, msgid))
    in_template = {_key(m) for m in template if m.id}
    assert sorted(found - in_template, key=str) == [], "new strings: run `make messages`"
    assert sorted(in_template - found, key=str) == [], "stale strings: run `make messages`"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_message(template, locale):
    """Each catalog was updated from the current template."""
    catalog = _po(locale)
    missing = {_key(m) for m in template if m.id} - {_key(m) for m in catalog if m.id}
    assert sorted(missing, key=str) == [], f"{locale}: run `make messages`"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(template, locale):
    """A non-empty, non-fuzzy translation for every msgid of the template."""
    catalog = _po(locale)
    assert not catalog.fuzzy, f"{locale}: the catalog header is marked fuzzy"
    problems = []
    for entry in template:
        if not entry.id:
            continue
        message = catalog.get(entry.id, context=entry.context)
        if message is None:
            problems.append(("missing", entry.id))
        elif message.fuzzy:
            problems.append(("fuzzy", entry.id))
        elif not all(s.strip() for s in _strings(message)):
            problems.append(("empty", entry.id))
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale):
    """A translation uses exactly the msgid's placeholders and formats without error."""
    problems = []
    for message in _po(locale):
        if not message.id:
            continue
        wanted = Counter(PLACEHOLDER.findall(_ids(message)[0]))
        names = {name: 1 for name in re.findall(r"%\((\w+)\)", _ids(message)[0])}
        for string in _strings(message):
            if not string:
                continue
            if Counter(PLACEHOLDER.findall(string)) != wanted:
                problems.append((message.id, string))
                continue
            try:  # Jinja's new-style gettext always applies `% variables`, even when empty
                string % names
            except (KeyError, TypeError, ValueError) as exc:
                problems.append((message.id, string, repr(exc)))
    assert problems == []


def _mo_key(message) -> tuple:
    """A compiled message's identity (a plural's msgid is a list: make it hashable)."""
    msgid = tuple(message.id) if isinstance(message.id, list) else message.id
    return message.context, msgid


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_is_current(locale):
    """The committed .mo holds exactly what compiling the .po gives (no stale build)."""
    catalog = _po(locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # what `pybabel compile` writes: no fuzzy, no empty entries
    buffer.seek(0)
    expected = {_mo_key(m): m.string for m in read_mo(buffer) if m.id}
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        committed = {_mo_key(m): m.string for m in read_mo(f) if m.id}
    assert committed == expected, f"{locale}: run `pybabel compile -d app/translations`"


def _login_page(client, lang: str | None) -> str:
    if lang is not None:
        client.set_cookie("lang", lang)
    response = client.get("/login")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_login_page_in_traditional_chinese(client):
    html = _login_page(client, "zh_Hant")
    assert '<html lang="zh-Hant"' in html
    assert "歡迎回來" in html  # template string
    assert "手機號碼或員工編號" in html  # lazy_gettext form label
    assert "登入" in html
    assert "欢迎回来" not in html


def test_login_page_defaults_to_simplified_chinese(client):
    html = _login_page(client, None)
    assert '<html lang="zh-Hans"' in html
    assert "欢迎回来" in html
    assert "手机号或工号" in html
    assert "登录" in html
    assert "歡迎回來" not in html


def test_unknown_language_falls_back_to_simplified_chinese(client):
    html = _login_page(client, "fr")
    assert '<html lang="zh-Hans"' in html
    assert "欢迎回来" in html


def test_login_page_in_english(client):
    html = _login_page(client, "en")
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert "Welcome back" in html
    assert "Phone number or staff ID" in html
