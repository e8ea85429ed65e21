"""The only code that reads HX-* headers or sets HX-Trigger / Vary."""

from flask import make_response, render_template
from jinja2_fragments.flask import render_block

from app.extensions import htmx


def wants_fragment() -> bool:
    """An htmx request that is not a history restore."""
    return bool(htmx) and not htmx.history_restore_request


def render(template: str, block: str, **context):
    """The full page, or only `block` of the same template for htmx; always Vary: HX-Request."""
    if wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def trigger(response, event: str = "points-changed"):
    """Ask the page to fire an event (every balance badge listens to points-changed)."""
    response.headers["HX-Trigger"] = event
    return response
