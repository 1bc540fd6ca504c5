"""The advocates' side: accounts, handoff notifications, the web inbox, SMS commands, purge."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..erasure import ERASE_HOOKS
from ..machine_translation import cache as _translations  # noqa: F401  (its erase hooks)
from ..machine_translation import translator_from
from ..security import is_media_url
from .desk import Desk
from .purge import erase_conversations

if TYPE_CHECKING:
    from ..config import Settings
    from ..service import Hotline

csrf = CSRFProtect()
ERASE_HOOKS.append(erase_conversations)

__all__ = ["Desk", "csrf", "init_app"]


def init_app(app: Flask, hotline: Hotline, settings: Settings) -> Desk:
    """Wire the advocates' side into the app: listeners, interceptor, inbox, CSRF, jobs."""
    from . import (
        auth,
        broadcast_views,
        hearing_pages,
        inbox,
        jobs,
        reply_translation,  # noqa: F401  (its routes join the inbox's)
        staff,
        stats_page,
    )
    from .handoff import Listener
    from .sms_commands import Commands

    desk = Desk.from_settings(hotline, settings)
    app.extensions["advocates"] = desk
    app.extensions["machine_translation"] = translator_from(
        settings.libretranslate_url, settings.libretranslate_api_key,
        settings.libretranslate_timeout,
    )
    hotline.case_listeners.append(Listener(desk))
    hotline.inbound_interceptors.append(Commands(desk))
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # A page left open all shift still submits; the token dies with the session.
        WTF_CSRF_TIME_LIMIT=None,
    )
    if settings.production:
        # __Host- cookies are refused by browsers unless Secure, Path=/ and without Domain.
        app.config["SESSION_COOKIE_NAME"] = "__Host-hotline"
    csrf.init_app(app)
    # `{% if url is twilio_media %}`: a file becomes a link only on Twilio's media hosts.
    app.jinja_env.tests["twilio_media"] = lambda url: is_media_url(url, desk.media_hosts)
    auth.login_manager.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(stats_page.bp)
    app.register_blueprint(hearing_pages.bp)
    app.register_blueprint(broadcast_views.bp)
    app.register_blueprint(staff.bp)  # admins edit advocates' languages, role and hours
    # Periodic jobs run in `hotline serve` and beside the outbox worker (`outbox work`).
    app.extensions.setdefault("hotline_periodic", []).append(jobs.start_background)
    app.extensions["hotline_periodic"].append(broadcast_views.start_background)

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> tuple[str, int]:
        message = (
            "This form was not accepted: it expired or did not come from the inbox. "
            "Go back, reload the page and try again."
        )
        return render_template("inbox/error.html", title="Form refused", message=message), 400

    return desk


def exempt_from_csrf(*blueprints: object) -> None:
    """Twilio's webhooks are signed by Twilio and carry no CSRF token."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)  # type: ignore[arg-type]
