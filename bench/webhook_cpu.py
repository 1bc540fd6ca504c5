"""The webhook's CPU per message in one process: Flask's WSGI app, no HTTP, no gunicorn, no wrk.

    python bench/webhook_cpu.py [--db sqlite|postgres|both] [--messages 4000] [--profile]

bench/webhook.py measures what a family's phone waits for, under load, with wrk, gunicorn and
the database sharing the machine's cores; its figures move by 20% from one run to the next.
This one calls the app itself (``app(environ, start_response)``) with the same signed requests
(bench/webhook.py's mix, 2,000 senders), one after the other, after a warm-up of 2,000, and
prints per message: the process's CPU, the wall time, and on PostgreSQL the server's CPU (its
processes' times from /proc, so only meaningful on a server nothing else uses). A change that
saves CPU shows here first; run it before and after, alternating, more than once.

It then splits that CPU by the effects each message had, as the service's log line names them
("-" for none, "forget" for a "No" to consent that erased what the conversation stored).
``--profile`` prints cProfile's top functions by their own time (which slows the run).
Prints no number or message text.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.webhook import cpu_seconds, database, generate_pool  # noqa: E402

BASE_URL = "https://bench.hotline.example"
PATH = "/twilio/messages"
WARMUP = 2000
SENDERS = 2000


class Outcome(logging.Handler):
    """Keeps the effects named by the service's line for the message being answered."""

    effects = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "bot.service" and record.msg.startswith("inbound conversation="):
            self.effects = str(record.args[2])  # type: ignore[index]


def postgres_cpu_seconds() -> float:
    """User + system CPU of every process named postgres on this machine."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += cpu_seconds(int(pid)) or 0.0
    return total


def measure(kind: str, url: str, messages: int, workdir: Path, profile: bool) -> None:
    from cryptography.fernet import Fernet

    token = secrets.token_hex(16)
    account = "AC" + secrets.token_hex(16)
    os.environ.update(
        HOTLINE_ENV="production",
        HOTLINE_SECRET_KEY=secrets.token_hex(32),
        HOTLINE_DATA_KEYS=Fernet.generate_key().decode(),
        TWILIO_ACCOUNT_SID=account,
        TWILIO_AUTH_TOKEN=token,
        TWILIO_API_BASE_URL="http://127.0.0.1:9",  # nothing is sent: the outbox is not run
        TWILIO_FROM_NUMBER="+15559990000",
        TWILIO_WHATSAPP_FROM="whatsapp:+15559990000",
        PUBLIC_BASE_URL=BASE_URL,
        DATABASE_URL=url,
    )
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], cwd=REPO, check=True, capture_output=True
    )
    pool = workdir / f"{kind}.requests"
    generate_pool(pool, WARMUP + messages, SENDERS, BASE_URL + PATH, token, account)

    from werkzeug.test import EnvironBuilder

    from bot import create_app

    app = create_app()
    # The service's line per message says which effects it had ("forget" for a "No" to
    # consent): kept here, to group the messages' costs by them, instead of printed.
    outcome = Outcome()
    root = logging.getLogger()
    root.handlers[:] = [outcome]
    root.setLevel(logging.INFO)

    def environ(line: str) -> dict:
        signature, body = line.split("\t", 1)
        return EnvironBuilder(
            path=PATH, base_url=BASE_URL, method="POST", data=body.encode(),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        ).get_environ()

    environs = [environ(line) for line in pool.read_text().splitlines()]

    def call(env: dict) -> None:
        statuses: list[str] = []
        b"".join(app(dict(env), lambda status, _headers, _exc=None: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"[{kind}] a signed message was answered {statuses[0]}")

    for env in environs[:WARMUP]:
        call(env)
    profiler = cProfile.Profile() if profile else None
    server_before = postgres_cpu_seconds() if kind == "postgres" else 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    by_effects: dict[str, list[float]] = {}
    for env in environs[WARMUP:]:
        outcome.effects = "(no effects line)"
        started = time.process_time()
        call(env)
        by_effects.setdefault(outcome.effects, []).append(time.process_time() - started)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    line = (
        f"[{kind}] {messages} messages: {cpu / messages * 1000:.2f} ms of CPU per message "
        f"(wall {wall / messages * 1000:.2f} ms)"
    )
    if kind == "postgres":
        server = postgres_cpu_seconds() - server_before
        line += f", PostgreSQL's own CPU {server / messages * 1000:.2f} ms"
    print(line, flush=True)
    for effects, times in sorted(by_effects.items(), key=lambda kv: -len(kv[1])):
        print(
            f"[{kind}]   effects {effects}: {len(times)} messages, "
            f"{sum(times) / len(times) * 1000:.2f} ms of CPU each, "
            f"{sum(times) / cpu:.0%} of the CPU"
        )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    app.extensions["hotline"].db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory(prefix="hotline-cpu-") as tmp:
        for kind in kinds:
            # Each database in a process of its own: one app per process, as in a worker.
            if len(kinds) > 1:
                rest = ["--messages", str(args.messages)] + (["--profile"] if args.profile else [])
                subprocess.run([sys.executable, __file__, "--db", kind, *rest], check=True)
                continue
            with database(kind, Path(tmp)) as url:
                measure(kind, url, args.messages, Path(tmp), args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
