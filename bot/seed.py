"""Fill a database with months of traffic, to measure the hotline at a million messages.

A bulk path, not the webhook: a million messages through the real path take the better part
of an hour on a small machine, and what matters here is what the tables hold, not how they got
it. So the rows are written as the hot path and the ORM write them: the same tables, personal
columns encrypted with the configured data keys (through the column types themselves), contact
numbers found by the same keyed hash, timestamps in each database's own format, inbound
MessageSids unique, bot replies pointing at their inbound message. Proportions follow a
hotline's months: most conversations are a few menu turns, some go through the intake and open
a case (most of them closed since), cases have their advocate notifications in the outbox and
some a court hearing, and some families asked for news.

Rows are inserted in batches with explicit ids after the largest id already there (so a seeded
database can already hold traffic), then PostgreSQL's sequences are moved past them and both
databases' statistics refreshed (ANALYZE), as autovacuum would after such a load.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from .service import new_ref
from .storage import crypto
from .storage.alerts import AlertSubscription
from .storage.hearings import Hearing
from .storage.models import Case, Contact, Conversation, Message, OutboxMessage

BATCH = 2_000  # conversations per transaction
# Where conversations stopped, with how often: most at the menu or in the middle of the intake.
STATES = [
    ("menu", 40), ("submitted", 12), ("alerts_joined", 6), ("language", 5), ("consent", 4),
    ("relationship", 4), ("name", 3), ("held_at", 3), ("arrest_date", 3), ("hearing", 3),
    ("lawyer", 3), ("children", 3), ("callback", 2), ("review", 2), ("person", 4), (None, 3),
]
LOCALES = [("es", 55), ("en", 30), ("ht", 4), ("pt", 3), ("fr", 2), ("vi", 2), ("zh", 2),
           ("ar", 1), ("ru", 1), ("so", 1), ("tl", 1)]
TEXTS = ["hola", "1", "2", "menu", "gracias", "hi", "more", "sí", "Se llevaron a mi esposo hoy",
         "where is my brother?", "3", "no", "ayuda por favor", "ok"]
REPLIES = ["Hola. Esta es la línea de ayuda. Responda con un número: 1 Ayuda ahora …",
           "Gracias. ¿Cuál es su relación con la persona detenida?",
           "We got your message. An advocate will text you back. Your case number is K7F-3QX.",
           "Menú: 1 Encontrar a una persona detenida, 2 Conocer sus derechos, 3 Hablar …"]
CASE_SHARE = 0.15  # conversations that opened a case
CASE_STATUSES = [("closed", 80), ("claimed", 10), ("new", 10)]
HEARING_SHARE = 0.3  # of the cases
ALERT_SHARE = 0.2  # of the conversations
SPAN_DAYS = 365


@dataclass
class SeedReport:
    conversations: int = 0
    messages: int = 0
    cases: int = 0
    outbox: int = 0
    hearings: int = 0
    alerts: int = 0


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _next_id(conn: Connection, table: Table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _sid(rng: random.Random) -> str:
    return "SM" + f"{rng.getrandbits(128):032x}"


class _Ids:
    """The next free id of each table, read once, advanced as rows are made."""

    def __init__(self, conn: Connection, tables: list[Table]):
        self.next = {t.name: _next_id(conn, t) for t in tables}

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


def seed(
    db: Engine,
    *,
    messages: int,
    conversations: int,
    seed_value: int = 14,
    number_base: int = 7_000_000,
    progress: Callable[[SeedReport], None] | None = None,
) -> SeedReport:
    """Add `conversations` conversations holding `messages` messages in all (in and out)."""
    if conversations < 1 or messages < 2 * conversations:
        raise ValueError("need at least one conversation and two messages per conversation")
    rng = random.Random(seed_value)
    keys = crypto.current()
    tables = [t.__table__ for t in (Contact, Conversation, Message, Case, OutboxMessage, Hearing,
                                    AlertSubscription)]
    contact_t, conversation_t, message_t, case_t, outbox_t, hearing_t, alert_t = tables
    with db.connect() as conn:
        ids = _Ids(conn, tables)
    report = SeedReport()
    now = datetime.now(UTC)
    start = now - timedelta(days=SPAN_DAYS)
    step = timedelta(days=SPAN_DAYS) / conversations
    refs: set[str] = set()
    done_messages = 0
    for first in range(0, conversations, BATCH):
        rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in tables}
        last = min(first + BATCH, conversations)
        for n in range(first, last):
            at = start + step * n
            # Each conversation holds its share of what is left, so the total is exact.
            remaining = conversations - n
            budget = messages - done_messages
            pairs = max(1, round((budget / remaining) / 2 * rng.uniform(0.4, 1.6)))
            if remaining == 1:
                pairs = max(1, budget // 2)
            pairs = min(pairs, max(1, (budget - 2 * (remaining - 1)) // 2))
            count = _conversation(rng, keys, ids, rows, tables, n + number_base, at, pairs, refs)
            done_messages += count
        with db.begin() as conn:
            for table in tables:
                if rows[table.name]:
                    conn.execute(insert(table), rows[table.name])
        report.conversations += last - first
        report.messages = done_messages
        report.cases += len(rows["cases"])
        report.outbox += len(rows["outbox"])
        report.hearings += len(rows["hearing"])
        report.alerts += len(rows["alert_subscription"])
        if progress:
            progress(report)
    _finish(db, tables)
    return report


def _conversation(  # noqa: PLR0913
    rng: random.Random,
    keys: crypto.DataKeys,
    ids: _Ids,
    rows: dict[str, list[dict[str, Any]]],
    tables: list[Table],
    number: int,
    at: datetime,
    pairs: int,
    refs: set[str],
) -> int:
    contact_t, conversation_t, message_t, case_t, outbox_t, hearing_t, alert_t = tables
    phone = f"+1556{number:07d}"
    whatsapp = rng.random() < 0.25
    channel = "whatsapp" if whatsapp else "sms"
    locale = _weighted(rng, LOCALES)
    state = _weighted(rng, STATES)
    contact_id = ids.take(contact_t)
    conversation_id = ids.take(conversation_t)
    rows["contact"].append({"id": contact_id, "phone_hash": keys.lookup_hash(phone),
                            "phone": phone, "opted_out": rng.random() < 0.02, "created_at": at})
    answers: dict[str, Any] = {}
    if state not in ("menu", "language", "person", None):
        answers = {"relationship": "spouse", "name": "Nombre Apellido", "country": "Honduras",
                   "held_at": "Krome", "arrest_date": "2026-03-14", "callback": "yes"}
    moment = at
    for _ in range(pairs):
        inbound_id = ids.take(message_t)
        rows["message"].append({
            "id": inbound_id, "conversation_id": conversation_id, "direction": "in",
            "channel": channel, "author": "family", "message_sid": _sid(rng), "in_reply_to": None,
            "body": rng.choice(TEXTS), "media": None, "status": "received", "error_code": None,
            "created_at": moment, "updated_at": moment})
        rows["message"].append({
            "id": ids.take(message_t), "conversation_id": conversation_id, "direction": "out",
            "channel": channel, "author": "bot", "message_sid": None, "in_reply_to": inbound_id,
            "body": rng.choice(REPLIES), "media": None, "status": "replied", "error_code": None,
            "created_at": moment, "updated_at": moment})
        moment += timedelta(seconds=rng.randint(20, 600))
    rows["conversation"].append({
        "id": conversation_id, "contact_id": contact_id, "channel": channel, "state": state,
        "locale": locale, "answers": answers, "data": {"seen": ["menu"]}, "last_active": moment,
        "created_at": at, "updated_at": moment})
    if rng.random() < CASE_SHARE:
        _case(rng, ids, rows, tables, conversation_id, phone, channel, locale, answers, moment,
              refs)
    if rng.random() < ALERT_SHARE:
        rows["alert_subscription"].append({
            "id": ids.take(alert_t), "conversation_id": conversation_id, "language": locale,
            "channel": channel, "region": f"{rng.randint(100, 999)}", "created_at": moment,
            "updated_at": moment})
    return 2 * pairs


def _case(  # noqa: PLR0913
    rng: random.Random,
    ids: _Ids,
    rows: dict[str, list[dict[str, Any]]],
    tables: list[Table],
    conversation_id: int,
    phone: str,
    channel: str,
    locale: str,
    answers: dict[str, Any],
    at: datetime,
    refs: set[str],
) -> None:
    contact_t, conversation_t, message_t, case_t, outbox_t, hearing_t, alert_t = tables
    ref = new_ref()
    while ref in refs:
        ref = new_ref()
    refs.add(ref)
    status = _weighted(rng, CASE_STATUSES)
    case_id = ids.take(case_t)
    rows["cases"].append({
        "id": case_id, "ref": ref, "conversation_id": conversation_id,
        "kind": "intake" if answers else "agent", "status": status,
        "urgent": rng.random() < 0.2, "language": locale, "channel": channel,
        "answers": answers, "media": [], "created_at": at, "updated_at": at,
        "closed_at": at + timedelta(days=rng.randint(1, 30)) if status == "closed" else None})
    address = ("whatsapp:" if channel == "whatsapp" else "") + phone
    # The advocates were told of the case; an advocate wrote to the family, delivered.
    for kind, to in (("notify", "+15550009999"), ("advocate_reply", address)):
        rows["outbox"].append({
            "id": ids.take(outbox_t), "kind": kind, "channel": channel if to == address else "sms",
            "to": to, "to_hash": crypto.current().lookup_hash(to.removeprefix("whatsapp:")),
            "body": "Un defensor le escribirá pronto.", "content_sid": None,
            "content_variables": None,
            "conversation_id": conversation_id if to == address else None, "message_id": None,
            "case_id": case_id, "status": "delivered", "attempts": 1, "next_attempt_at": at,
            "provider_sid": _sid(rng), "error_code": None, "error": None, "created_at": at,
            "updated_at": at, "sent_at": at, "claimed_by": None, "unconfirmed_at": None,
            "template_fallback": False})
    if rng.random() < HEARING_SHARE:
        rows["hearing"].append({
            "id": ids.take(hearing_t), "case_id": case_id, "status": "scheduled",
            "details": {"at": (at + timedelta(days=40)).isoformat(), "zone": "America/New_York",
                        "court": "Miami Immigration Court", "mode": "in_person"},
            "recorded_by": None, "created_at": at, "updated_at": at})


def _finish(db: Engine, tables: list[Table]) -> None:
    """Sequences past the explicit ids (PostgreSQL), then fresh planner statistics."""
    with db.begin() as conn:
        if db.dialect.name == "postgresql":
            for table in tables:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" (SELECT max(id) FROM {table.name}))"
                ))
    if db.dialect.name == "postgresql":
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.begin() as conn:
            conn.execute(text("ANALYZE"))
