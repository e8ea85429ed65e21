"""Static files: fingerprinted URLs with year-long caching; text compressed by Flask-Compress."""

import hashlib
import mimetypes
import time
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, abort, request
from flask_compress import Compress
from werkzeug.security import safe_join

COMPRESSIBLE = [
    "text/html", "text/css", "text/csv", "text/plain", "text/javascript", "application/javascript",
    "application/json", "image/svg+xml",
]  # fmt: skip
MIN_SIZE = 512
YEAR = 365 * 24 * 3600
compress = Compress()


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


RECHECK = 1.0  # seconds a file's fingerprint is trusted before its mtime is looked at again


def _static_url_defaults(app: Flask):
    checked: dict[str, tuple[float, str | None]] = {}  # filename -> (until, fingerprint)

    def version(filename: str) -> str | None:
        path = Path(app.static_folder) / filename
        try:
            stat = path.stat()
        except OSError:
            return None
        return _fingerprint(str(path), stat.st_mtime) if path.is_file() else None

    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            filename, now = values["filename"], time.monotonic()
            until, fingerprint = checked.get(filename, (0.0, None))
            if until < now:  # a page asks for the same few files dozens of times
                fingerprint = version(filename)
                checked[filename] = (now + RECHECK, fingerprint)
            if fingerprint:
                values["v"] = fingerprint

    return add_version


@lru_cache(maxsize=256)
def _static_body(path: str, mtime: float) -> bytes:
    return Path(path).read_bytes()


def _static_view(app: Flask):
    """Static files as whole (small) bodies with a content ETag, so that compression sees them.

    Conditional requests and ranges are answered after compression (in `_compress`): a 304 is
    only given for the ETag of the encoding being served, and a Range only for identity.
    """

    def static(filename: str):
        path = safe_join(app.static_folder, filename)
        if path is None or not Path(path).is_file():
            abort(404)
        mtime = Path(path).stat().st_mtime
        response = Response(_static_body(path, mtime), mimetype=mimetypes.guess_type(path)[0])
        response.set_etag(_fingerprint(path, mtime))
        response.last_modified = int(mtime)
        return response

    return static


def _compress(response):
    """Flask-Compress (strong ETags get the encoding appended, 304s per encoding); then, for an
    uncompressed body, the conditional and Range answers on the identity representation."""
    if response.status_code == 206 or "Content-Range" in response.headers:
        return response
    response = compress.after_request(response)
    if "Content-Encoding" not in response.headers and request.method in ("GET", "HEAD"):
        if request.endpoint == "static" and response.status_code == 200:
            response.make_conditional(
                request, accept_ranges=True, complete_length=response.content_length
            )
        elif response.status_code == 200 and response.get_etag()[0]:
            response.make_conditional(request)  # a page with an ETag (the visitors' catalogue)
    return response


def _cache_static(response):
    if request.endpoint == "static" and request.args.get("v"):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    """Fingerprint static URLs, cache them for a year, compress text."""
    app.url_default_functions.setdefault(None, []).append(_static_url_defaults(app))
    app.config.setdefault("COMPRESS_REGISTER", False)  # our _compress wraps its after_request
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSIBLE)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    compress.init_app(app)
    app.view_functions["static"] = _static_view(app)
    app.after_request(_compress)
    app.after_request(_cache_static)
