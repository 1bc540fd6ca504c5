"""GET /metrics: the Prometheus text format, for a bearer token only.

A token rather than a second port: on Heroku-style platforms only $PORT reaches the web
process, and each gunicorn worker could not bind its own port anyway. The token is compared
in constant time; without one configured the route does not exist (404).
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)


def authorized() -> bool:
    expected = current_app.config["HOTLINE_SETTINGS"].metrics_token.encode()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest on bytes of any length: no early exit that would time the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


@bp.get("/metrics")
def metrics() -> Response:
    if not authorized():
        log.warning("metrics: refused a scrape without the right token")
        return Response(
            "A bearer token is needed (HOTLINE_METRICS_TOKEN).\n", 401,
            {"WWW-Authenticate": 'Bearer realm="hotline-metrics"'}, mimetype="text/plain",
        )
    registry = current_app.extensions["metrics"].registry
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
