"""The app's one definition of a number and a clean line of text (app/inputs.py)."""

from datetime import date

import pytest

from app.inputs import ascii_digits, control_char, date_arg, int_arg, is_ascii_digits, parse_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 7 ", 7),
        ("-5", -5),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("-2147483648", None),
        ("0000000000000001", 1),
        ("9" * 5000, None),  # never handed to int(): Python refuses 4,300+ digits with ValueError
        ("１", None),
        ("١٢", None),
        ("1_000", None),
        ("1e3", None),
        ("", None),
        (True, None),
        (12, 12),
    ],
)
def test_parse_int_reads_ascii_integers_a_column_holds(raw, expected):
    assert parse_int(raw) == expected


def test_int_arg_falls_back_to_the_default():
    assert int_arg({"page": "3"}, "page", 1, low=1) == 3
    assert int_arg({"page": "0"}, "page", 1, low=1) == 1
    assert int_arg({"page": str(2**64)}, "page", 1, low=1) == 1
    assert int_arg({}, "page", 1) == 1


@pytest.mark.parametrize("text", ["a\x00b", "\r", "\n", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_and_lone_surrogates_are_found(text):
    assert control_char(text) is not None


def test_ordinary_text_and_allowed_line_breaks_pass():
    assert control_char("丽华 Li-Hua ١٢٣ 🙂") is None
    assert control_char("line one\r\nline two\t!", frozenset("\t\r\n")) is None


def test_ascii_digits_only():
    assert is_ascii_digits("0123456789") and not is_ascii_digits("") and not is_ascii_digits("１")
    assert ascii_digits("10 00-00١01٢") == "10000001"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-06-15", date(2026, 6, 15)),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2026-02-30", None),
        ("２０２６-06-15", None),
        ("2026-06-15\n", None),
        ("20260615", None),
    ],
)
def test_date_arg(raw, expected):
    assert date_arg({"d": raw}, "d") == expected
