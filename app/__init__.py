"""Points Mall (积分商城): the application factory."""

import functools

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from app import converters, engine  # noqa: F401  (engine: the SQLite engine behaviour)
from app import extensions as ext
from app.config import Config
from app.flask_app import PointsMall, csrf_token


def create_app(config: type | None = None, **overrides) -> Flask:
    """Build the app from a config class plus keyword overrides."""
    app = PointsMall(__name__, instance_relative_config=True)
    app.config.from_object(config or Config)
    app.config.update(overrides)
    _refuse_unsafe_production(app)
    _share_compiled_templates(app)
    trust_proxies(app)
    converters.init_app(app)  # bounded <int:…> ids, before any route is added
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_cli(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from exactly TRUSTED_PROXIES proxies' headers."""
    hops = int(app.config.get("TRUSTED_PROXIES", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


@functools.cache
def _bytecode_cache() -> FileSystemBytecodeCache:
    return FileSystemBytecodeCache()  # a private directory under the system's temp dir


def _share_compiled_templates(app: Flask) -> None:
    """With JINJA_BYTECODE_CACHE (the test suite builds an app per test), every app's templates
    come from compiled code kept on disk, keyed by each template's source: compiled once."""
    if app.config.get("JINJA_BYTECODE_CACHE"):
        app.jinja_options = {**app.jinja_options, "bytecode_cache": _bytecode_cache()}


def _refuse_unsafe_production(app: Flask) -> None:
    """In production the sandbox SMS provider would publish every code at /dev/outbox."""
    if app.config.get("APP_ENV") == "production" and app.config.get("SMS_PROVIDER") == "sandbox":
        raise RuntimeError("APP_ENV=production with SMS_PROVIDER=sandbox: set a real SMS provider")


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    from app import models  # noqa: F401
    from app.i18n import select_locale
    from app.models.triggers import install_on_create

    ext.db.init_app(app)
    install_on_create(ext.db.metadata)
    ext.migrate.init_app(app, ext.db, directory=str(app.root_path + "/../migrations"))
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = csrf_token  # Flask-WTF's, signed once per raw token
    ext.babel.init_app(app, locale_selector=select_locale)
    ext.htmx.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from app.blueprints.admin import bp as admin
    from app.blueprints.api import bp as api
    from app.blueprints.auth import bp as auth
    from app.blueprints.checkout import bp as checkout
    from app.blueprints.counter import bp as counter
    from app.blueprints.mall import bp as mall
    from app.blueprints.media import bp as media
    from app.blueprints.member import bp as member

    for blueprint in (auth, mall, checkout, member, counter, admin, api, media):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    """Security headers, sessions, errors, template globals."""
    from app import assets, health, logs, security, web

    logs.configure(app)
    health.init_app(app)
    security.init_app(app)
    web.init_app(app)
    assets.init_app(app)


def register_cli(app: Flask) -> None:
    """flask demo / points / apikeys / tiers commands."""
    from app.cli import register

    register(app)
