"""Load benchmark of the inbound Twilio webhook (POST /twilio/messages).

Runs a bare Flask endpoint (bench/bare_app.py) and the hotline app (``bot:create_app()``), each
under ``gunicorn -w 2`` (sync workers) on loopback, and drives each with wrk using pre-generated,
correctly signed requests, every one with its own MessageSid.  Prints requests/s, p50/p99
latency, errors and the hotline/bare ratio, and the peak RSS of each gunicorn worker.

    python bench/webhook.py [--db sqlite|postgres|both] [--senders 3000] [--duration 15]
                            [--connections 16] [--threads 2]

See bench/README.md.  Output never contains phone numbers or message bodies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench import webhook_report  # noqa: E402
from bench.traffic import CONVERSATIONS, WHATSAPP_SHARE, sender_number, text_at  # noqa: E402
from bench.webhook_report import (  # noqa: E402
    Result,
    parse_wrk,
    print_engine_and_targets,
    print_report,
)
from tests.fake_twilio import FakeTwilio  # noqa: E402

LUA_SCRIPT = REPO / "bench" / "wrk_requests.lua"
WEBHOOK_PATH = webhook_report.WEBHOOK_PATH
BARE_APP = "bench.bare_app:app"
HOTLINE_APP = "bot:create_app()"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOTLINE_NUMBER = "+15559990000"
WARMUP_REQUESTS = 20
STARTUP_TIMEOUT = 30.0
UPGRADE_TIMEOUT = 180.0



# -- request generation ---------------------------------------------------------------------


def inbound_params(
    rng: random.Random, account_sid: str, service_sid: str, sender: str, whatsapp: bool, text: str
) -> dict[str, str]:
    """The form fields Twilio posts for one inbound SMS or WhatsApp message."""
    sid = "SM" + f"{rng.getrandbits(128):032x}"
    if whatsapp:
        return {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ProfileName": "Familia",
            "MessageType": "text",
            "SmsSid": sid,
            "WaId": sender.lstrip("+"),
            "SmsStatus": "received",
            "Body": text,
            "To": "whatsapp:" + HOTLINE_NUMBER,
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "MessageSid": sid,
            "AccountSid": account_sid,
            "From": "whatsapp:" + sender,
            "ApiVersion": "2010-04-01",
        }
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": text,
        "FromCountry": "US",
        "To": HOTLINE_NUMBER,
        "MessagingServiceSid": service_sid,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def generate_pool(
    path: Path,
    count: int,
    senders: int,
    url: str,
    auth_token: str,
    account_sid: str,
    seed: int = 1,
    number_base: int = 2_000_000,
) -> None:
    """Write ``count`` signed requests, one a line: "<signature>\\t<body>".

    Line k is message number k // senders of sender k % senders, so consecutive messages of one
    sender are ``senders`` lines apart and reach the server in order.
    """
    rng = random.Random(seed)
    service_sid = "MG" + f"{rng.getrandbits(128):032x}"
    profiles = [
        (sender_number(i, number_base), rng.random() < WHATSAPP_SHARE, rng.choice(CONVERSATIONS))
        for i in range(senders)
    ]
    validator = RequestValidator(auth_token)
    with path.open("w", encoding="utf-8") as out:
        for k in range(count):
            turn, who = divmod(k, senders)
            number, whatsapp, conversation = profiles[who]
            text = text_at(conversation, turn)
            params = inbound_params(rng, account_sid, service_sid, number, whatsapp, text)
            signature = validator.compute_signature(url, params)
            out.write(signature + "\t" + urllib.parse.urlencode(params) + "\n")


# -- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Stop a process started with start_new_session=True, then anything left in its group."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # our own session: gunicorn and its workers
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def child_pids(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(p) for p in f.read().split())
    except OSError:
        pass
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process in KiB, or (0, 0) if it is gone."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return hwm, rss


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples the peak RSS of every worker of a gunicorn master until stopped."""

    def __init__(self, master_pid: int, interval: float = 0.25):
        super().__init__(daemon=True, name="rss-sampler")
        self.master_pid = master_pid
        self.interval = interval
        self.peak_kib: dict[int, int] = {}
        # CPU seconds of each worker when first and last seen: their CPU per request, a
        # figure that depends far less on what else runs on the machine than requests/s.
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self._stop_event = threading.Event()

    def sample(self) -> None:
        for pid in child_pids(self.master_pid):
            hwm, rss = memory_kib(pid)
            peak = max(hwm, rss)
            if peak:
                self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), peak)
            cpu = cpu_seconds(pid)
            if cpu is not None:
                self.cpu_first.setdefault(pid, cpu)
                self.cpu_last[pid] = cpu

    def cpu_used(self) -> float:
        return sum(self.cpu_last[pid] - self.cpu_first[pid] for pid in self.cpu_last)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> dict[int, int]:
        self.sample()
        self._stop_event.set()
        self.join(timeout=5)
        return dict(self.peak_kib)


def wait_until_serving(proc: subprocess.Popen, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout:.0f}s")


def warm_up(port: int, pool_file: Path) -> None:
    """Send the warm-up requests one by one; every one must be answered 200 with XML."""
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    for line in pool_file.read_text().splitlines():
        signature, body = line.split("\t", 1)
        request = urllib.request.Request(
            url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, ctype = response.status, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            status, ctype = err.code, err.headers.get("Content-Type", "")
        if status != 200 or "xml" not in ctype:
            raise RuntimeError(
                f"a signed warm-up request was answered HTTP {status} ({ctype or 'no type'}), "
                "expected 200 text/xml"
            )


def run_wrk(args: argparse.Namespace, port: int, pool_file: Path, workdir: Path) -> str:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        "--",
        str(pool_file),
        str(args.threads),
        f"127.0.0.1:{port}",
    ]
    out = subprocess.run(
        cmd,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=args.duration + 120,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed (status {out.returncode}): {out.stderr.strip()[-500:]}")
    return out.stdout


def bench_target(
    name: str,
    app: str,
    port: int,
    env: dict[str, str],
    args: argparse.Namespace,
    pool_file: Path,
    warmup_file: Path,
    workdir: Path,
    fake: FakeTwilio,
) -> Result:
    result = Result(name)
    log = workdir / f"gunicorn-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(REPO),
        # The hotline runs with its own gunicorn.conf.py (as in production: it warms each
        # worker); the bare endpoint with none, so it imports nothing of the hotline.
        "--config",
        str(REPO / "gunicorn.conf.py") if app.startswith("bot:") else "/dev/null",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        app,
    ]
    print(f"[{name}] starting gunicorn -w 2 -b 127.0.0.1:{port} {app}", flush=True)
    proc = None
    sampler = None
    try:
        with log.open("ab") as log_out:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_serving(proc, port, STARTUP_TIMEOUT)
            warm_up(port, warmup_file)
        except RuntimeError as err:
            result.error = f"{err}; gunicorn log: {log}"
            if proc.poll() is not None:
                # It died while starting, before any request: its output holds no phone
                # numbers or message bodies.
                result.error += f"\n{tail(log)}"
            return result
        sampler = MemorySampler(proc.pid)
        sampler.start()
        fake.reset()
        print(
            f"[{name}] wrk -t{args.threads} -c{args.connections} -d{args.duration}s",
            flush=True,
        )
        output = run_wrk(args, port, pool_file, workdir)
        parse_wrk(output, result)
        result.outbound_api_messages = len(fake.messages)
        if proc.poll() is not None:
            result.error = f"gunicorn exited with status {proc.returncode} during the run"
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        result.error = str(err)
    finally:
        if sampler is not None:
            peaks = sampler.stop()
            result.worker_cpu_s = sampler.cpu_used()
            result.worker_peak_rss_mib = {
                str(pid): kib / 1024 for pid, kib in sorted(peaks.items())
            }
        stop_process(proc)
    return result


# -- databases ------------------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database; yields its SQLAlchemy URL and removes it afterwards."""
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="sqlite-", dir=workdir))
        try:
            yield f"sqlite:///{directory}/hotline.db"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    import psycopg

    name = "hotline_bench_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_import_error(app: str, env: dict[str, str]) -> str:
    """Why ``app`` (a gunicorn "module:attr" spec) cannot be loaded, or "" if it can."""
    module, _, attr = app.partition(":")
    attr = attr.split("(", 1)[0] or "application"
    probe = (
        "import importlib, sys\n"
        f"m = importlib.import_module({module!r})\n"
        f"sys.exit(0 if hasattr(m, {attr!r}) else 3)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode == 0:
        return ""
    if out.returncode == 3:
        return f"module {module!r} has no {attr!r}"
    last = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
    return f"cannot import {module!r}: {last}"


def db_upgrade(env: dict[str, str], log: Path) -> None:
    """Run ``hotline db upgrade`` (the console script, or bot.cli:main if not installed)."""
    script = Path(sys.executable).parent / "hotline"
    if script.exists():
        cmd = [str(script), "db", "upgrade"]
    elif shutil.which("hotline", path=env.get("PATH")):
        cmd = ["hotline", "db", "upgrade"]
    else:
        cmd = [
            sys.executable,
            "-c",
            "import sys; from bot.cli import main; sys.argv[0] = 'hotline'; sys.exit(main())",
            "db",
            "upgrade",
        ]
    with log.open("ab") as out:
        done = subprocess.run(
            cmd,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=UPGRADE_TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"`hotline db upgrade` failed with status {done.returncode}\n--- {log} ---\n{tail(log)}"
        )


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--senders", type=int, default=3000, help="distinct simulated senders")
    p.add_argument("--duration", type=int, default=15, help="seconds of load per target")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument(
        "--requests",
        type=int,
        default=0,
        help="distinct requests to generate (default: duration x 8000)",
    )
    p.add_argument(
        "--target-app",
        default=HOTLINE_APP,
        help=f"gunicorn app spec benchmarked against the bare one (default {HOTLINE_APP!r}; "
        f"{BARE_APP!r} checks the harness itself)",
    )
    p.add_argument("--skip-bare", action="store_true", help="benchmark only the target app")
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the target app (repeatable)",
    )
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs, requests)")
    args = p.parse_args(argv)
    if any("=" not in item for item in args.env):
        p.error("--env expects NAME=VALUE")
    if args.threads < 1 or args.connections < args.threads:
        p.error("need --threads >= 1 and --connections >= --threads")
    if args.senders < 1 or args.duration < 1:
        p.error("--senders and --duration must be positive")
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def app_environment(args: argparse.Namespace, fake: FakeTwilio, public_base_url: str):
    """The environment of the gunicorn processes: (bare app's, target app's)."""
    from cryptography.fernet import Fernet

    base = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    base.pop("DATABASE_URL", None)
    base["PYTHONUNBUFFERED"] = "1"
    app = dict(
        base,
        HOTLINE_ENV="production",
        HOTLINE_SECRET_KEY=secrets.token_hex(32),
        HOTLINE_DATA_KEYS=Fernet.generate_key().decode(),
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_API_BASE_URL=fake.base_url,
        TWILIO_FROM_NUMBER=HOTLINE_NUMBER,
        TWILIO_WHATSAPP_FROM="whatsapp:" + HOTLINE_NUMBER,
        PUBLIC_BASE_URL=public_base_url,
    )
    for item in args.env:
        name, _, value = item.partition("=")
        app[name] = value
    return base, app


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed; install it with `apt-get install -y wrk` and run again.",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # e.g. a CI timeout: clean up as on Ctrl-C

    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    fake = FakeTwilio(account_sid="AC" + secrets.token_hex(16), auth_token=secrets.token_hex(16))
    results: list[Result] = []
    status = 0
    try:
        fake.start()
        target_port, bare_port = free_port(), free_port()
        public_base_url = f"http://127.0.0.1:{target_port}"
        bare_env, app_env = app_environment(args, fake, public_base_url)

        is_hotline = args.target_app == HOTLINE_APP
        label = "hotline" if is_hotline else args.target_app.split(":")[0].split(".")[-1]
        unavailable = app_import_error(args.target_app, app_env)
        if unavailable:
            what = "the hotline app (bot:create_app)" if is_hotline else args.target_app
            unavailable = f"{what} cannot be benchmarked yet: {unavailable}"
            print(f"NOTE: {unavailable}", flush=True)
            if args.skip_bare:
                return 2

        # Signed for the target's URL; the bare app checks no signature.
        signed_url = public_base_url + WEBHOOK_PATH
        count = max(args.requests or args.duration * 8000, args.senders)
        pool_file, warmup_file = workdir / "requests.tsv", workdir / "warmup.tsv"
        started = time.monotonic()
        generate_pool(pool_file, count, args.senders, signed_url, fake.auth_token, fake.account_sid)
        generate_pool(
            warmup_file,
            WARMUP_REQUESTS,
            WARMUP_REQUESTS,
            signed_url,
            fake.auth_token,
            fake.account_sid,
            seed=2,
            number_base=9_000_000,
        )
        print(
            f"generated {count} signed requests from {args.senders} senders "
            f"in {time.monotonic() - started:.1f}s",
            flush=True,
        )
        files = (pool_file, warmup_file, workdir)

        if not args.skip_bare:
            results.append(bench_target("bare", BARE_APP, bare_port, bare_env, args, *files, fake))

        if unavailable:
            results.append(Result(label, error=unavailable))
            status = 2
        else:
            kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
            for kind in kinds:
                name = f"{label}[{kind}]"
                try:
                    with database(kind, workdir) as url:
                        env = dict(app_env, DATABASE_URL=url)
                        if is_hotline:
                            print(f"[{name}] hotline db upgrade", flush=True)
                            db_upgrade(env, workdir / f"db-upgrade-{kind}.log")
                        results.append(
                            bench_target(
                                name, args.target_app, target_port, env, args, *files, fake
                            )
                        )
                except Exception as err:  # report it and go on with the next database
                    results.append(Result(name, error=f"{type(err).__name__}: {err}"))

        print_report(results, args)
        if is_hotline:
            print_engine_and_targets(results, args)
        if args.json:
            settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
            results_json = [dict(vars(r), errors=r.errors) for r in results]
            args.json.write_text(
                json.dumps({"settings": settings, "results": results_json}, indent=2)
            )
        if any(r.error or (r.repeats and r.name != "bare") for r in results):
            status = status or 1
            if not args.keep and any(workdir.glob("*.log")):
                args.keep = True  # keep the logs for a look; the request files are big
                for pool in workdir.glob("*.tsv"):
                    pool.unlink()
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        status = 130
    finally:
        fake.stop()
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
