"""The checks, counters and their report for bench/cluster.py: what was stored, sent and erased,
what the client and HAProxy saw, and the work per message as PgBouncer, PostgreSQL and /proc
count it. Nothing here prints a phone number or a message body."""

from __future__ import annotations

import contextlib
import os
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from bench.webhook import Result
from tests.fake_twilio import FakeTwilio
from tests.utils.pgbouncer import PgBouncer

BUSY = ("pending", "sending", "scheduled")
UNDELIVERED = ("failed", "undelivered", "needs_template")


def pool_index(pool_file: Path, senders: int) -> dict[str, tuple[int, int]]:
    """MessageSid → (sender, turn) for every request in the pool (line k: sender k % senders)."""
    index = {}
    with pool_file.open() as pool:
        for k, line in enumerate(pool):
            sid = urllib.parse.parse_qs(line.split("\t", 1)[1])["MessageSid"][0]
            index[sid] = (k % senders, k // senders)
    return index


def wait_for_outbox(engine, timeout: float) -> int:  # type: ignore[no-untyped-def]
    """Wait until no outbox row is waiting or held; returns how many still are."""
    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
            ).scalar_one()
        if not left or time.monotonic() > deadline:
            return int(left)
        time.sleep(0.5)


def check_inbound(engine, index: dict[str, tuple[int, int]], acked: set[str]):  # type: ignore[no-untyped-def]
    """Every acknowledged message stored once; each sender's messages and replies in order.

    A family that answers "no" to the consent question is erased, messages and all, and the
    hotline asks Twilio to erase its copies (an outbox row of kind `erase` per MessageSid):
    those messages count as kept and then erased on purpose, not as lost. The "no" itself
    stays stored (a retry of it is recognised by it) while Twilio's copy is erased.
    """
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, conversation_id, direction, message_sid, in_reply_to FROM message "
            "ORDER BY id"
        )).all()
        erased = set(connection.execute(
            text("SELECT provider_sid FROM outbox WHERE kind = 'erase'")
        ).scalars())
    stored = Counter(r.message_sid for r in rows if r.direction == "in" and r.message_sid in index)
    turns: dict[int, list[tuple[int, int]]] = defaultdict(list)
    inbound_ids: dict[int, int] = {}
    for r in rows:
        if r.direction == "in" and r.message_sid in index:
            turns[r.conversation_id].append(index[r.message_sid])
            inbound_ids[r.id] = r.conversation_id
    out_of_order = sum(
        1 for seen in turns.values()
        if len({sender for sender, _ in seen}) != 1
        or any(a[1] >= b[1] for a, b in zip(seen, seen[1:], strict=False))
    )
    replies: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r.direction == "out" and r.in_reply_to in inbound_ids:
            replies[inbound_ids[r.in_reply_to]].append(r.in_reply_to)
    replies_out_of_order = sum(
        1 for seen in replies.values() if any(a > b for a, b in zip(seen, seen[1:], strict=False))
    )
    answered = {i for seen in replies.values() for i in seen}
    several = sum(1 for seen in turns.values() if len(seen) > 1)
    missing = len(acked - set(stored) - erased)
    figures = {
        "acknowledged": len(acked),
        "stored": sum(stored.values()),
        "erased on purpose (consent refused)": len(erased & set(index)),
        "acknowledged but neither stored nor erased": missing,
        "kept while Twilio's copy was erased (the no)": len(erased & set(stored)),
        "stored more than once": sum(1 for n in stored.values() if n > 1),
        "senders": len(turns),
        "senders with several messages": several,
        "senders out of order": out_of_order,
        "senders whose replies are out of order": replies_out_of_order,
        "stored without a stored reply": len(set(inbound_ids) - answered),
    }
    checks = {
        "every acknowledged inbound message stored": missing == 0 and bool(acked),
        "no inbound message stored twice": all(n == 1 for n in stored.values()),
        "each sender's messages stored in the order sent": out_of_order == 0 and several > 0,
        "each sender's replies in the order of the messages": replies_out_of_order == 0,
    }
    return figures, checks


def check_outbox(engine, fake: FakeTwilio, queued: int, left: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, status, provider_sid FROM outbox")).all()
    erase = [r for r in rows if r.kind == "erase"]
    rows = [(r.status, r.provider_sid) for r in rows if r.kind != "erase"]
    received = fake.messages
    bodies = Counter(m["body"] for m in received if m["body"].startswith("Bench message "))
    statuses = Counter(status for status, _ in rows)
    requests = fake.requests
    times = [r["time"] for r in requests if r["method"] == "POST"]
    # The worker looks up a message's media, then deletes it; a 404 (a sid the fake never had,
    # as the bench's inbound messages) counts as erased, so any request naming the sid will do.
    asked = {
        part.removesuffix(".json")
        for r in requests if r["method"] in ("GET", "DELETE") for part in r["path"].split("/")
    }
    span = max(times) - min(times) if times else 0.0
    figures = {
        "outbox rows": len(rows),
        "messages the fake Twilio received": len(received),
        "queued bench messages received": len(bodies),
        "received more than once": sum(1 for n in bodies.values() if n > 1),
        "statuses": dict(statuses),
        "erasures asked of Twilio": dict(Counter(r.status for r in erase)),
        "msg/s while sending": round(len(received) / span, 1) if span else 0,
    }
    checks = {
        "outbox drained": left == 0 and not any(statuses[s] for s in BUSY),
        "no outbox message failed": not any(statuses[s] for s in UNDELIVERED),
        "every queued message delivered exactly once": len(bodies) == queued
        and set(bodies.values()) <= {1},
        "the fake received one message per outbox row": len(received) == len(rows)
        and {sid for _, sid in rows} == {m["sid"] for m in received},
        "every erasure asked of the fake Twilio": all(r.status == "erased" for r in erase)
        and {r.provider_sid for r in erase} <= asked,
    }
    return figures, checks


def database_counters(engine, name: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows this database wrote, and the WAL the whole server wrote, so far."""
    from sqlalchemy import text

    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, "
            "pg_current_wal_lsn() - '0/0'::pg_lsn AS wal FROM pg_stat_database "
            "WHERE datname = :name"
        ), {"name": name}).one()
    return {key: int(value) for key, value in row._mapping.items()}


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each process (from /proc), by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def pooler_work(bouncer: PgBouncer) -> dict[str, dict[str, int]]:
    wanted = ("total_xact_count", "total_query_count", "total_received", "total_sent",
              "total_xact_time", "total_wait_time")
    return {
        row["database"]: {key: int(row[key]) for key in wanted}
        for row in bouncer.show("STATS") if row["database"] in ("hotline_web", "hotline_outbox")
    }


# -- report ---------------------------------------------------------------------------------


def _per(value: int, count: int) -> str:
    return f"{value / count:.2f}" if count else "-"


def print_work(report: dict) -> None:
    (db_before, pool_before), (db_after, pool_after) = report["work"]
    inbound = report["inbound"][0]["stored"]
    outbound = report["outbox"][0]["messages the fake Twilio received"]
    print("\ndatabase work, as PgBouncer counted it (statements are its query count):")
    for alias, label, count in (("hotline_web", "per inbound message", inbound),
                                ("hotline_outbox", "per outbox message", outbound)):
        before, after = pool_before.get(alias, {}), pool_after.get(alias, {})
        delta = {key: after.get(key, 0) - before.get(key, 0) for key in after}
        print(f"  {label:<20} transactions {_per(delta.get('total_xact_count', 0), count):>6}"
              f"  statements {_per(delta.get('total_query_count', 0), count):>6}"
              f"  bytes to the server {_per(delta.get('total_received', 0), count):>8}"
              f"  from it {_per(delta.get('total_sent', 0), count):>8}   ({count} messages)")
        print(f"  {'':<20} a server connection held "
              f"{_per(delta.get('total_xact_time', 0) // 1000, count)} ms, waited for "
              f"{_per(delta.get('total_wait_time', 0) // 1000, count)} ms")
    rows = {key: db_after[key] - db_before[key] for key in db_after}
    both = inbound + outbound
    print(f"  rows written (inbound and outbox together): {rows['tup_inserted']} inserted, "
          f"{rows['tup_updated']} updated, {rows['tup_deleted']} deleted: "
          f"{_per(rows['tup_inserted'] + rows['tup_updated'] + rows['tup_deleted'], both)} "
          f"per message; {rows['xact_commit']} commits")
    print(f"  WAL written by the whole server: {rows['wal'] / 1e6:.1f} MB, "
          f"{_per(rows['wal'], both)} bytes per message (other databases' work included)")
    cpu = report.get("cpu", {})
    served = int(report.get("haproxy", {}).get(f"web{len(report['ports'])}", {}).get("stot") or 0)
    print(f"  CPU of PostgreSQL's backends: {_per(int(cpu.get('postgres', 0) * 1e6), both)} µs "
          f"per message (inbound and outbox together); of the last web instance: "
          f"{_per(int(cpu.get('web', 0) * 1e6), served)} µs per request it served ({served})")


def print_failures(result: Result, report: dict) -> None:
    stats = report.get("haproxy", {})
    servers = {k: v for k, v in stats.items() if k.startswith("web")}
    retries = sum(int(v.get("wretr") or 0) for v in servers.values())
    redispatched = sum(int(v.get("wredis") or 0) for v in servers.values())
    print()
    for event in report.get("kills", []):
        print(f"  {event}")
    for name, row in sorted(servers.items()):
        print(f"  HAProxy {name}: {row['status']}, {row['stot']} requests, {row['wretr'] or 0} "
              f"retried, {row['wredis'] or 0} redispatched, {row['econ'] or 0} connection "
              f"errors, {row['eresp'] or 0} response errors")
    seen = result.errors
    if seen == 0 and (retries or redispatched):
        verdict = "HAProxy's retries hid every failure from the client"
    elif seen == 0:
        verdict = "the client saw no error"
    else:
        verdict = f"{seen} failures reached the client despite HAProxy's retries"
    print(f"  client errors: {seen} (non-2xx {result.non_2xx}, socket {result.socket_errors}); "
          f"HAProxy retried {retries} and redispatched {redispatched}: {verdict}")
