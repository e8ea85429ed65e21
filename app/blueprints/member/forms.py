"""Member center forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

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
