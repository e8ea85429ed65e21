"""The "Who" select of campaigns, benefits and flash events: everyone, or one segment."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, ValidationError

from app.services.analytics.segments import CODES, NAMES

CHOOSE = _l("Choose who it is for from the list: everyone or one segment.")
WHO_CHOICES = [SelectChoice("", _l("Everyone")), *(SelectChoice(c, NAMES[c]) for c in CODES)]


class WhoField(SelectField):
    """Everyone (empty) or one segment; anything else is a form error, never stored."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label or _l("Who it is for"), choices=WHO_CHOICES, default="", **kwargs)

    def pre_validate(self, form) -> None:
        """Refuse a value that is not in the list, in the operator's words."""
        if self.data not in {c.value for c in WHO_CHOICES}:
            raise ValidationError(CHOOSE)

    def target(self) -> str | None:
        """The segment chosen (None: everyone)."""
        return self.data or None
