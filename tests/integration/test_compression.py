"""Compression by Flask-Compress: Range stays identity, q=0 is honoured, one ETag per encoding."""

import gzip

from flask import url_for


def _static(app) -> str:
    with app.test_request_context():
        return url_for("static", filename="js/htmx-2.0.11.min.js")


def test_ranges_are_served_on_identity_only_never_a_gzipped_206(app, client):
    url = _static(app)
    whole = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
    part = client.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert part.get_data() == whole[:100]
    zipped = client.get(url, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert zipped.status_code == 200 and "Content-Range" not in zipped.headers
    assert gzip.decompress(zipped.get_data()) == whole


def test_gzip_q0_is_not_gzip(app, client):
    url = _static(app)
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    accepted = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert accepted.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(accepted.get_data()) == refused.get_data()
    assert "Accept-Encoding" in accepted.headers["Vary"]


def test_a_304_never_crosses_encodings(app, client):
    url = _static(app)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.headers["ETag"] != zipped.headers["ETag"]
    cross = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    )
    assert cross.status_code == 200 and cross.headers["Content-Encoding"] == "gzip"
    same = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert same.status_code == 304


def test_fingerprinted_static_stays_immutable(app, client):
    response = client.get(_static(app), headers={"Accept-Encoding": "br"})
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "br"
