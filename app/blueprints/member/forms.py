"""Member center forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.blueprints.forms import Form


class ProfileForm(Form):
    """Name and birthday (the birthday can be set once)."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Tell us your name.")),
            Length(max=40, message=_l("Use at most 40 characters.")),
        ],
    )
    birthday = DateField(
        _l("Birthday"), validators=[Optional()], render_kw={"autocomplete": "bday"}
    )


class ActionForm(Form):
    """A button that only carries the CSRF token (sign-in, log out)."""


SERVICE_CHANNELS = (
    SelectChoice("app_sms", _l("In the app and by SMS")),
    SelectChoice("app", _l("In the app only")),
)
MARKETING_CHANNELS = (*SERVICE_CHANNELS, SelectChoice("off", _l("Off")))


class NotificationPreferencesForm(Form):
    """Channels for service messages (always in the app) and for offers (may be off)."""

    service = RadioField(
        _l("Service messages"),
        choices=SERVICE_CHANNELS,
        validate_choice=False,
        validators=[
            AnyOf([c.value for c in SERVICE_CHANNELS], message=_l("Choose one of the options."))
        ],
    )
    marketing = RadioField(
        _l("Offers"),
        choices=MARKETING_CHANNELS,
        validate_choice=False,
        validators=[
            AnyOf([c.value for c in MARKETING_CHANNELS], message=_l("Choose one of the options."))
        ],
    )
