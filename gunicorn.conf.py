"""gunicorn reads this file from the working directory: settings for the hotline's web process."""

import glob
import os
import tempfile

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Access logs would carry request paths only, but keep them off: the webhook's own log
# lines say what happened without any personal data.
accesslog = None

# Operators' metrics (HOTLINE_METRICS_TOKEN): each worker counts the webhook in a file of its
# own in PROMETHEUS_MULTIPROC_DIR and a scrape, whichever worker answers it, sums the files.
# Set here, before any worker imports prometheus_client; a private folder when not given.
if os.environ.get("HOTLINE_METRICS_TOKEN", "").strip() and not os.environ.get(
    "PROMETHEUS_MULTIPROC_DIR"
):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hotline-metrics-")


def on_starting(server):  # type: ignore[no-untyped-def]
    """A fresh start counts from zero: the files of an earlier run would add to today's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.isdir(folder):
        for path in glob.glob(os.path.join(folder, "*.db")):
            os.remove(path)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker that ended keeps its counts (they are totals); prometheus_client tidies up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Pay the first-use costs before the first family waits for them.

    In the new worker, before it loads the app: building the language detector leaves a few
    MiB of scratch memory behind, which the app's own loading then reuses. Warmed after the
    app, the same worker peaked about 5 MiB higher.
    """
    from bot.conversation import dates, language

    # dateparser's first parse costs 30-60 ms; English and Spanish are most texters'.
    dates.warm_up(("en", "es"))
    language.detect("Hello, my brother was arrested yesterday")  # loads the detector
