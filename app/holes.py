"""Pages rendered once for everyone alike, with holes for what is each viewer's own.

A page of the mall is the same for every member of a tier but for a few spots: the points
badge, the CSRF token, each card's flag, "for you", a flash card's button, the server clock.
The page is rendered once with a `Hole` in each of those spots and kept, cut at its holes (a
`Shape`), per catalogue stamp, until the next listing or window boundary; each request fills the
holes — a few short strings — instead of rendering the whole template again.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, make_response, render_template
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from app import cache
from app.extensions import db
from app.htmx import wants_fragment

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: never in a rendered page
MAX_SHAPES = 2000  # a process keeps at most this many shapes of one stamp


class Hole(str):
    """A spot to fill per request; renders (unescaped) as its marker."""

    def __new__(cls, name: str) -> "Hole":
        """The hole called `name`."""
        return super().__new__(cls, f"{OPEN}{name}{CLOSE}")

    def __html__(self) -> str:
        """Markup-safe: the marker goes through autoescaping untouched."""
        return str(self)

    def isoformat(self) -> "Hole":
        """Stands in for a datetime whose ISO form is the hole (`now.isoformat()`)."""
        return self


def csrf_hole() -> Hole:
    """What `csrf_token()` gives while a page is kept for everyone."""
    return Hole("csrf")


@dataclass(frozen=True)
class Shape:
    """A rendered page cut at its holes, good until `until` (None: until the next stamp)."""

    first: str
    rest: tuple  # (hole name, text after the hole)
    until: datetime | None

    @classmethod
    def cut(cls, html: str, until: datetime | None) -> "Shape":
        """Cut `html` at its holes."""
        first, *pieces = html.split(OPEN)
        return cls(first, tuple(tuple(p.split(CLOSE, 1)) for p in pieces), until)

    @property
    def holes(self) -> list[str]:
        """The names of the holes, in page order."""
        return [name for name, _ in self.rest]

    def fill(self, values: dict) -> str:
        """The page with every hole filled from `values`."""
        parts = [self.first]
        for name, after in self.rest:
            parts += (values[name], after)
        return "".join(parts)


def _shapes() -> dict:
    store = current_app.extensions.setdefault("pointsmall.shapes", {})
    version = cache.stamp()
    if store.get("stamp") != version or len(store) > MAX_SHAPES:
        store.clear()
        store["stamp"] = version
    return store


def kept(key: tuple, now: datetime, build) -> Shape:
    """The shape kept under `key` for this stamp, or `build()`'s: (html, until) rendered with
    holes. A page holding a viewer's real CSRF token, or built from uncommitted catalogue rows,
    is used once and never kept."""
    store = _shapes()
    shape = None if cache.dirty(db.session) else store.get(key)
    if shape is None or (shape.until is not None and now >= shape.until):
        html, until = build()
        shape = Shape.cut(html, until)
        token = g.get("csrf_token")  # a viewer's real token must never be kept for others
        if not cache.dirty(db.session) and not (token and token in html):
            store[key] = shape
    return shape


def render_kept(template: str, block: str, context: dict) -> str:
    """`template` (or only `block`, for htmx) rendered with holes for the CSRF token."""
    context.setdefault("csrf_token", csrf_hole)
    if wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)


def render(template: str, block: str, key: tuple, now: datetime, build, fill):
    """`htmx.render` of a page kept per catalogue stamp: `build()` gives the context to render
    it with holes (and `until`, when it stops being right); `fill(names)` the hole values."""

    def html() -> tuple:
        context, until = build()
        return render_kept(template, block, context), until

    shape = kept((template, block if wants_fragment() else None, *key), now, html)
    response = make_response(shape.fill({k: Markup(v) for k, v in fill(shape.holes).items()}))
    response.vary.add("HX-Request")
    return response
