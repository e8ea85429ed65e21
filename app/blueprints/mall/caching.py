"""Conditional GET for the catalogue pages a visitor sees (members' pages are never stored)."""

from hashlib import sha1

from flask import g, session
from flask_login import current_user


def for_visitors(response, volatile: str = ""):
    """An ETag of the page for a visitor (If-None-Match → 304, no body on a slow link).

    The tag digests the body, so it changes with anything shown (the catalogue, the time
    windows), except the CSRF token: its signed form changes every second, so the session's
    secret it signs stands in for it (a kept copy's token stays valid while that is the same).
    No freshness is given: without Last-Modified a browser revalidates on every visit.
    `volatile` is left out of the digest too (the gift page's server clock, read only by a
    countdown, which never gets an ETag)."""
    if current_user.is_authenticated or response.status_code != 200:
        return response
    body, token = response.get_data(), g.get("csrf_token")
    for changing in (token, volatile):
        if changing:
            body = body.replace(changing.encode(), b"")
    secret = str(session.get("csrf_token", "")).encode()
    response.set_etag(sha1(secret + b"\0" + body).hexdigest())
    return response
