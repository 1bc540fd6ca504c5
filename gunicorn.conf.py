"""gunicorn reads this file from the working directory: settings for the hotline's web process."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Access logs would carry request paths only, but keep them off: the webhook's own log
# lines say what happened without any personal data.
accesslog = None


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Pay the first-use costs before the first family waits for them."""
    from bot.conversation import dates, language

    # dateparser's first parse costs 30-60 ms; English and Spanish are most texters'.
    dates.warm_up(("en", "es"))
    language.detect("Hello, my brother was arrested yesterday")  # loads the detector
