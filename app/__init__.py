"""Points Mall (积分商城): the application factory."""

from flask import Flask

from app import engine  # noqa: F401  (registers the SQLite engine behaviour)
from app import extensions as ext
from app.config import Config


def create_app(config: type | None = None, **overrides) -> Flask:
    """Build the app from a config class plus keyword overrides."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or Config)
    app.config.update(overrides)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_cli(app)
    return app


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
    from app.blueprints.member import bp as member

    for blueprint in (auth, mall, checkout, member, counter, admin, api):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    """Security headers, sessions, errors, template globals."""
    from app import assets, security, web

    security.init_app(app)
    web.init_app(app)
    assets.init_app(app)


def register_cli(app: Flask) -> None:
    """flask demo / points / apikeys / tiers commands."""
    from app.cli import register

    register(app)
