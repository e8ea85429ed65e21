"""What the app accepts from outside: bounded integers, clean text, ASCII digits.

Python's `int()`, `str.isdigit()` and regex `\\d` accept every Unicode digit (`１３８`, `١٢٣`),
`int()` also takes `1_000` and surrounding blanks, and a regex `$` matches before a trailing
newline. The helpers here are the app's one definition of "a number" and "a clean line of text".
"""

import re
import unicodedata
from datetime import date

# The largest id or count any column holds: PostgreSQL INTEGER (SQLite takes 2^63 − 1, also fine).
MAX_INT = 2**31 - 1
# The longest URL (path and query) the app reads; longer is 414. gunicorn.conf.py lets request
# lines up to 8190 bytes through so that this answer (JSON on /api) is what a client sees.
MAX_URL = 4096
MIN_INT = -MAX_INT
INTEGER_RE = re.compile(r"-?[0-9]+")  # then in_int_range: no int() of 5,000 digits
DIGITS = frozenset("0123456789")
# Unicode categories never accepted in text: controls (NUL, CR, LF, ESC …) and lone surrogates,
# which PostgreSQL cannot store or which break headers and logs.
_REFUSED_CATEGORIES = ("Cc", "Cs")
MULTILINE_ALLOWED = frozenset("\t\n\r")
# Dates outside these years are typing mistakes and break brand-local arithmetic (year 1 − 8 h).
YEARS = (1900, 2999)
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of 0-9 only (no Unicode digits, signs or blanks)."""
    return bool(value) and all(ch in DIGITS for ch in value)


def ascii_digits(value: str) -> str:
    """Only the 0-9 characters of `value` (what a scanner or a typist meant)."""
    return "".join(ch for ch in value if ch in DIGITS)


def control_char(value: str, allowed: frozenset = frozenset()) -> str | None:
    """The first control character (or lone surrogate) in `value` not in `allowed`, else None."""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return ch
    return None


def in_int_range(digits: str, low: int = MIN_INT, high: int = MAX_INT) -> bool:
    """Whether an INTEGER_RE string lies within [low, high] (huge ones never go through int())."""
    if len(digits.lstrip("-").lstrip("0")) > len(str(max(abs(low), abs(high)))):
        return False
    return low <= int(digits) <= high


def parse_int(raw: object, low: int = MIN_INT, high: int = MAX_INT) -> int | None:
    """The integer written as ASCII digits (optionally signed) within [low, high], else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and INTEGER_RE.fullmatch(raw.strip()):
        if not in_int_range(raw.strip(), low, high):
            return None
        value = int(raw.strip())
    else:
        return None
    return value if low <= value <= high else None


def int_arg(source, name: str, default: int, low: int = 0, high: int = MAX_INT) -> int:
    """A bounded integer from request.args / request.form; `default` when missing or bad."""
    value = parse_int(source.get(name, ""), low, high)
    return default if value is None else value


def text_arg(source, name: str, limit: int) -> str | None:
    """A line of text from request.args / request.form, at most `limit` characters;
    None when it carries control characters (the caller refuses the request)."""
    value = source.get(name, "")
    if len(value) > limit or control_char(value) is not None:
        return None
    return value


def date_arg(source, name: str) -> date | None:
    """A YYYY-MM-DD date (ASCII digits, years 1900-2999) from request.args; None when bad."""
    raw = source.get(name, "")
    try:
        value = date.fromisoformat(raw) if DATE_RE.fullmatch(raw) else None
    except ValueError:
        return None
    return value if value and YEARS[0] <= value.year <= YEARS[1] else None
