"""The webhook benchmark's results: wrk's figures, the report, the engine's share, the targets."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field

WEBHOOK_PATH = "/twilio/messages"


@dataclass
class Result:
    name: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    requests: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    pool: int = 0
    repeats: int = 0
    worker_peak_rss_mib: dict[str, float] = field(default_factory=dict)
    outbound_api_messages: int = 0
    worker_cpu_s: float = 0.0  # CPU time of the workers during the run
    error: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def parse_wrk(output: str, result: Result) -> None:
    values: dict[str, dict[str, str]] = {}
    for line in output.splitlines():
        if line.startswith("WRK "):
            _, kind, *pairs = line.split()
            values[kind] = dict(p.split("=", 1) for p in pairs)
    if "summary" not in values or "latency" not in values:
        raise RuntimeError("wrk printed no results")
    summary, latency = values["summary"], values["latency"]
    result.requests = int(summary["requests"])
    duration = int(summary["duration_us"]) / 1e6
    result.rps = result.requests / duration if duration else 0.0
    result.p50_ms = int(latency["p50"]) / 1000
    result.p90_ms = int(latency["p90"]) / 1000
    result.p99_ms = int(latency["p99"]) / 1000
    result.max_ms = int(latency["max"]) / 1000
    result.socket_errors = sum(int(summary[k]) for k in ("connect", "read", "write", "timeout"))
    result.statuses = values.get("statuses", {})
    result.non_2xx = sum(
        n
        for code, n in ((int(c), int(v)) for c, v in result.statuses.items())
        if not 200 <= code < 300
    )
    pool = values.get("pool", {})
    result.pool = int(pool.get("pool", 0))
    result.repeats = int(pool.get("repeats", 0))


# -- report ---------------------------------------------------------------------------------


def print_report(results: list[Result], args: argparse.Namespace) -> None:
    bare = next((r for r in results if r.name == "bare" and not r.error), None)
    print()
    print(
        f"POST {WEBHOOK_PATH}, gunicorn -w 2 (sync), wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {args.senders} senders"
    )
    header = (
        f"{'target':<20} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>7} {'non-2xx':>8} {'sock':>5} {'rps ratio':>9} {'p99 ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r.error and not r.requests:
            print(f"{r.name:<20} FAILED")
            continue
        rps_ratio = f"{r.rps / bare.rps:.2f}" if bare and bare.rps else "-"
        p99_ratio = f"{r.p99_ms / bare.p99_ms:.2f}" if bare and bare.p99_ms else "-"
        print(
            f"{r.name:<20} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.max_ms:>8.1f} "
            f"{r.errors:>7} {r.non_2xx:>8} {r.socket_errors:>5} {rps_ratio:>9} {p99_ratio:>9}"
        )
    print()
    for r in results:
        if r.worker_cpu_s and r.requests:
            print(f"CPU of {r.name} workers: {r.worker_cpu_s * 1e3 / r.requests:.2f} ms/request")
    for r in results:
        if r.worker_peak_rss_mib:
            workers = ", ".join(f"pid {p}: {m:.1f} MiB" for p, m in r.worker_peak_rss_mib.items())
            print(f"peak RSS of {r.name} workers: {workers}")
    for r in results:
        notes = []
        if r.statuses and (r.non_2xx or len(r.statuses) > 1):
            notes.append(
                "statuses " + ", ".join(f"{c}: {n}" for c, n in sorted(r.statuses.items()))
            )
        if r.repeats:
            notes.append(
                f"WARNING: requests ran out: {r.repeats} of {r.requests} were repeats of "
                f"already sent MessageSids (pool {r.pool}); "
                f"rerun with --requests {math.ceil(r.requests * 1.25 / 1000) * 1000}"
            )
        if r.outbound_api_messages:
            notes.append(f"{r.outbound_api_messages} messages sent to the fake Twilio REST API")
        if r.error:
            notes.append("ERROR: " + r.error)
        for note in notes:
            print(f"[{r.name}] {note}")


# Issue 14's targets: the hotline's requests/s against the bare endpoint's in the same run.
TARGETS = {"sqlite": (0.30, None), "postgres": (0.25, 50.0)}  # (ratio at least, p99 ms under)
PEAK_RSS_TARGET_MIB = 120.0


def print_engine_and_targets(results: list[Result], args: argparse.Namespace) -> None:
    """The engine's step alone (pure, no I/O) and its share; then each target, met or not."""
    from bench.engine_step import measure

    step = measure()
    print()
    print(
        f"engine step alone (bot.conversation, pure, no I/O): {step.step_us:.0f} µs/message of "
        f"CPU over {step.messages} messages of the mix (render {step.render_us:.0f} µs)"
    )
    bare = next((r for r in results if r.name == "bare" and not r.error), None)
    for r in results:
        kind = r.name.partition("[")[2].rstrip("]")
        if kind not in TARGETS or not r.requests:
            continue
        if r.worker_cpu_s:
            share = step.step_us / 1e3 / (r.worker_cpu_s * 1e3 / r.requests)
            print(f"[{r.name}] the engine's step is {share:.0%} of the workers' CPU per request")
        ratio_target, p99_target = TARGETS[kind]
        checks = []
        if bare and bare.rps:
            ratio = r.rps / bare.rps
            checks.append((f"ratio to bare {ratio:.2f} >= {ratio_target}", ratio >= ratio_target))
        if p99_target is not None:
            checks.append((f"p99 {r.p99_ms:.1f} ms < {p99_target:.0f} ms", r.p99_ms < p99_target))
        checks.append((f"errors {r.errors} == 0", r.errors == 0))
        peak = max(r.worker_peak_rss_mib.values(), default=0.0)
        checks.append(
            (f"peak RSS {peak:.0f} MiB <= {PEAK_RSS_TARGET_MIB:.0f}", peak <= PEAK_RSS_TARGET_MIB)
        )
        for text, met in checks:
            print(f"[{r.name}] target {'met' if met else 'MISSED'}: {text}")
