"""Benchmark of the outbox worker: drain queued messages against the fake Twilio server.

For each database (a SQLite file, and/or a fresh PostgreSQL database ``hotline_bench_<hex>``
that is dropped afterwards) and each number of workers, it queues ``--messages`` rows with
``bot.outbox.enqueue`` (in transactions of 500, half of them to families with a transcript row,
a quarter on WhatsApp, five per recipient so per-recipient ordering is exercised), starts the fake
Twilio REST server (tests/fake_twilio.py) and runs that many worker processes::

    python -m bot outbox work --until-empty     # HOTLINE_SEND_RATE=0: throttle off

with ``TWILIO_API_BASE_URL`` pointing at the fake. It prints messages/s over the whole run
(process start to last exit) and over the sending itself (first to last request the fake saw),
then checks that every message reached the fake exactly once and every row is ``sent`` with
the sid the fake gave it. Exit status 1 if any check fails. It also
prints the CPU time the workers and the fake server spent per message, and the load average:
on a small machine the workers, the fake server and PostgreSQL share the same cores.

    python bench/outbox.py [--messages 10000] [--db sqlite|postgres|both] [--workers 1,2]
                           [--json PATH] [--keep]

Output never holds phone numbers or message bodies; worker logs go to a temp directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bot.outbox import enqueue  # noqa: E402
from bot.storage import crypto  # noqa: E402
from bot.storage.db import make_engine, transaction  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from bot.storage.models import Contact, Conversation, OutboxMessage, utcnow  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HOTLINE_NUMBER = "+15559990000"
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
PER_RECIPIENT = 5
BATCH = 500


def queue_messages(url: str, count: int) -> None:
    """Queue `count` messages through enqueue(), as the app would, in transactions of 500."""
    engine = make_engine(url)
    upgrade(engine)
    keys = crypto.current()
    recipients = max(1, count // PER_RECIPIENT)
    families: dict[int, int] = {}
    with transaction(engine) as session:
        for n in range(0, recipients, 2):  # every other recipient is a family that texted
            phone = f"+1555{n:07d}"
            contact = Contact(phone_hash=keys.lookup_hash(phone), phone=phone)
            session.add(contact)
            session.flush()
            conversation = Conversation(contact_id=contact.id, channel="sms", answers={},
                                        data={}, last_active=utcnow())
            session.add(conversation)
            session.flush()
            families[n] = conversation.id  # type: ignore[assignment]
    for start in range(0, count, BATCH):
        with transaction(engine) as session:
            for i in range(start, min(count, start + BATCH)):
                n = i % recipients
                phone = f"+1555{n:07d}"
                to = f"whatsapp:{phone}" if n % 4 == 3 else phone
                enqueue(
                    session,
                    to=to,
                    kind="advocate_reply" if n in families else "notify",
                    body=f"Bench message {i}: an advocate will call you today.",
                    conversation_id=families.get(n),
                    author="advocate",
                )
    engine.dispose()


def worker_env(url: str, fake: FakeTwilio, data_key: str, concurrency: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    env.update(
        HOTLINE_ENV="production",
        DATABASE_URL=url,
        HOTLINE_DATA_KEYS=data_key,
        HOTLINE_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
        PUBLIC_BASE_URL="https://hotline.example.org",
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER=HOTLINE_NUMBER,
        TWILIO_WHATSAPP_FROM=f"whatsapp:{HOTLINE_NUMBER}",
        TWILIO_API_BASE_URL=fake.base_url,
        HOTLINE_SEND_RATE="0",
        HOTLINE_SEND_CONCURRENCY=str(concurrency),
    )
    return env


def drain(
    url: str, workers: int, count: int, data_key: str, logs: Path, concurrency: int
) -> dict:
    """Run `workers` worker processes until the outbox is empty; measure and check."""
    with FakeTwilio(auth_token=AUTH_TOKEN) as fake:
        env = worker_env(url, fake, data_key, concurrency)
        command = [sys.executable, "-m", "bot", "outbox", "work", "--until-empty"]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        fake_before = time.process_time()  # this process only serves the fake meanwhile
        started = time.monotonic()
        processes = []
        for n in range(workers):
            log = open(logs / f"worker-{n}.log", "wb")  # noqa: SIM115
            processes.append(
                (subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log), log)
            )
        codes = []
        for process, log in processes:
            codes.append(process.wait(timeout=1800))
            log.close()
        wall = time.monotonic() - started
        fake_cpu = time.process_time() - fake_before
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = (children.ru_utime - children_before.ru_utime
                      + children.ru_stime - children_before.ru_stime)
        posts = [r for r in fake.requests if r["method"] == "POST"]
        received = fake.messages
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage.status, OutboxMessage.provider_sid)).all()
    engine.dispose()
    bodies = Counter(m["body"] for m in received)
    sending = (max(r["time"] for r in posts) - min(r["time"] for r in posts)) if posts else 0.0
    checks = {
        "workers exited 0": all(code == 0 for code in codes),
        "each message received exactly once": len(bodies) == count
        and set(bodies.values()) == {1},
        "each recipient's messages in queued order": in_order(received),
        "every row sent": Counter(status for status, _ in rows) == {"sent": count},
        "row sids are the fake's": {sid for _, sid in rows} == {m["sid"] for m in received},
    }
    return {
        "workers": workers,
        "messages": count,
        "received": len(received),
        "requests": len(posts),
        "wall_seconds": round(wall, 2),
        "wall_rate": round(count / wall, 1),
        "sending_seconds": round(sending, 2),
        "sending_rate": round(count / sending, 1) if sending else None,
        "worker_cpu_ms_per_message": round(worker_cpu * 1000 / count, 2),
        "fake_cpu_ms_per_message": round(fake_cpu * 1000 / count, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "checks": checks,
    }


def in_order(received: list[dict]) -> bool:
    """Each recipient got their messages in the order they were queued (the number in the text)."""
    last: dict[str, int] = {}
    for message in received:
        number = int(message["body"].split(":", 1)[0].rsplit(" ", 1)[1])
        if last.get(message["to"], -1) > number:
            return False
        last[message["to"]] = number
    return True


BARE_SENDER = """
import sys
from bot.outbox.messages_api import MessagesApi
from concurrent.futures import ThreadPoolExecutor
base, sid, token, first, count, threads, sender = sys.argv[1:8]
api = MessagesApi(sid, token, base_url=base, connections=int(threads))
def send(i):
    status, answer = api.create({"To": f"+1555{i:07d}", "From": sender,
                                 "Body": f"Bare message {i}: an advocate will call you today.",
                                 "StatusCallback": "https://hotline.example.org/twilio/status"})
    assert status == 201, status
with ThreadPoolExecutor(int(threads)) as pool:
    list(pool.map(send, range(int(first), int(first) + int(count))))
"""


def bare(workers: int, count: int, threads: int) -> dict:
    """The same sends from the same number of processes, without a database: the ceiling."""
    with FakeTwilio(auth_token=AUTH_TOKEN) as fake:
        share = -(-count // workers)
        started = time.monotonic()
        processes = [
            subprocess.Popen([sys.executable, "-c", BARE_SENDER, fake.base_url, fake.account_sid,
                              AUTH_TOKEN, str(n * share), str(min(share, count - n * share)),
                              str(threads), HOTLINE_NUMBER], cwd=REPO)
            for n in range(workers)
        ]
        codes = [process.wait(timeout=600) for process in processes]
        wall = time.monotonic() - started
        posts = [r["time"] for r in fake.requests if r["method"] == "POST"]
        received = len(fake.messages)
    sending = max(posts) - min(posts) if posts else 0.0
    return {
        "workers": workers,
        "messages": count,
        "ok": all(code == 0 for code in codes) and received == count,
        "wall_rate": round(count / wall, 1),
        "sending_rate": round(count / sending, 1) if sending else None,
    }


def database_work(url: str) -> dict | None:
    """PostgreSQL's own counters for the bench database: commits and rows written so far."""
    if not url.startswith("postgresql"):
        return None
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        row = connection.execute(text(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
            "WHERE datname = current_database()"
        )).one()
    engine.dispose()
    return {"commits": row[0], "rows_written": row[1]}


def sqlite_database(tmp: Path, label: str) -> tuple[str, callable]:
    path = tmp / f"{label}.db"
    return f"sqlite:///{path}", lambda: None


def postgres_database() -> tuple[str, callable]:
    name = f"hotline_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="HOTLINE_SEND_CONCURRENCY: sends in flight per worker (1: one by one)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with worker logs")
    args = parser.parse_args()
    data_key = Fernet.generate_key().decode()
    crypto.configure(crypto.DataKeys([data_key]))
    tmp = Path(tempfile.mkdtemp(prefix="hotline-outbox-bench-"))
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    results = []
    ok = True
    try:
        print(f"outbox drain: {args.messages} messages, throttle off, fake Twilio on loopback, "
              f"{args.concurrency} sends in flight per worker")
        print(f"{'database':<10} {'workers':>7} {'wall s':>8} {'msg/s':>8} "
              f"{'sending s':>10} {'msg/s':>8} {'bare':>7} {'ratio':>6} {'worker CPU':>11} "
              f"{'fake CPU':>9} {'commits':>8} {'rows':>5} {'load':>5}  checks")
        for database in databases:
            for workers in counts:
                label = f"{database}-{workers}"
                url, drop = (sqlite_database(tmp, label) if database == "sqlite"
                             else postgres_database())
                try:
                    queue_messages(url, args.messages)
                    logs = tmp / label
                    logs.mkdir()
                    before = database_work(url)
                    result = drain(url, workers, args.messages, data_key, logs, args.concurrency)
                    time.sleep(0.6 if before else 0)  # PostgreSQL's counters lag ~0.5 s
                    after = database_work(url)
                finally:
                    drop()
                if before and after:
                    result["commits_per_message"] = round(
                        (after["commits"] - before["commits"]) / args.messages, 3)
                    result["rows_written_per_message"] = round(
                        (after["rows_written"] - before["rows_written"]) / args.messages, 2)
                ceiling = bare(workers, args.messages, args.concurrency)
                result["bare_sending_rate"] = ceiling["sending_rate"]
                result["ratio_to_bare"] = round(
                    (result["sending_rate"] or 0) / (ceiling["sending_rate"] or 1), 2)
                result["checks"]["bare run delivered everything"] = ceiling["ok"]
                result["database"] = database
                results.append(result)
                passed = all(result["checks"].values())
                ok &= passed
                failed = [name for name, good in result["checks"].items() if not good]
                print(f"{database:<10} {workers:>7} {result['wall_seconds']:>8} "
                      f"{result['wall_rate']:>8} {result['sending_seconds']:>10} "
                      f"{result['sending_rate']:>8} {result['bare_sending_rate']:>7} "
                      f"{result['ratio_to_bare']:>6} "
                      f"{result['worker_cpu_ms_per_message']:>8} ms "
                      f"{result['fake_cpu_ms_per_message']:>6} ms "
                      f"{result.get('commits_per_message', '-'):>8} "
                      f"{result.get('rows_written_per_message', '-'):>5} "
                      f"{result['load_average']:>5}  "
                      f"{'ok' if passed else 'FAILED: ' + ', '.join(failed)}", flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if args.keep or not ok:
            print(f"worker logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
