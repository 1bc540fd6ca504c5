"""The hotline as a coalition deploys it when one machine is not enough, under load, with failures.

Starts, on loopback, with Debian's own HAProxy and PgBouncer:

    wrk ──► HAProxy ──► gunicorn #1 … #N (separate masters, `-w W` each) ──┐
                                                                         ├─► PgBouncer ─► PostgreSQL
            fake Twilio ◄── `hotline outbox work` #1 … #M (processes) ───┘   (transaction mode)

then drives HAProxy with wrk and pre-generated, signed Twilio requests from many senders
(bench/webhook.py's), while the outbox workers drain messages queued through ``enqueue``
(bench/outbox.py's). Mid-run it kills one outbox worker and then one whole web instance with
SIGKILL, as a machine that dies would. Afterwards it checks that every acknowledged inbound
message is stored exactly once, that each sender's messages and the replies to them are stored
in the order they were sent, and that every outbox message reached the fake Twilio exactly once.
It prints throughput, p50/p99, the errors the client saw and what HAProxy retried, the database
work per message as PgBouncer counted it, and the checks. A bare Flask endpoint behind the same
HAProxy is measured first, for a ratio that does not depend on the machine's load.

    python bench/cluster.py [--web 2] [--web-workers 2] [--outbox-workers 2] [--duration 20]
                            [--senders 300] [--connections 16] [--outbox-messages 6000]
                            [--pool-size 10] [--no-kill] [--skip-bare] [--keep]

Needs wrk, haproxy, pgbouncer and psql (apt-get install -y wrk haproxy pgbouncer) and the local
PostgreSQL with trust authentication (as bench/webhook.py). Output never holds phone numbers or
message bodies. See docs/scaling.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.cluster_checks import (  # noqa: E402
    check_inbound,
    check_outbox,
    cpu_seconds,
    cpu_used,
    database_counters,
    pool_index,
    pooler_work,
    print_failures,
    print_work,
    wait_for_outbox,
)
from bench.outbox import queue_messages  # noqa: E402
from bench.webhook import (  # noqa: E402
    BARE_APP,
    HOTLINE_APP,
    LUA_SCRIPT,
    STARTUP_TIMEOUT,
    WARMUP_REQUESTS,
    WEBHOOK_PATH,
    Result,
    _interrupt,
    app_environment,
    child_pids,
    database,
    db_upgrade,
    free_port,
    generate_pool,
    parse_wrk,
    stop_process,
    wait_until_serving,
    warm_up,
)
from tests.fake_twilio import FakeTwilio  # noqa: E402
from tests.utils.pgbouncer import PgBouncer  # noqa: E402

# wrk_requests.lua, and each 200 answer's MessageSid (HAProxy copies it into a response header)
# kept per thread and written out at the end: the acknowledged messages.
ACK_LUA = """
dofile({base!r})
local base_setup, base_response, base_done = setup, response, done
local all_threads = {{}}
acked = {{}}
function setup(thread)
   base_setup(thread)
   table.insert(all_threads, thread)
end
function response(status, headers, body)
   base_response(status, headers, body)
   local sid = headers["x-message-sid"] or headers["X-Message-Sid"]
   if status == 200 and sid then
      acked[#acked + 1] = sid
   end
end
function done(summary, latency, requests)
   base_done(summary, latency, requests)
   local out = io.open({acked!r}, "w")
   for _, thread in ipairs(all_threads) do
      for _, sid in ipairs(thread:get("acked")) do
         out:write(sid, "\\n")
      end
   end
   out:close()
end
"""


# -- HAProxy --------------------------------------------------------------------------------


def haproxy_config(
    port: int, backends: list[int], socket_path: Path, health: str | None, per_server: int
) -> str:
    """Round robin over the web instances; a request whose instance died is retried on another.

    A retry is safe for Twilio's webhook: the hotline stores a MessageSid once and answers a
    repeat without running the conversation again. Each instance gets at most `per_server`
    requests at a time (its sync workers): the rest wait in HAProxy's queue, not in gunicorn's
    backlog, so a health check is answered promptly even under load and goes to the next free
    worker instead of timing out behind a queue.
    """
    check = [f"    option httpchk GET {health}", "    http-check expect status 200"]
    check = check if health else []
    servers = [f"    server web{n} 127.0.0.1:{p} check" for n, p in enumerate(backends, 1)]
    return "\n".join([
        "global",
        "    maxconn 4000",
        f"    stats socket {socket_path} mode 600 level admin",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 30s",
        "    timeout server 15s",
        "    timeout check 5s",
        "    timeout queue 15s",
        "    retries 3",
        "    option redispatch 1",
        "    retry-on conn-failure empty-response response-timeout 503",
        "    option http-buffer-request",
        "frontend hotline",
        f"    bind 127.0.0.1:{port}",
        "    http-request set-var(txn.sid) req.body_param(MessageSid)",
        "    http-response set-header X-Message-Sid %[var(txn.sid)]",
        "    default_backend web",
        "backend web",
        "    balance roundrobin",
        *check,
        # Live traffic marks an instance down at its first refused connections, before the
        # next health checks would: otherwise its free slots draw the queue to a dead server.
        f"    default-server inter 500ms fall 3 rise 2 maxconn {per_server} "
        "observe layer4 error-limit 2 on-error mark-down",
        *servers,
        "",
    ])


def haproxy_stats(socket_path: Path) -> dict[str, dict[str, str]]:
    """HAProxy's `show stat` for each server of the web backend (and the backend itself)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(socket_path))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().lstrip("# ").splitlines()
    return {
        row["svname"]: row for row in csv.DictReader(lines) if row.get("pxname") == "web"
    }


# -- processes ------------------------------------------------------------------------------


class Cluster:
    """Every process of one run; `stop()` ends them all, whatever state they are in."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.web: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.haproxy: subprocess.Popen | None = None
        self.haproxy_socket = workdir / "haproxy.sock"

    def _spawn(self, cmd: list[str], env: dict[str, str] | None, log_name: str):  # type: ignore[no-untyped-def]
        with (self.workdir / log_name).open("ab") as log:
            return subprocess.Popen(
                cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )

    def start_web(self, app: str, ports: list[int], workers: int, env: dict[str, str]) -> None:
        config = str(REPO / "gunicorn.conf.py") if app.startswith("bot:") else "/dev/null"
        for n, port in enumerate(ports, 1):
            cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
                   f"127.0.0.1:{port}", "--chdir", str(REPO), "--config", config,
                   "--log-level", "warning", app]
            self.web.append(self._spawn(cmd, env, f"web{n}.log"))
        for proc, port in zip(self.web, ports, strict=True):
            wait_until_serving(proc, port, STARTUP_TIMEOUT)

    def start_haproxy(
        self, port: int, backends: list[int], health: str | None, per_server: int
    ) -> None:
        config = self.workdir / "haproxy.cfg"
        config.write_text(haproxy_config(port, backends, self.haproxy_socket, health, per_server))
        self.haproxy = self._spawn(["haproxy", "-db", "-f", str(config)], None, "haproxy.log")
        wait_until_serving(self.haproxy, port, STARTUP_TIMEOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT  # every instance's health check passed
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                stats = haproxy_stats(self.haproxy_socket)
                servers = [row for name, row in stats.items() if name.startswith("web")]
                if servers and all(row["status"] == "UP" for row in servers):
                    return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy never saw every web instance up; see {self.workdir}")

    def start_workers(self, count: int, env: dict[str, str]) -> None:
        cmd = [sys.executable, "-m", "bot", "outbox", "work"]
        self.workers = [self._spawn(cmd, env, f"outbox{n}.log") for n in range(1, count + 1)]

    def stop(self) -> None:
        for proc in [*self.workers, *self.web, self.haproxy]:
            stop_process(proc)


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL a process and everything in its session (a gunicorn master and its workers)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_wrk(
    args: argparse.Namespace, port: int, pool_file: Path, workdir: Path
) -> tuple[str, Path]:
    acked = workdir / "acked.txt"
    script = workdir / "acked.lua"
    script.write_text(ACK_LUA.format(base=str(LUA_SCRIPT), acked=str(acked)))
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
           "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
           "--", str(pool_file), str(args.threads), f"127.0.0.1:{port}"]
    out = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True,
                         timeout=args.duration + 120, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed (status {out.returncode}): {out.stderr.strip()[-500:]}")
    return out.stdout, acked


# -- CPU time ---------------------------------------------------------------------------------


def processes(engine, name: str, cluster: Cluster) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """The PostgreSQL backends serving this database, and the last web instance's processes
    (it is never killed), for CPU time per message."""
    from sqlalchemy import text

    with engine.connect() as connection:
        backends = list(connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
        ), {"name": name}).scalars())
    master = cluster.web[-1].pid
    return {"postgres": backends, "web": [master, *child_pids(master)]}


# -- the runs -------------------------------------------------------------------------------


def bare_run(args: argparse.Namespace, env: dict[str, str], port: int, files) -> Result:  # type: ignore[no-untyped-def]
    """The bare Flask endpoint behind the same HAProxy: the cost of the parts alone."""
    pool_file, warmup_file, workdir = files
    result = Result("bare")
    folder = Path(tempfile.mkdtemp(prefix="bare-", dir=workdir))
    cluster = Cluster(folder)
    try:
        ports = [free_port() for _ in range(args.web)]
        cluster.start_web(BARE_APP, ports, args.web_workers, env)
        cluster.start_haproxy(port, ports, health=None, per_server=2 * args.web_workers)
        warm_up(port, warmup_file)
        print(f"[bare] wrk -t{args.threads} -c{args.connections} -d{args.duration}s", flush=True)
        output, _ = run_wrk(args, port, pool_file, folder)
        parse_wrk(output, result)
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        result.error = str(err)
    finally:
        cluster.stop()
    return result


class Killer(threading.Thread):
    """SIGKILLs one outbox worker and then one web instance at fixed moments of the load."""

    def __init__(self, cluster: Cluster, args: argparse.Namespace) -> None:
        super().__init__(daemon=True, name="killer")
        self.cluster, self.args = cluster, args
        self.done = threading.Event()
        self.events: list[str] = []

    def run(self) -> None:
        started = time.monotonic()
        plan = [(self.args.kill_worker_at, "outbox worker 1", self.cluster.workers[0]),
                (self.args.kill_web_at, "web instance 1 (gunicorn master and workers)",
                 self.cluster.web[0])]
        for fraction, what, proc in sorted(plan, key=lambda step: step[0]):
            if self.done.wait(max(0.0, started + fraction * self.args.duration - time.monotonic())):
                return
            kill(proc)
            self.events.append(f"{time.monotonic() - started:5.1f}s SIGKILL {what}")
            print(f"[cluster] {self.events[-1]}", flush=True)


def cluster_run(args, app_env, port, files, fake, report):  # type: ignore[no-untyped-def]
    """The hotline behind HAProxy and PgBouncer, with the kills; fills `report`."""
    from sqlalchemy import create_engine

    from bot.storage import crypto

    pool_file, warmup_file, workdir = files
    result = Result("hotline")
    report["result"] = result
    cluster = Cluster(workdir)
    with database("postgres", workdir) as direct_url:
        name = direct_url.rsplit("/", 1)[1]
        env = dict(app_env, DATABASE_URL=direct_url)
        print("[cluster] hotline db upgrade; queueing outbox messages", flush=True)
        db_upgrade(env, workdir / "db-upgrade.log")
        crypto.configure(crypto.DataKeys([app_env["HOTLINE_DATA_KEYS"]]))
        queue_messages(direct_url, args.outbox_messages)
        engine = create_engine(direct_url)
        aliases = {"hotline_web": name, "hotline_outbox": name}
        try:
            with PgBouncer(pool_size=args.pool_size, max_clients=1000, aliases=aliases) as bouncer:
                print(f"[cluster] PgBouncer {bouncer.version[0]}.{bouncer.version[1]}, transaction "
                      f"mode, {args.pool_size} server connections", flush=True)
                web_env = dict(env, DATABASE_URL=bouncer.url("hotline_web"))
                ports = [free_port() for _ in range(args.web)]
                cluster.start_web(HOTLINE_APP, ports, args.web_workers, web_env)
                report["ports"] = ports
                cluster.start_haproxy(port, ports, "/healthz", per_server=2 * args.web_workers)
                warm_up(port, warmup_file)
                before = database_counters(engine, name), pooler_work(bouncer)
                pids = processes(engine, name, cluster)
                cpu_before = {part: cpu_seconds(p) for part, p in pids.items()}
                worker_env = dict(env, DATABASE_URL=bouncer.url("hotline_outbox"),
                                  HOTLINE_SEND_RATE="0", HOTLINE_SEND_TIMEOUT="5",
                                  HOTLINE_OUTBOX_LEASE="10")
                cluster.start_workers(args.outbox_workers, worker_env)
                killer = Killer(cluster, args)
                if not args.no_kill:
                    killer.start()
                print(f"[cluster] wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
                      f"through HAProxy to {args.web} web instances", flush=True)
                output, acked_file = run_wrk(args, port, pool_file, workdir)
                killer.done.set()
                parse_wrk(output, result)
                report["haproxy"] = haproxy_stats(cluster.haproxy_socket)
                report["kills"] = killer.events
                left = wait_for_outbox(engine, timeout=args.drain_timeout)
                time.sleep(1)  # statistics reach pg_stat_database within a second
                after = database_counters(engine, name), pooler_work(bouncer)
                report["work"] = (before, after)
                pids = processes(engine, name, cluster)
                report["cpu"] = {part: cpu_used(cpu_before[part], cpu_seconds(p))
                                 for part, p in pids.items()}
                acked = set(acked_file.read_text().split()) if acked_file.exists() else set()
                index = pool_index(pool_file, args.senders)
                report["inbound"] = check_inbound(engine, index, acked)
                report["outbox"] = check_outbox(engine, fake, args.outbox_messages, left)
                shutil.copy(bouncer.log, workdir / "pgbouncer.log")
        finally:
            cluster.stop()
            engine.dispose()
    return result


# -- report ---------------------------------------------------------------------------------


def print_report(args: argparse.Namespace, results: list[Result], report: dict) -> bool:
    bare = next((r for r in results if r.name == "bare" and not r.error), None)
    print(f"\nPOST {WEBHOOK_PATH} through HAProxy: {args.web} web instances × gunicorn "
          f"-w {args.web_workers}, {args.outbox_workers} outbox workers, PgBouncer (transaction "
          f"mode), PostgreSQL; wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
          f"{args.senders} senders, {args.outbox_messages} outbox messages queued")
    header = (f"{'target':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'errors':>7} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for r in results:
        if r.error and not r.requests:
            print(f"{r.name:<10} FAILED: {r.error}")
            continue
        ratio = f"{r.rps / bare.rps:.2f}" if bare and bare.rps else "-"
        print(f"{r.name:<10} {r.rps:>8.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.max_ms:>8.1f} "
              f"{r.errors:>7} {ratio:>6}")
    result = report.get("result")
    if result is None or "inbound" not in report:
        return False
    print_failures(result, report)
    print_work(report)
    ok = True
    for part in ("inbound", "outbox"):
        figures, checks = report[part]
        print(f"\n{part}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        for check, passed in checks.items():
            ok = ok and passed
            print(f"  [{'ok' if passed else 'FAILED'}] {check}")
    if result.repeats:
        print(f"WARNING: {result.repeats} requests repeated a MessageSid; "
              "rerun with more --requests")
    return ok and not result.error


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--web", type=int, default=2, help="web instances (gunicorn masters)")
    p.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per instance")
    p.add_argument("--outbox-workers", type=int, default=2, help="outbox worker processes")
    p.add_argument("--outbox-messages", type=int, default=6000, help="messages queued first")
    p.add_argument("--pool-size", type=int, default=10, help="PgBouncer server connections")
    p.add_argument("--senders", type=int, default=300,
                   help="distinct senders; few enough that each sends several messages")
    p.add_argument("--duration", type=int, default=20, help="seconds of load")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--requests", type=int, default=0,
                   help="distinct requests (default: duration x 4000)")
    p.add_argument("--kill-worker-at", type=float, default=0.3, help="fraction of the run")
    p.add_argument("--kill-web-at", type=float, default=0.5, help="fraction of the run")
    p.add_argument("--no-kill", action="store_true", help="kill nothing")
    p.add_argument("--drain-timeout", type=float, default=180,
                   help="seconds to wait for the outbox to empty after the load")
    p.add_argument("--skip-bare", action="store_true", help="skip the bare endpoint")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs, configs)")
    args = p.parse_args(argv)
    args.env = []  # bench/webhook.py's app_environment reads it
    if args.web < 2 and not args.no_kill:
        p.error("killing a web instance needs --web 2 or more (or --no-kill)")
    if args.outbox_workers < 2 and not args.no_kill:
        p.error("killing an outbox worker needs --outbox-workers 2 or more (or --no-kill)")
    if min(args.web_workers, args.senders, args.duration, args.threads) < 1:
        p.error("--web-workers, --senders, --duration and --threads must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [tool for tool in ("wrk", "haproxy", "psql") if shutil.which(tool) is None]
    if missing:
        print(f"missing: {', '.join(missing)}; apt-get install -y wrk haproxy pgbouncer "
              "postgresql-client", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # e.g. a CI timeout: clean up as on Ctrl-C
    workdir = Path(tempfile.mkdtemp(prefix="hotline-cluster-"))
    fake = FakeTwilio(account_sid="AC" + "c" * 32, auth_token="cluster-" + "0" * 24)
    results: list[Result] = []
    report: dict = {}
    ok = False
    try:
        fake.start()
        port = free_port()
        bare_env, app_env = app_environment(args, fake, f"http://127.0.0.1:{port}")
        pool_file, warmup_file = workdir / "requests.tsv", workdir / "warmup.tsv"
        count = max(args.requests or args.duration * 4000, args.senders)
        signed_url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        generate_pool(pool_file, count, args.senders, signed_url, fake.auth_token,
                      fake.account_sid)
        generate_pool(warmup_file, WARMUP_REQUESTS, WARMUP_REQUESTS, signed_url,
                      fake.auth_token, fake.account_sid, seed=2, number_base=9_000_000)
        files = (pool_file, warmup_file, workdir)
        if not args.skip_bare:
            results.append(bare_run(args, bare_env, port, files))
        try:
            results.append(cluster_run(args, app_env, port, files, fake, report))
        except Exception as err:  # report it with whatever was measured
            results.append(Result("hotline", error=f"{type(err).__name__}: {err}"))
        ok = print_report(args, results, report)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        fake.stop()
        if args.keep or not ok:
            for pool in workdir.glob("*.tsv"):
                pool.unlink()
            print(f"work directory kept (logs, configs): {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
