"""Page-weight budgets of the home and gift pages, logged out and as a member.

First HTML ≤ 14 KB gzipped (one TCP initial window), all JS ≤ 20 KB gzipped, ≤ 15 requests,
images sized and lazy below the fold, static URLs fingerprinted, cached for a year and gzipped.
"""

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from app.demo import loader as demo
from app.timeutil import utcnow

HTML_BUDGET = 14 * 1024  # bytes, gzip-compressed
JS_BUDGET = 20 * 1024  # bytes, gzip-compressed, every script of the page together
REQUEST_BUDGET = 15  # the HTML plus every distinct static URL it references
YEAR = 365 * 24 * 3600
GZIP_MIN = 512  # smaller text bodies fit in one packet either way
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
PAGES = [("home", "/"), ("gift", "/gifts/1")]
MEMBERS = [("base member", "13800000000"), ("gold member", "13800000002")]
GZIP = {"Accept-Encoding": "gzip"}


@dataclass
class Image:
    """An <img> and where it sits."""

    attrs: dict
    in_header: bool


@dataclass
class PageRefs(HTMLParser):
    """Everything a page asks the browser to fetch, and its images."""

    scripts: list = field(default_factory=list)
    styles: list = field(default_factory=list)
    others: list = field(default_factory=list)  # icons, images, <use href> sprites
    images: list = field(default_factory=list)
    drawings: list = field(default_factory=list)  # inline <svg class="drawing"> (the sprite's)
    _header: bool = False

    def __post_init__(self):
        super().__init__()

    def handle_starttag(self, tag, attrs):
        """Collect src/href of scripts, stylesheets, icons, images and sprite uses."""
        a = dict(attrs)
        self._header |= tag == "header"
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            self.styles.append(a["href"])
        elif tag == "link" and a.get("href"):
            self.others.append(a["href"])
        elif tag == "svg" and "drawing" in (a.get("class") or "").split():
            self.drawings.append(a)
        elif tag == "img":
            self.images.append(Image(a, self._header))
            self.others.append(a.get("src", ""))
        elif tag == "use" and (a.get("href") or a.get("xlink:href")):
            self.others.append((a.get("href") or a.get("xlink:href")).split("#")[0])

    def handle_startendtag(self, tag, attrs):
        """<use .../> and <img .../> written self-closing."""
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        """Leave <header>."""
        if tag == "header":
            self._header = False

    def static_urls(self) -> list[str]:
        """Distinct same-site /static URLs, in order of appearance."""
        urls = [u for u in self.scripts + self.styles + self.others if u]
        return list(dict.fromkeys(u for u in urls if urlsplit(u).path.startswith("/static/")))


@dataclass
class Page:
    """A fetched page: its gzipped size, parsed references and the static responses."""

    name: str
    html_gzip: int
    refs: PageRefs
    static: dict  # url -> (status, headers, gzipped-or-plain body length, plain body length)


def _get(client, url: str):
    """GET with gzip accepted; (status, headers, wire bytes), the response closed."""
    response = client.get(url, headers=GZIP)
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


def _fetch(client, path: str, name: str) -> Page:
    status, headers, wire = _get(client, path)
    assert status == 200, f"{name}: {path} answered {status}"
    assert headers.get("Content-Encoding") == "gzip", f"{name}: the HTML is not gzipped"
    refs = PageRefs()
    refs.feed(gzip.decompress(wire).decode())
    static = {}
    for url in refs.static_urls():
        s_status, s_headers, s_wire = _get(client, url)
        plain = gzip.decompress(s_wire) if s_headers.get("Content-Encoding") == "gzip" else s_wire
        static[url] = (s_status, s_headers, len(s_wire), len(plain))
    return Page(name, len(wire), refs, static)


@pytest.fixture
def pages(app, client, session, login_as) -> list[Page]:
    """Home and gift pages on demo data: as a visitor, the base-tier member (locked gifts) and
    the Gold member (a 'For you' row above the banner)."""
    demo.load(session, now=utcnow())
    session.commit()
    fetched = [_fetch(client, path, f"{name} (visitor)") for name, path in PAGES]
    for who, phone in MEMBERS:
        token = login_as(phone, "demo1234")
        fetched += [_fetch(client, path, f"{name} ({who})") for name, path in PAGES]
        client.post("/logout", data={"csrf_token": token})
    assert fetched[0].refs.static_urls(), "no static references found: is the parser broken?"
    return fetched


def test_first_html_fits_one_initial_congestion_window(pages):
    for page in pages:
        assert page.html_gzip <= HTML_BUDGET, f"{page.name}: HTML is {page.html_gzip} B gzipped"


def test_javascript_stays_small(pages):
    for page in pages:
        assert set(page.refs.scripts) <= set(page.static), f"{page.name}: a script not in /static"
        total = sum(page.static[u][2] for u in dict.fromkeys(page.refs.scripts))
        assert total <= JS_BUDGET, f"{page.name}: {total} B of gzipped JS: {page.refs.scripts}"


def test_request_count(pages):
    for page in pages:
        count = 1 + len(page.refs.static_urls())
        assert count <= REQUEST_BUDGET, f"{page.name}: {count} requests: {page.refs.static_urls()}"


def test_images_are_sized_and_lazy_below_the_fold(pages):
    """Every <img> has width and height; all load lazily but the header logo and one hero
    (banner or gift picture) in <main>, which are above the fold. Drawn gifts are inline <svg>s
    using one sprite: sized too, and all of them cost that one file."""
    for page in pages:
        assert page.refs.drawings, f"{page.name}: no drawn gift found: is the parser broken?"
        for svg in page.refs.drawings:
            assert svg.get("width") and svg.get("height"), f"{page.name}: a drawing unsized"
        sprites = {u for u in page.static if "/img/gifts.svg" in u}
        assert len(sprites) == 1, f"{page.name}: drawings from {sprites}"
        eager = []
        for img in page.refs.images:
            src = img.attrs.get("src")
            assert img.attrs.get("width") and img.attrs.get("height"), f"{page.name}: {src} unsized"
            if img.attrs.get("loading") != "lazy" and not img.in_header:
                eager.append(src)
        assert len(eager) <= 1, f"{page.name}: only the hero may load eagerly, not all of {eager}"


def test_static_urls_are_fingerprinted_cached_for_a_year_and_gzipped(pages):
    for page in pages:
        for url, (status, headers, wire, plain) in page.static.items():
            where = f"{page.name}: {url}"
            assert status == 200, f"{where} answered {status}"
            assert re.fullmatch(r"[0-9a-f]{8,}", parse_qs(urlsplit(url).query).get("v", [""])[0]), (
                f"{where} has no ?v= fingerprint"
            )
            cache = headers.get("Cache-Control", "")
            max_age = re.search(r"max-age=(\d+)", cache)
            assert max_age and int(max_age.group(1)) >= YEAR, f"{where}: Cache-Control {cache!r}"
            if headers.get("Content-Type", "").startswith(TEXT_TYPES) and plain >= GZIP_MIN:
                assert headers.get("Content-Encoding") == "gzip", f"{where} is not gzipped"
                assert wire < plain, f"{where}: gzip made it bigger"
