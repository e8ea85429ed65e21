"""The only code that reads HX-* headers or sets HX-Trigger / Vary."""

import jinja2_fragments
from flask import current_app, make_response, redirect, render_template
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


def render_public(template: str, block: str, **context):
    """`render`, but the fragment sees only `context` and the template globals: no template
    context processor runs, so a public poll never loads the signed-in user or their badge."""
    if not wants_fragment():
        return render(template, block, **context)
    body = jinja2_fragments.render_block(current_app.jinja_env, template, block, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def trigger(response, event: str = "points-changed"):
    """Ask the page to fire an event (every balance badge listens to points-changed)."""
    response.headers["HX-Trigger"] = event
    return response


def redirect_to(url: str, event: str | None = None, status: int = 303):
    """A redirect: plain for normal requests, HX-Redirect for htmx (never swap a whole page in)."""
    if not htmx:
        return redirect(url, status)
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    if event:
        trigger(response, event)
    return response


def redirect_after_post(url: str, event: str | None = "points-changed"):
    """After a successful POST: 303, or HX-Redirect plus the event that refreshes the badges."""
    return redirect_to(url, event)


def retarget(response, selector: str, swap: str = "outerHTML"):
    """Swap this answer into `selector` instead of the element the request named."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = swap
    return response
