"""Form pieces every blueprint shares: the first error, the phone field, money in fen."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Regexp

from app.services.accounts.accounts import PHONE_RE

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
AMOUNT_RE = r"^\d{1,7}(\.\d{1,2})?$"


def first_error(form: FlaskForm) -> str | None:
    """The first validation message of a form, for the form-error box."""
    for messages in form.errors.values():
        return str(messages[0])
    return None


def phone_field() -> StringField:
    """An 11-digit mainland mobile number, required."""
    return StringField(
        _l("Mobile number"),
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
