"""/preview: every message of a locale as a phone bubble, for translators (never for the public)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, render_template

if TYPE_CHECKING:
    from .translations.check import Report

# The translation tools are imported by the views that use them: a web worker that never
# shows the preview does not carry them in memory.

bp = Blueprint("preview", __name__, url_prefix="/preview")


def can_preview() -> bool:
    """Whether this request may see the preview: the one place that decides.

    Development: anyone on the machine. Production: an admin logged in to the inbox.
    """
    settings = current_app.config["HOTLINE_SETTINGS"]
    if not settings.production:
        return True
    from flask_login import current_user

    return bool(current_user.is_authenticated and getattr(current_user, "is_admin", False))


@bp.before_request
def _translators_only() -> None:
    # A 404, not a 403: the preview does not exist for anyone else.
    if not can_preview():
        abort(404)


def _report() -> Report:
    """Read the files on every request, so a translator sees an edit by reloading the page."""
    from .translations.check import check_locales

    settings = current_app.config["HOTLINE_SETTINGS"]
    return check_locales(settings.locales_dir, settings.flows_dir)


@bp.get("/")
def index() -> str:
    """Every locale, how complete it is and what its main paths cost."""
    from .translations.stats import locale_stats

    report = _report()
    settings = current_app.config["HOTLINE_SETTINGS"]
    rows = locale_stats(report, settings.hotline_name)
    return render_template("preview/index.html", rows=rows, report=report)


@bp.get("/<code>")
def locale(code: str) -> str:
    """Every key of one locale as the texter would read it."""
    from .translations.preview import locale_preview
    from .translations.stats import locale_stats

    report = _report()
    if code not in report.files:
        broken = [i for i in report.errors if i.locale == code and i.kind == "file"]
        if not broken:
            abort(404)
        return render_template("preview/broken.html", code=code, issues=broken)
    settings = current_app.config["HOTLINE_SETTINGS"]
    items = locale_preview(report, code, settings.hotline_name)
    own = report.files[code].locale
    stats = locale_stats(report, settings.hotline_name, only=code)[0]
    return render_template(
        "preview/locale.html",
        locale=own,
        items=items,
        stats=stats,
        codes=list(report.files),
        general=[i for i in report.issues(code) if i.key is None],
    )
