"""Home layout forms: add a section, move it, show/hide it, edit a banner."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.blueprints.admin.flash_forms import local_field, to_local, to_utc
from app.blueprints.forms import Form
from app.inputs import parse_int
from app.services.console.home_layout import STATIC_IMAGES, BannerDraft

KIND_CHOICES = [
    SelectChoice("banner", _l("Banner")),
    SelectChoice("flash", _l("Flash strip")),
    SelectChoice("shelf", _l("Shelf")),
    SelectChoice("for_you", _l("For you")),
]


IMAGE_LABELS = {
    "img/banner.svg": _l("Brand banner"),
    "img/gifts/bottle.svg": _l("Serum bottle"),
    "img/gifts/jar.svg": _l("Cream jar"),
    "img/gifts/lipstick.svg": _l("Lipstick"),
    "img/gifts/spa.svg": _l("Treatment"),
    "img/gifts/coupon.svg": _l("Coupon"),
    "img/gifts/ticket.svg": _l("Ticket"),
}


def _id(value) -> int:
    return parse_int(value, low=0) or 0


class AddSectionForm(Form):
    """A new section: its kind, and the shelf for a shelf section."""

    kind = SelectField(_l("Section"), choices=KIND_CHOICES)
    shelf_id = SelectField(_l("Shelf"), coerce=_id, validate_choice=False)


class MoveForm(Form):
    """One place up or down."""

    direction = SelectField(choices=[SelectChoice("up"), SelectChoice("down")])


class VisibilityForm(Form):
    """Show or hide."""

    visible = SelectField(choices=[SelectChoice("1"), SelectChoice("0")])


class BannerForm(Form):
    """A banner: titles in three languages, picture, link, display window."""

    title = StringField(
        _l("Title (简体中文)"),
        validators=[InputRequired(_l("Give the banner a title.")), Length(max=60)],
    )
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=60)])
    title_zh_hant = StringField(_l("Title (繁體中文)"), validators=[Optional(), Length(max=60)])
    image = RadioField(
        _l("Picture"),
        choices=[SelectChoice(i, IMAGE_LABELS.get(i, i)) for i in STATIC_IMAGES],  # + photos
        validators=[InputRequired(_l("Choose a picture."))],
    )
    link = StringField(
        _l("Link (a page of the mall, e.g. /gifts/2; empty: the home)"),
        validators=[Optional(), Length(max=120)],
    )
    starts_at = local_field(_l("Shown from (empty: now)"), required=False)
    ends_at = local_field(_l("Shown until (empty: no end)"), required=False)

    def draft(self) -> BannerDraft:
        """The form as the service's draft."""
        return BannerDraft(
            title=self.title.data.strip(),
            title_en=(self.title_en.data or "").strip(),
            title_zh_hant=(self.title_zh_hant.data or "").strip(),
            image=self.image.data,
            link=(self.link.data or "").strip(),
            starts_at=to_utc(self.starts_at.data),
            ends_at=to_utc(self.ends_at.data),
        )

    def fill(self, section) -> None:
        """Show a banner's current settings."""
        titles = section.titles or {}
        self.title.data = section.title
        self.title_en.data, self.title_zh_hant.data = titles.get("en"), titles.get("zh_Hant")
        self.image.data, self.link.data = section.image, section.link
        self.starts_at.data, self.ends_at.data = (
            to_local(section.starts_at),
            to_local(section.ends_at),
        )
