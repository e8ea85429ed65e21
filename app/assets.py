"""Static files: fingerprinted URLs with year-long caching, and gzip for text responses."""

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_SIZE = 512
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _static_url_defaults(app: Flask):
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = Path(app.static_folder) / values["filename"]
            if path.is_file():
                values["v"] = _fingerprint(str(path), path.stat().st_mtime)

    return add_version


@lru_cache(maxsize=64)
def _gzip_static(path: str, version: str, body: bytes) -> bytes:
    """Fingerprinted files never change, so each is compressed once per process."""
    return gzip.compress(body, compresslevel=9)


def _compress(response):
    """Gzip text bodies for clients that accept it (static files and pages alike)."""
    if (
        response.status_code < 200
        or response.status_code >= 300
        or response.direct_passthrough
        and request.endpoint != "static"
    ):
        return response
    mimetype = response.mimetype or ""
    if "gzip" not in request.accept_encodings or "Content-Encoding" in response.headers:
        return response
    if not mimetype.startswith(COMPRESSIBLE):
        return response
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    if request.endpoint == "static" and request.args.get("v"):
        response.set_data(_gzip_static(request.path, request.args["v"], body))
    else:
        response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
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
    app.after_request(_compress)
    app.after_request(_cache_static)
