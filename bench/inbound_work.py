"""The database work of one inbound message, counted: statements, round trips, rows, bytes.

    python bench/inbound_work.py [--db sqlite|postgres|both] [--senders 200] [--turns 8]

Runs the benchmark's mix (bench/traffic.py) through the real service (``Hotline
.handle_inbound``, the code the webhook calls) in this process, on a fresh migrated database,
and counts what reaches the database, independently of the machine's load:

* statements and round trips: every statement the driver sends (SQLite's trace callback;
  libpq's protocol trace on PostgreSQL, where a round trip is a batch of messages from the
  client followed by the server's answers), BEGIN and COMMIT included;
* rows inserted per table, and bytes stored (tables and indexes) per message;
* on PostgreSQL, WAL bytes per message (server-wide: quiet the server for an exact figure);
  on SQLite, the bytes the process handed to write() (WAL and checkpoints).

A sender's first message (a new contact and conversation) and later ones are shown apart.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.traffic import CONVERSATIONS, WHATSAPP_SHARE, sender_number, text_at  # noqa: E402
from bench.webhook import database  # noqa: E402

VERB = re.compile(r"\s*(\w+)")
QUOTED = re.compile(r'"((?:[^"]|"")*)"', re.DOTALL)


def verb(sql: str) -> str:
    match = VERB.match(sql)
    return match.group(1).upper() if match else "?"


@dataclass
class Tally:
    messages: int = 0
    statements: int = 0
    round_trips: int = 0
    verbs: Counter = field(default_factory=Counter)

    def add(self, statements: list[str], round_trips: int) -> None:
        self.messages += 1
        self.statements += len(statements)
        self.round_trips += round_trips
        self.verbs.update(statements)

    def line(self, label: str) -> str:
        n = max(self.messages, 1)
        verbs = ", ".join(f"{v} {c / n:.2f}" for v, c in sorted(self.verbs.items()))
        return (
            f"  {label:<16} {self.messages:>6} msgs  {self.statements / n:5.2f} statements  "
            f"{self.round_trips / n:5.2f} round trips  ({verbs})"
        )


class SqliteTrace:
    """Statements through sqlite3's trace callback (each is executed in-process)."""

    def __init__(self) -> None:
        self.pending: list[str] = []

    def attach(self, dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_trace_callback(self._seen)

    def _seen(self, sql: str) -> None:
        self.pending.append(verb(sql))

    def take(self) -> tuple[list[str], int]:
        seen, self.pending = self.pending, []
        return seen, 0  # no network: nothing waits on a round trip


class PostgresTrace:
    """Statements and round trips from libpq's protocol trace (a temp file, never printed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("w")
        self.reader = path.open("r")
        self.last_direction = ""
        self.parsed: dict[str, str] = {}
        self.bound = "?"
        self.binds = self.prepared_binds = 0

    def attach(self, dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        from psycopg import pq

        pgconn = dbapi_connection.pgconn
        pgconn.trace(self.handle.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def take(self) -> tuple[list[str], int]:
        statements: list[str] = []
        round_trips = 0
        # A statement's text may hold line breaks: a message is a line starting F or B.
        lines = re.split(r"\n(?=[FB]\t)", self.reader.read())
        for line in lines:
            parts = line.split("\t", 3)
            if len(parts) < 3 or parts[0] not in ("F", "B"):
                continue
            direction, kind = parts[0], parts[2]
            quoted = QUOTED.findall(parts[3]) if len(parts) > 3 else []
            if direction == "B" and self.last_direction == "F":
                round_trips += 1
            self.last_direction = direction
            if direction != "F":
                continue
            if kind == "Query":
                statements.append(verb(quoted[0] if quoted else ""))
            elif kind == "Parse" and len(quoted) >= 2:
                # Remembered by name: a prepared statement is parsed once, then only bound.
                self.parsed[quoted[0]] = verb(quoted[1])
            elif kind == "Bind" and len(quoted) >= 2:
                self.bound = self.parsed.get(quoted[1], "?")
                self.binds += 1
                self.prepared_binds += bool(quoted[1])  # a named statement: prepared
            elif kind == "Execute":
                statements.append(self.bound)
        return statements, round_trips


def table_rows(connection, tables: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def stored_bytes(engine) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from bot.storage.db import checkpoint

    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT sum(pg_total_relation_size(relid)) FROM pg_stat_user_tables"
            )).scalar()
    checkpoint(engine)
    raw = engine.raw_connection()
    try:
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        return pages * raw.execute("PRAGMA page_size").fetchone()[0]
    finally:
        raw.close()


def written_by_process() -> int:
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


def wal_position(engine) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(
            text("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')")
        ).scalar()


def run(kind: str, senders: int, turns: int, workdir: Path, without: list[str]) -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy import event
    from sqlmodel import SQLModel

    from bot import create_app
    from bot.service import InboundMessage
    from bot.storage.migrate import upgrade

    with database(kind, workdir) as url:
        app = create_app({
            "database_url": url,
            "instance_path": workdir / f"instance-{kind}",
            "data_keys": Fernet.generate_key().decode(),
            "secret_key": "inbound-work-" + "x" * 32,
            "twilio_auth_token": "token",
            "public_base_url": "https://hotline.example.org",
        })
        logging.disable(logging.INFO)  # the app's log lines are not part of the measure
        hotline = app.extensions["hotline"]
        upgrade(hotline.db)
        with hotline.db.begin() as connection:
            for index in without:  # what an index costs: the same run without it
                connection.exec_driver_sql(f'DROP INDEX "{index}"')
        hotline.db.dispose()
        trace = SqliteTrace() if kind == "sqlite" else PostgresTrace(workdir / f"{kind}.trace")
        event.listen(hotline.db, "connect", lambda conn, _record: trace.attach(conn))
        tables = [t.name for t in SQLModel.metadata.sorted_tables]
        rng = random.Random(1)
        profiles = [
            (
                ("whatsapp:" if rng.random() < WHATSAPP_SHARE else "") + sender_number(i),
                rng.choice(CONVERSATIONS),
            )
            for i in range(senders)
        ]
        with hotline.db.connect() as connection:
            rows_before = table_rows(connection, tables)
        bytes_before = stored_bytes(hotline.db)
        wal_before = wal_position(hotline.db) if kind == "postgres" else 0
        trace.take()
        written_before = written_by_process()
        first, later, every = Tally(), Tally(), Tally()
        now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
        for turn in range(turns):
            for i, (sender, conversation) in enumerate(profiles):
                now += timedelta(milliseconds=50)
                message = InboundMessage(
                    sid=f"SM{turn:04d}{i:06d}" + "0" * 22, sender=sender,
                    body=text_at(conversation, turn),
                )
                hotline.handle_inbound(message, now)
                statements, round_trips = trace.take()
                (first if turn == 0 else later).add(statements, round_trips)
                every.add(statements, round_trips)
        written = written_by_process() - written_before
        wal = wal_position(hotline.db) - wal_before if kind == "postgres" else 0
        bytes_after = stored_bytes(hotline.db)
        with hotline.db.connect() as connection:
            rows_after = table_rows(connection, tables)
        hotline.db.dispose()
        logging.disable(logging.NOTSET)

    n = every.messages
    dropped = f", without {', '.join(without)}" if without else ""
    print(f"[{kind}] {n} inbound messages through Hotline.handle_inbound, {senders} senders"
          + dropped)
    print(first.line("first message"))
    print(later.line("later messages"))
    print(every.line("all"))
    inserted = {t: rows_after[t] - rows_before[t] for t in tables}
    inserted = {t: c for t, c in inserted.items() if c}
    print("  rows inserted per message: " + ", ".join(
        f"{t} {c / n:.2f}" for t, c in sorted(inserted.items())
    ))
    stored = (bytes_after - bytes_before) / n
    print(f"  bytes stored per message (tables and indexes): {stored:.0f}")
    if kind == "postgres":
        print(f"  WAL bytes per message (server-wide): {wal / n:.0f}")
        share = trace.prepared_binds / max(trace.binds, 1)
        print(f"  statements run prepared: {share:.0%} (DATABASE_PREPARE)")
    else:
        print(f"  bytes written per message (write(): WAL and checkpoints): {written / n:.0f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--senders", type=int, default=200)
    p.add_argument("--turns", type=int, default=8)
    p.add_argument(
        "--without-index", action="append", default=[], metavar="NAME",
        help="drop this index before the run, to see what it costs (repeatable)",
    )
    args = p.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-inbound-work-"))
    try:
        for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
            run(kind, args.senders, args.turns, workdir, args.without_index)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HOTLINE_ENV", "development")
    sys.exit(main())
