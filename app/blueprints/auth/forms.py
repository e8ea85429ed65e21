"""Forms for logging in, registering, SMS codes, a forgotten password and the language."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, Regexp

from app.blueprints.forms import MESSAGES, Form, phone_field
from app.i18n import LOCALE_NAMES
from app.models.verification import PURPOSES

SMS_CODE_RE = r"^[0-9]{6}\Z"  # ASCII digits only, no trailing newline


class LoginForm(Form):
    """Phone (members) or staff ID (staff) and password."""

    identifier = StringField(
        _l("Phone number or staff ID"),
        validators=[DataRequired(_l("Enter your phone number or staff ID.")), Length(max=40)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)]
    )


def sms_code_field() -> StringField:
    """The 6-digit code from the text message."""
    return StringField(
        _l("Code from the text message"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter the 6-digit code from the text message.")),
            Regexp(SMS_CODE_RE, message=_l("The code has 6 digits.")),
        ],
    )


def new_password_field(label) -> PasswordField:
    """A password being chosen: 8 to 128 characters."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, max=128, message=_l("Use 8 to 128 characters for your password.")),
        ],
    )


def confirm_field(label) -> PasswordField:
    """The chosen password once more."""
    return PasswordField(
        label, validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )


class RegisterForm(Form):
    """A new member: mobile number, the SMS code, password twice, optional referral code."""

    phone = phone_field()
    sms_code = sms_code_field()
    password = new_password_field(_l("Password"))
    confirm = confirm_field(_l("Repeat password"))
    referral_code = StringField(
        _l("Referral code (optional)"),
        validators=[Optional(), Length(max=12, message=MESSAGES["referral_unknown"])],
    )


class SmsCodeForm(Form):
    """Ask for a code by text message, for registering or for resetting the password."""

    phone = phone_field()
    purpose = StringField(validators=[AnyOf(PURPOSES, message=_l("Choose what the code is for."))])
    next = StringField(validators=[Optional(), Length(max=200)])
    referral_code = StringField(validators=[Optional(), Length(max=12)])


class ForgotForm(Form):
    """A new password, proved by a code sent to the account's phone."""

    phone = phone_field()
    sms_code = sms_code_field()
    password = new_password_field(_l("New password"))
    confirm = confirm_field(_l("Repeat new password"))


class LanguageForm(Form):
    """The interface language."""

    lang = StringField(_l("Language"), validators=[AnyOf(list(LOCALE_NAMES))])
