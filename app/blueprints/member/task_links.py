"""A gift shared with a member's referral code: a visitor who follows the link and then joins
has the code filled in on the registration form."""

import re

from flask import session

REF_KEY = "shared_ref"
REF_RE = re.compile(r"[A-Za-z0-9]{4,12}")


def remember_referral(code: str | None, member) -> None:
    """Keep a shared link's referral code in a visitor's session (members need none)."""
    if member is None and code and REF_RE.fullmatch(code) and session.get(REF_KEY) != code:
        session[REF_KEY] = code


def shared_referral() -> str:
    """The referral code of the last shared link this visitor followed ('' when none)."""
    return str(session.get(REF_KEY, ""))
