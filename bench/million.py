"""The inbound webhook's cost on an empty database and at a million stored messages.

For each database: a fresh one is migrated, measured, filled with `hotline db seed` (default
1,000,000 messages in 100,000 conversations), measured again, and the two ends are printed side
by side with their ratio. Two kinds of figures:

* the probe: messages from new senders sent through the service in one process (no HTTP), so
  the same work as the webhook minus Flask, by two apps in turn as by gunicorn's two workers:
  statements per message (counted at the driver: SQLite's trace callback, psycopg's cursor;
  bench/inbound_work.py counts round trips), time per message (median and mean), bytes the
  process read and wrote (/proc/self/io: SQLite's page cache misses and its WAL; PostgreSQL's
  protocol), and on PostgreSQL the shared buffers the statements touched per message
  (pg_statio, read after the probe's connections close): the figure that grows first when a
  query scans, and that load on the machine leaves alone;
* the plans of the hot path's lookups at the seeded end (EXPLAIN), each flagged if it scans a
  table;
* unless --no-wrk: bench/webhook.py's gunicorn + wrk run at both ends, with the bare endpoint
  in the same run.

    python bench/million.py [--db sqlite|postgres|both] [--seed-messages 1000000]
                            [--seed-conversations 100000] [--probe-messages 3000] [--no-wrk]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import webhook  # noqa: E402
from bench.million_probe import explain_hot_path  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402

PROBE_BASES = {"empty": 3_000_000, "seeded": 4_000_000}
WRK_BASES = {"empty": 2_000_000, "seeded": 5_000_000}
FLAT = 0.15  # the target: within ±15%


def hotline_command(env: dict[str, str], log: Path, *args: str, timeout: float = 7200) -> None:
    script = Path(sys.executable).parent / "hotline"
    cmd = [str(script) if script.exists() else "hotline", *args]
    with log.open("ab") as out:
        done = subprocess.run(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`hotline {' '.join(args)}` failed\n{webhook.tail(log)}")


def probe(env: dict[str, str], messages: int, base: int, workdir: Path) -> dict:
    out = workdir / f"probe-{base}.json"
    cmd = [sys.executable, "-m", "bench.million_probe", "--messages", str(messages),
           "--number-base", str(base), "--json", str(out)]
    subprocess.run(cmd, cwd=REPO, env=env, check=True, timeout=3600)
    return json.loads(out.read_text())


def wrk_run(name: str, args: argparse.Namespace, env: dict[str, str], port: int, base: int,
            workdir: Path, fake: FakeTwilio) -> webhook.Result:
    pool, warm = workdir / f"requests-{base}.tsv", workdir / f"warmup-{base}.tsv"
    url = env["PUBLIC_BASE_URL"] + webhook.WEBHOOK_PATH
    count = max(args.duration * 8000, args.senders)
    webhook.generate_pool(pool, count, args.senders, url, fake.auth_token, fake.account_sid,
                          seed=base, number_base=base)
    webhook.generate_pool(warm, webhook.WARMUP_REQUESTS, webhook.WARMUP_REQUESTS, url,
                          fake.auth_token, fake.account_sid, seed=base + 1,
                          number_base=base + 900_000)
    return webhook.bench_target(name, webhook.HOTLINE_APP, port, env, args, pool, warm, workdir,
                                fake)


def ratio(a: float | None, b: float | None) -> str:
    if not a or b is None:
        return "-"
    value = b / a
    mark = "" if abs(value - 1) <= FLAT else "  (outside ±15%)"
    return f"{value:.2f}{mark}"


def report(kind: str, ends: dict[str, dict], seed_seconds: float, args: argparse.Namespace) -> None:
    print()
    print(f"== {kind}: empty vs {args.seed_messages:,} messages / "
          f"{args.seed_conversations:,} conversations (seeded in {seed_seconds:.0f}s)")
    rows = [
        ("statements / message", "statements"),
        ("probe ms / message, median", "median_ms"),
        ("probe ms / message, mean", "mean_ms"),
        ("probe CPU ms / message (app process)", "cpu_ms"),
        ("KiB read from the file / message", "read_kib"),
        ("KiB written to the file / message", "written_kib"),
        ("shared buffers / message", "buffers"),
        ("buffers read from disk / message", "buffers_read"),
        ("wrk req/s", "rps"),
        ("wrk p99 ms", "p99_ms"),
        ("wrk errors", "errors"),
        ("peak RSS of a worker, MiB", "rss_mib"),
        ("wrk ratio to bare", "bare_ratio"),
    ]
    print(f"{'figure':<34} {'empty':>10} {'seeded':>10} {'seeded/empty':>14}")
    for label, key in rows:
        a, b = ends["empty"].get(key), ends["seeded"].get(key)
        if a is None and b is None:
            continue
        fmt = (lambda v: "-" if v is None else f"{v:,.2f}")  # noqa: E731
        print(f"{label:<34} {fmt(a):>10} {fmt(b):>10} {ratio(a, b):>14}")


def run_kind(kind: str, args: argparse.Namespace, app_env: dict[str, str], workdir: Path,
             fake: FakeTwilio, port: int, bare: webhook.Result | None) -> None:
    with webhook.database(kind, workdir) as url:
        env = dict(app_env, DATABASE_URL=url)
        log = workdir / f"hotline-{kind}.log"
        hotline_command(env, log, "db", "upgrade")
        ends: dict[str, dict] = {}
        seed_seconds = 0.0
        for end in ("empty", "seeded"):
            if end == "seeded":
                print(f"[{kind}] hotline db seed --messages {args.seed_messages} "
                      f"--conversations {args.seed_conversations}", flush=True)
                started = time.monotonic()
                hotline_command(env, log, "db", "seed", "--messages", str(args.seed_messages),
                                "--conversations", str(args.seed_conversations), "--yes")
                seed_seconds = time.monotonic() - started
            print(f"[{kind}] probe at the {end} end: {args.probe_messages} messages", flush=True)
            figures = probe(env, args.probe_messages, PROBE_BASES[end], workdir)
            if not args.no_wrk:
                result = wrk_run(f"hotline[{kind}] {end}", args, env, port, WRK_BASES[end],
                                 workdir, fake)
                figures.update(rps=result.rps, p99_ms=result.p99_ms, errors=result.errors,
                               rss_mib=max(result.worker_peak_rss_mib.values(), default=None))
                if bare and bare.rps:
                    figures["bare_ratio"] = result.rps / bare.rps
            ends[end] = figures
        print(f"[{kind}] plans of the hot path's lookups at the seeded end:")
        for line in explain_hot_path(url, env):
            print("   " + line)
        report(kind, ends, seed_seconds, args)
        if "buffers_by_relation" in ends["seeded"]:
            print("shared buffers / message by table and index (empty → seeded):")
            for name, count in list(ends["seeded"]["buffers_by_relation"].items())[:12]:
                empty = ends["empty"]["buffers_by_relation"].get(name, 0)
                print(f"   {name:<40} {empty:>8.2f} → {count:.2f}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seed-messages", type=int, default=1_000_000)
    p.add_argument("--seed-conversations", type=int, default=100_000)
    p.add_argument("--probe-messages", type=int, default=3000)
    p.add_argument("--no-wrk", action="store_true", help="only the probe and the plans")
    p.add_argument("--senders", type=int, default=2000)
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = p.parse_args(argv)
    args.env, args.requests = [], None  # what bench/webhook.py's helpers read
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.no_wrk and shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk), or use --no-wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="hotline-million-"))
    fake = FakeTwilio(account_sid="AC" + secrets.token_hex(16), auth_token=secrets.token_hex(16))
    try:
        fake.start()
        port, bare_port = webhook.free_port(), webhook.free_port()
        bare_env, app_env = webhook.app_environment(args, fake, f"http://127.0.0.1:{port}")
        app_env["PYTHONPATH"] = str(REPO) + os.pathsep + app_env.get("PYTHONPATH", "")
        bare = None
        if not args.no_wrk:
            pool = workdir / "bare.tsv"
            webhook.generate_pool(pool, args.duration * 8000, args.senders, "http://x/",
                                  fake.auth_token, fake.account_sid)
            bare = webhook.bench_target("bare", webhook.BARE_APP, bare_port, bare_env, args,
                                        pool, pool, workdir, fake)
            print(f"bare endpoint: {bare.rps:,.0f} req/s, p99 {bare.p99_ms:.1f} ms")
        kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for kind in kinds:
            run_kind(kind, args, app_env, workdir, fake, port, bare)
    finally:
        fake.stop()
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0



if __name__ == "__main__":
    sys.exit(main())
