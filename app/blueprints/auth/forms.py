"""Forms for logging in, registering and choosing a language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, Regexp

from app.i18n import LOCALE_NAMES
from app.services.accounts.accounts import PHONE_RE

MESSAGES = {
    "phone_invalid": _l("Enter an 11-digit mainland mobile number, e.g. 13800000000."),
    "phone_taken": _l("This number is already registered. Log in instead."),
    "referral_unknown": _l("We don't know this referral code. Check it or leave it empty."),
    "credentials": _l("Wrong phone number, staff ID or password."),
    "throttled": _l("Too many failed attempts. Wait 15 minutes and try again."),
    "birthday_locked": _l("Your birthday is already set and cannot be changed."),
}


class LoginForm(FlaskForm):
    """Phone (members) or staff ID (staff) and password."""

    identifier = StringField(
        _l("Phone number or staff ID"),
        validators=[DataRequired(_l("Enter your phone number or staff ID.")), Length(max=40)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)]
    )


class RegisterForm(FlaskForm):
    """A new member: mainland mobile number, password twice, optional referral code."""

    phone = StringField(
        _l("Mobile number"),
        validators=[
            DataRequired(MESSAGES["phone_invalid"]),
            Regexp(PHONE_RE, message=MESSAGES["phone_invalid"]),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, max=128, message=_l("Use 8 to 128 characters for your password.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
    )
    referral_code = StringField(
        _l("Referral code (optional)"),
        validators=[Optional(), Length(max=12, message=MESSAGES["referral_unknown"])],
    )


class LanguageForm(FlaskForm):
    """The interface language."""

    lang = StringField(_l("Language"), validators=[AnyOf(list(LOCALE_NAMES))])


def first_error(form: FlaskForm) -> str | None:
    """The first validation message of a form, for the form-error box."""
    for messages in form.errors.values():
        return str(messages[0])
    return None
