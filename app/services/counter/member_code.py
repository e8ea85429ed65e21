"""The member's counter code: member number + a 6-digit HMAC of the current minute."""

import hashlib
import hmac
from datetime import datetime

import segno
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.inputs import ascii_digits
from app.models import Member

WINDOW_SECONDS = 60
GRACE_WINDOWS = 1  # the previous minute's code still works
DIGITS = 6


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _mac(member_no: str, window: int) -> str:
    key = hashlib.sha256(b"member-code:" + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, f"{member_no}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**DIGITS:0{DIGITS}d}"


def code_for(member: Member, now: datetime) -> str:
    """The member's code for the minute containing `now`."""
    return member.member_no + _mac(member.member_no, _window(now))


def seconds_left(now: datetime) -> int:
    """Seconds until the code shown now rotates."""
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def resolve(session: Session, code: str, now: datetime) -> Member | None:
    """The member a code belongs to, if it is from this minute or the one before."""
    code = ascii_digits(code)  # Unicode digits are not ours (and break compare_digest)
    member_no, mac = code[:-DIGITS], code[-DIGITS:]
    if len(code) <= DIGITS:
        return None
    current = _window(now)
    if not any(
        hmac.compare_digest(mac, _mac(member_no, w))
        for w in range(current - GRACE_WINDOWS, current + 1)
    ):
        return None
    return session.scalar(select(Member).where(Member.member_no == member_no))


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (no XML declaration, scales with CSS)."""
    qr = segno.make(code, error="m", micro=False)
    return qr.svg_inline(
        scale=4,
        dark="#2b2326",
        light="#ffffff",
        omitsize=True,
        title="QR",
        svgclass="qr",
        lineclass=None,
    )
