"""Form pieces every blueprint shares: the base `Form`, the first error, the phone field, money."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Regexp, StopValidation

from app.inputs import INTEGER_RE, MULTILINE_ALLOWED, YEARS, control_char, in_int_range
from app.services.accounts.accounts import PHONE_RE, normalize_phone

PHONE_INVALID = _l("Enter an 11-digit mainland mobile number, e.g. 13800000000.")
# What account forms say for an AccountError code (auth and member center).
MESSAGES = {
    "phone_invalid": PHONE_INVALID,
    "phone_taken": _l("This number is already registered. Log in instead."),
    "referral_unknown": _l("We don't know this referral code. Check it or leave it empty."),
    "credentials": _l("Wrong phone number, staff ID or password."),
    "throttled": _l("Too many failed attempts. Wait 15 minutes and try again."),
    "birthday_locked": _l("Your birthday is already set and cannot be changed."),
}
AMOUNT_RE = r"^[0-9]{1,7}(\.[0-9]{1,2})?\Z"  # ASCII digits; \Z: no trailing newline
DECIMAL_RE = re.compile(r"-?[0-9]{1,10}(\.[0-9]{1,10})?")
TEXT_REFUSED = _l("Remove the control characters (such as line breaks) from this field.")
NUMBER_INVALID = _l("Enter a whole number using the digits 0-9.")
NUMBER_TOO_LARGE = _l("That number is too large.")
DATE_INVALID = _l("Enter a date between 1900 and 2999.")


def _refuse(field, message) -> None:
    """Stop the field's validation with one message: later validators never see the value."""
    field.errors[:] = []  # drop WTForms' own "Not a valid …" for the same raw value
    raise StopValidation(message)


def _clean_text(form, field) -> None:
    allowed = MULTILINE_ALLOWED if isinstance(field, TextAreaField) else frozenset()
    if isinstance(field.data, str) and control_char(field.data, allowed) is not None:
        _refuse(field, TEXT_REFUSED)


def _raw(field) -> str:
    raw = field.raw_data[0] if field.raw_data else ""
    return raw.strip() if isinstance(raw, str) else ""


def _bounded_integer(form, field) -> None:
    raw = _raw(field)
    if not raw:
        return  # InputRequired / Optional decide about empty input
    if not INTEGER_RE.fullmatch(raw):
        _refuse(field, NUMBER_INVALID)
    if not in_int_range(raw):
        _refuse(field, NUMBER_TOO_LARGE)


def _bounded_decimal(form, field) -> None:
    raw = _raw(field)
    if raw and not DECIMAL_RE.fullmatch(raw):  # no NaN, Infinity, 1e999 or Unicode digits
        _refuse(field, NUMBER_INVALID)


def _sane_date(form, field) -> None:
    if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
        _refuse(field, DATE_INVALID)


def input_guard(field):
    """The check every field of its type gets before its own validators, or None."""
    if isinstance(field, PasswordField):
        return None  # only ever hashed, never stored or shown
    if isinstance(field, StringField):
        return _clean_text
    if isinstance(field, IntegerField):
        return _bounded_integer
    if isinstance(field, DecimalField | FloatField):
        return _bounded_decimal
    if isinstance(field, DateField | DateTimeField):
        return _sane_date
    return None


class Form(FlaskForm):
    """The base of every form in the app (CSRF from FlaskForm).

    Every text field refuses control characters (NUL, CR/LF, ESC …; a text area allows line
    breaks and tabs), every integer field refuses non-ASCII digits and values no database
    column holds (beyond ±(2^31 − 1)), decimals refuse NaN/Infinity/exponents, dates stay in
    1900-2999 — as a form error, before the field's own validators run.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            """Bind as usual, then put the type's input guard first in the field's validators."""
            field = super().bind_field(form, unbound_field, options)
            guard = input_guard(field)
            if guard is not None:
                field.validators = [guard, *field.validators]
            return field


def first_error(form: FlaskForm) -> str | None:
    """The first validation message of a form, for the form-error box."""
    for messages in form.errors.values():
        return str(messages[0])
    return None


def phone_field() -> StringField:
    """An 11-digit mainland mobile number, required."""
    return StringField(
        _l("Mobile number"),
        filters=[lambda value: normalize_phone(value) if isinstance(value, str) else value],
        validators=[DataRequired(PHONE_INVALID), Regexp(PHONE_RE, message=PHONE_INVALID)],
    )


def amount_field(label) -> StringField:
    """A yuan amount typed as text ('1280' or '1280.50'), read with `to_fen`."""
    return StringField(
        label,
        validators=[
            InputRequired(_l("Enter the amount paid.")),
            Regexp(AMOUNT_RE, message=_l("Enter an amount like 1280 or 1280.50.")),
        ],
    )


def to_fen(amount: str) -> int:
    """'1280.5' → 128050, without floats."""
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])
