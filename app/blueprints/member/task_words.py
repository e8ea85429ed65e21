"""The task centre's words: task names, descriptions, rewards and refusals."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

NAMES = {
    "signin": _l("Daily sign-in"),
    "profile": _l("Complete your profile"),
    "first_redemption": _l("First redemption"),
    "share_gift": _l("Share a gift"),
    "review_gift": _l("Review a collected gift"),
    "birthday": _l("Birthday reward"),
}
ABOUT = {
    "signin": _l("Sign in once a day; every 7th day in a row earns a bonus."),
    "profile": _l("Add your name and birthday, once."),
    "first_redemption": _l("Redeem any gift from the mall, then claim your reward here."),
    "share_gift": _l("Tap Share on a gift page and send the link to a friend."),
    "review_gift": _l("Write a review with a photo of a gift you collected."),
    "birthday": _l("Points arrive in your birthday month, once a year."),
}
ERRORS = {
    "first_redemption_missing": _l("Redeem a gift first, then claim this reward."),
    "review_photo": _l("Add a photo of the gift."),
    "review_length": _l("Write between 5 and 500 characters."),
    "review_exists": _l("You have already reviewed this gift."),
    "review_not_collected": _l("You can review a gift once you have collected it."),
    "review_order": _l("This order cannot be reviewed."),
    "image_too_large": _l("The photo is larger than 5 MB."),
    "image_invalid": _l(
        "This file is not a JPEG, PNG or WebP image (or it is damaged). Choose another."
    ),
    "image_pixels": _l("The photo has too many pixels. Use one under 40 megapixels."),
}


def name(code: str) -> str:
    """A task's name."""
    return str(NAMES.get(code, code))


def about(code: str) -> str:
    """What the member does for a task."""
    return str(ABOUT.get(code, ""))


def error_message(code: str) -> str:
    """A refusal in the member's words."""
    return str(ERRORS.get(code, _l("Something is not right. Check and try again.")))


def reward_message(result) -> str:
    """What a task just paid ('+5 points'), or why it paid nothing."""
    if result.already:
        return _("Already done: this reward was given before.")
    if result.points and result.capped:
        return _("+%(n)s points (this month's task points are nearly used up).", n=result.points)
    if result.points:
        return _("+%(n)s points", n=result.points)
    if result.capped:
        return _("Done. No points this time: this month's limit for this task is reached.")
    return _("Done.")
