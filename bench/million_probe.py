"""The in-process probe of bench/million.py, and the plans of the hot path's lookups.

    python -m bench.million_probe --messages 3000 --number-base 3000000 --json out.json

runs in the app's environment (DATABASE_URL, HOTLINE_DATA_KEYS …): messages from new senders,
each following one of bench/webhook.py's conversations, go through `Hotline.handle_inbound`, the
service the webhook calls. It writes statements per message (counted at the driver: SQLite's
trace callback, psycopg's cursor), time per message, and on PostgreSQL the shared buffers
touched per message; bench/inbound_work.py counts round trips. Prints no number or message text.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.webhook import CONVERSATIONS, sender_number  # noqa: E402

WARMUP = 50
SENDERS_PER_MESSAGE = 0.2  # five messages per sender on average, as in a short conversation
BUFFERS_SQL = (
    "SELECT relname, coalesce(heap_blks_hit, 0), coalesce(heap_blks_read, 0)"
    " FROM pg_statio_user_tables UNION ALL"
    " SELECT indexrelname, coalesce(idx_blks_hit, 0), coalesce(idx_blks_read, 0)"
    " FROM pg_statio_user_indexes"
)


def _buffers(url: str) -> dict[str, tuple[int, int]]:
    """Shared buffers hit and read so far, by table and by index."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(BUFFERS_SQL)).all()
    engine.dispose()
    return {name: (int(hit), int(read)) for name, hit, read in rows}


def _io() -> tuple[int, int]:
    """Bytes this process read and wrote through system calls (files and sockets)."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["rchar"]), int(fields["wchar"])


def run(messages: int, number_base: int, workers: int = 2) -> dict:
    from bot import create_app
    from bot.service import InboundMessage

    # As many apps as gunicorn has workers, each with its own connections, taking the
    # messages in turn: on SQLite a connection finds the file changed by the other one at
    # each transaction and starts with a cold page cache, as under gunicorn.
    hotlines = [create_app().extensions["hotline"] for _ in range(workers)]
    logging.disable(logging.INFO)  # one line per message otherwise
    db = hotlines[0].db
    postgres = db.dialect.name == "postgresql"
    counts = {"statements": 0}
    # Counted at the driver: the hot path sends its statements to the driver's cursor, not
    # through SQLAlchemy's execution events.
    if postgres:
        import psycopg

        for method in ("execute", "executemany"):
            original = getattr(psycopg.Cursor, method)

            def counted(self, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
                counts["statements"] += 1
                return _original(self, *args, **kwargs)

            setattr(psycopg.Cursor, method, counted)
    else:

        def _seen(_sql: str) -> None:
            counts["statements"] += 1

        for hotline in hotlines:
            hotline.db.dispose()  # every connection from now on is traced
            event.listen(
                hotline.db, "connect", lambda conn, _record: conn.set_trace_callback(_seen)
            )

    def send(base: int, count: int, label: str) -> list[float]:
        senders = max(1, int(count * SENDERS_PER_MESSAGE))
        took = []
        for k in range(count):
            turn, who = divmod(k, senders)
            script = CONVERSATIONS[who % len(CONVERSATIONS)]
            again = 1 + (turn - 1) % (len(script) - 1)
            body = script[turn] if turn < len(script) else script[again]
            message = InboundMessage(
                sid=f"SM{label}{base}{k:012d}", sender=sender_number(who, base), body=body
            )
            started = time.perf_counter()
            hotlines[k % workers].handle_inbound(message)
            took.append(time.perf_counter() - started)
        return took

    send(number_base + 500_000, WARMUP, "w")
    url = db.url.render_as_string(hide_password=False)
    before = _buffers(url) if postgres else {}
    counts.update(statements=0)
    io_before, cpu_before = _io(), time.process_time()
    took = send(number_base, messages, "p")
    io_after, cpu = _io(), time.process_time() - cpu_before
    figures = {
        "messages": messages,
        # BEGIN and COMMIT included (on PostgreSQL those psycopg sends by itself, on the rare
        # paths that end through SQLAlchemy, are not).
        "statements": counts["statements"] / messages,
        "median_ms": statistics.median(took) * 1000,
        "mean_ms": statistics.fmean(took) * 1000,
        # The app's own CPU (and on SQLite the database's, which runs inside it): time that
        # waiting for the shared cores does not add to.
        "cpu_ms": cpu / messages * 1000,
    }
    if not postgres:
        # Pages read from the file and its WAL (the page cache's misses), and the WAL and
        # checkpoints written. PostgreSQL's reads and writes happen in its own processes.
        figures["read_kib"] = (io_after[0] - io_before[0]) / messages / 1024
        figures["written_kib"] = (io_after[1] - io_before[1]) / messages / 1024
    if postgres:
        for hotline in hotlines:
            hotline.db.dispose()  # a closing backend reports its statistics
        time.sleep(1.0)
        after = _buffers(url)
        touched = {
            name: sum(after[name]) - sum(before.get(name, (0, 0))) for name in after
        }
        figures["buffers"] = sum(touched.values()) / messages
        figures["buffers_read"] = sum(
            after[n][1] - before.get(n, (0, 0))[1] for n in after
        ) / messages
        figures["buffers_by_relation"] = {
            name: round(count / messages, 2)
            for name, count in sorted(touched.items(), key=lambda item: -item[1])
            if count
        }
    return figures


# -- plans ------------------------------------------------------------------------------------

LOOKUPS = [
    ("contact and conversation by phone hash",
     "SELECT c.id, c.state FROM conversation c JOIN contact k ON k.id = c.contact_id"
     " WHERE k.phone_hash IN (:phone_hash)"),
    ("message by MessageSid", "SELECT id FROM message WHERE message_sid = :sid"),
    ("replies to a MessageSid (a retry)",
     "SELECT r.body FROM message r JOIN message m ON r.in_reply_to = m.id"
     " WHERE m.message_sid = :sid AND m.conversation_id = :cid ORDER BY r.id"),
    ("open case by conversation",
     "SELECT id FROM cases WHERE conversation_id = :cid AND status IN ('new', 'claimed')"
     " ORDER BY id DESC LIMIT 1"),
    ("case by reference (a new case's ref)", "SELECT id FROM cases WHERE ref = :ref"),
    ("outbox rows by recipient", "SELECT id, status FROM outbox WHERE to_hash = :to_hash"),
    ("outbox rows by conversation", "SELECT id FROM outbox WHERE conversation_id = :cid"),
    ("alert subscription by conversation",
     "SELECT id FROM alert_subscription WHERE conversation_id = :cid"),
    ("hearings of a case", "SELECT id FROM hearing WHERE case_id = :case_id ORDER BY id DESC"),
    ("a conversation's messages (the inbox)",
     "SELECT id FROM message WHERE conversation_id = :cid ORDER BY id DESC LIMIT 50"),
]
SAMPLE_SQL = {
    "phone_hash": "SELECT phone_hash FROM contact ORDER BY id DESC LIMIT 1",
    "sid": "SELECT message_sid FROM message WHERE message_sid IS NOT NULL"
           " ORDER BY id LIMIT 1 OFFSET 1000",
    "cid": "SELECT conversation_id FROM cases ORDER BY id LIMIT 1",
    "ref": "SELECT ref FROM cases ORDER BY id LIMIT 1",
    "to_hash": "SELECT to_hash FROM outbox ORDER BY id DESC LIMIT 1",
    "case_id": "SELECT case_id FROM hearing ORDER BY id LIMIT 1",
}


def explain_hot_path(url: str, env: dict[str, str] | None = None) -> list[str]:
    """One line per lookup: its plan, and SCANS when it reads a whole table."""
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    lines = []
    with engine.connect() as conn:
        params = {k: conn.execute(text(sql)).scalar() for k, sql in SAMPLE_SQL.items()}
        for label, sql in LOOKUPS:
            if postgres:
                plan = conn.execute(
                    text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql),
                    params,
                ).scalars().all()
                nodes = [p.strip().lstrip("-> ") for p in plan if "Buffers" not in p]
                top = next((p for p in plan if p.strip().startswith("Buffers")), "")
                buffers = sum(int(part.split("=")[1]) for part in top.split() if "=" in part)
                scans = any(n.startswith("Seq Scan") for n in nodes)
                detail = "; ".join(n for n in nodes if "Scan" in n or "Join" in n)
                detail += f" [buffers {buffers}]"
            else:
                plan = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
                nodes = [row[-1] for row in plan]
                scans = any(n.startswith("SCAN") and "USING" not in n for n in nodes)
                detail = "; ".join(nodes)
            lines.append(f"{'SCANS ' if scans else 'ok    '}{label}: {detail}")
    engine.dispose()
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=3000)
    p.add_argument("--number-base", type=int, default=3_000_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--json", type=Path, required=True)
    args = p.parse_args(argv)
    args.json.write_text(json.dumps(run(args.messages, args.number_base, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
