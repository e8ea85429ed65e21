"""Forms for logging in, registering and choosing a language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional

from app.blueprints.forms import MESSAGES, phone_field
from app.i18n import LOCALE_NAMES


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

    phone = phone_field()
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
