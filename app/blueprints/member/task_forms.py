"""The task centre's forms: a gift review (text and a photo)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.blueprints.forms import Form
from app.services.tasks.reviews import BODY_MAX, BODY_MIN


class ReviewForm(Form):
    """A review of a collected gift: what the member thinks, and a photo of it."""

    body = TextAreaField(
        _l("Your review"),
        validators=[
            DataRequired(_l("Write a few words about the gift.")),
            Length(
                min=BODY_MIN,
                max=BODY_MAX,
                message=_l(
                    "Write between %(min)s and %(max)s characters.", min=BODY_MIN, max=BODY_MAX
                ),
            ),
        ],
    )
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"))
