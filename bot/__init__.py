"""Hotline: an SMS/WhatsApp hotline for families of people arrested by immigration enforcement."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .config import ConfigError, load_settings

if TYPE_CHECKING:  # Flask is imported by create_app, so the pure engine can load without it
    from flask import Flask

__all__ = ["create_app", "ConfigError"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, conversation engine, blueprints, CLI."""
    from flask import Flask

    from . import advocates, metrics, outbox, preview, webhook  # noqa: F401  (erase hooks)
    from .conversation.engine import Engine
    from .conversation.flows import load_flows
    from .conversation.i18n import load_catalog
    from .conversation.language import detect
    from .resources import load_directory, require
    from .security import init_app as init_security
    from .service import Hotline
    from .storage import crypto
    from .storage.db import make_engine

    settings = load_settings(overrides=test_config)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        PUBLIC_BASE_URL=settings.public_base_url,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        HOTLINE_SETTINGS=settings,
    )
    init_security(app, settings)  # trusted proxies, NUL bytes refused, security headers
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("transitions").setLevel(logging.WARNING)

    crypto.configure(crypto.DataKeys(settings.data_keys))
    catalog = load_catalog(settings.locales_dir)
    flow = load_flows(settings.flows_dir, catalog)
    from datetime import timedelta

    engine = Engine(flow, catalog, detect=detect, idle_after=timedelta(hours=settings.idle_hours))
    directory = load_directory(
        settings.resources_dir, catalog.codes, max_age_days=settings.policy_max_age_days
    )
    app.extensions["hotline"] = Hotline(
        db=make_engine(settings.database_url, prepare=settings.database_prepare),
        engine=engine,
        catalog=catalog,
        hotline_name=settings.hotline_name,
        timezone=settings.tz,
        resources=require(directory),
    )
    app.register_blueprint(webhook.bp)

    from sqlalchemy.exc import OperationalError

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):  # type: ignore[no-untyped-def]
        # The database is down or restarting: a clear "try again", never a bare 500.
        logging.getLogger(__name__).error("database unavailable: %s", type(error.orig).__name__)
        return "The hotline's database is not answering. Try again in a minute.", 503
    app.register_blueprint(preview.bp)
    advocates.init_app(app, app.extensions["hotline"], settings)
    advocates.exempt_from_csrf(webhook.bp)
    outbox.init_app(app)
    metrics.init_app(app, settings)  # /metrics, only with HOTLINE_METRICS_TOKEN
    return app
