"""The SQL of the inbound hot path, written out once per database.

Every text a family sends runs these few statements inside one transaction. SQLAlchemy's
statement machinery costs several times what SQLite or PostgreSQL spend running them, so
they go to the driver's own cursor, inside the transaction SQLAlchemy began, with the same
encryption and timestamp formats as the column types in models.py, which read these rows
everywhere else. A driver's error reaches the caller as SQLAlchemy raises it (driver_errors).
"""

from __future__ import annotations

import json
import re
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from . import crypto
from .db import driver_errors

_NAMED = re.compile(r":([a-z_][a-z0-9_]*)")
ADVOCATES_TTL = 30.0  # seconds


@dataclass(frozen=True)
class NewMessage:
    """The inbound message as the store writes it."""

    sid: str
    phone: str
    channel: str
    body: str
    media: list[str]
    now: datetime


@dataclass(frozen=True)
class SavedSnapshot:
    """What the conversation row keeps of the engine's snapshot."""

    state: str | None
    locale: str | None
    answers: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class ConversationRow:
    id: int
    contact_id: int
    phone_hash: str
    state: str | None
    locale: str | None
    answers: dict[str, Any]
    data: dict[str, Any]
    last_active: datetime | None
    # The answers as stored (encrypted) and as read: answers that did not change are saved
    # as they were, without encrypting them again (most messages change none).
    answers_sealed: str | None = None
    answers_read: str | None = None


class InboundStore:
    """Raw statements for one dialect: SQLite (named :params) or PostgreSQL (%(name)s)."""

    def __init__(self, postgres: bool):
        self.postgres = postgres
        self._lock_sql: dict[int, str] = {}
        self._advocates: frozenset[str] = frozenset()
        self._advocates_read_at = -ADVOCATES_TTL - 1.0

    # -------------------------------------------------------------- formats
    def _sql(self, text: str) -> str:
        return _NAMED.sub(r"%(\1)s", text) if self.postgres else text

    def _time(self, moment: datetime) -> datetime | str:
        # SQLAlchemy stores SQLite timestamps as naive UTC text in this exact format.
        if self.postgres:
            return moment
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def _read_time(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @staticmethod
    def _json(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def _encrypt_json(cls, value: Any) -> str:
        return crypto.current().encrypt(cls._json(value))

    @staticmethod
    def _decrypt_json(token: str | None) -> Any:
        return json.loads(crypto.current().decrypt(token)) if token else None

    @staticmethod
    def _rows(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run one statement on the driver's cursor, in the connection's transaction: its rows."""
        with driver_errors(conn, sql):
            cursor = conn.connection.driver_connection.cursor()
            try:
                cursor.execute(sql, params or {})
                # Every row read now: SQLite finishes an INSERT … RETURNING only then.
                return cursor.fetchall() if cursor.description else []
            finally:
                cursor.close()

    def _first(self, conn: Connection, sql: str, params: dict[str, Any]) -> Any:
        rows = self._rows(conn, sql, params)
        return rows[0] if rows else None

    # -------------------------------------------------------------- one message
    def transaction(self, db: Engine) -> AbstractContextManager[Connection]:
        """The one transaction a message's statements run in."""
        return db.begin()

    def begin(self, conn: Connection) -> None:
        """Make sure the transaction has begun on the server, before statements sent another
        way (SQLAlchemy's, for SMS commands). SQLite's began with the connection's BEGIN."""

    def open_inbound(
        self, conn: Connection, hashes: list[str], message: NewMessage
    ) -> tuple[ConversationRow, int | None]:
        """The sender's conversation, locked (made for a new number), and the stored inbound
        message's id: None when its MessageSid is already stored."""
        row = self.lock_conversation(conn, hashes)
        if row is None:
            self.create_conversation(
                conn, hashes[0], message.phone, message.channel, message.now
            )
            row = self.lock_conversation(conn, hashes)
            assert row is not None
        inbound_id = self.store_inbound(
            conn, row.id, message.sid, message.body, message.media, message.channel, message.now
        )
        return row, inbound_id

    def finish(
        self, conn: Connection, row: ConversationRow, inbound_id: int, message: NewMessage,
        replies: list[str], saved: SavedSnapshot,
    ) -> None:
        """The replies and the conversation's new snapshot; the caller commits."""
        self.store_replies(conn, row.id, inbound_id, message.channel, replies, message.now)
        self.save_conversation(conn, row, saved, message.channel, message.now)

    # -------------------------------------------------------------- statements
    def lock_sql(self, count: int) -> str:
        """The sender's conversation by any of ``count`` hashes, locked on PostgreSQL."""
        sql = self._lock_sql.get(count)
        if sql is None:
            marks = ", ".join(f":h{i}" for i in range(count))
            sql = self._sql(
                "SELECT c.id, c.contact_id, k.phone_hash, c.state, c.locale, c.answers, c.data,"
                " c.last_active FROM conversation c JOIN contact k ON k.id = c.contact_id"
                f" WHERE k.phone_hash IN ({marks})" + (" FOR UPDATE OF c" if self.postgres else "")
            )
            self._lock_sql[count] = sql
        return sql

    @staticmethod
    def hash_params(hashes: list[str]) -> dict[str, str]:
        return {f"h{i}": h for i, h in enumerate(hashes)}

    def lock_conversation(self, conn: Connection, hashes: list[str]) -> ConversationRow | None:
        """The sender's conversation, locked until commit (FOR UPDATE on PostgreSQL)."""
        sql = self.lock_sql(len(hashes))
        return self.conversation_row(self._first(conn, sql, self.hash_params(hashes)))

    def conversation_row(self, found: Any) -> ConversationRow | None:
        if found is None:
            return None
        answers = crypto.current().decrypt(found[5]) if found[5] else None
        return ConversationRow(
            id=found[0],
            contact_id=found[1],
            phone_hash=found[2],
            state=found[3],
            locale=found[4],
            answers=(json.loads(answers) or {}) if answers else {},
            data=self._decrypt_json(found[6]) or {},
            last_active=self._read_time(found[7]),
            answers_sealed=found[5],
            answers_read=answers,
        )

    def is_advocate(self, conn: Connection, hashes: list[str]) -> bool:
        """Whether the sender is a registered advocate: only then do SMS commands apply.

        Advocates are few and change rarely, so their hashes are read at most every
        ADVOCATES_TTL seconds: a new advocate's SMS commands work within that time (the
        commands themselves check the advocate's record, so a deactivation is immediate).
        """
        now = time.monotonic()
        if now - self._advocates_read_at > ADVOCATES_TTL:
            rows = self._rows(conn, "SELECT phone_hash FROM advocate")
            self._advocates = frozenset(row[0] for row in rows)
            self._advocates_read_at = now
        return not self._advocates.isdisjoint(hashes)

    def create_conversation(
        self, conn: Connection, phone_hash: str, phone: str, channel: str, now: datetime
    ) -> None:
        """Contact and conversation for a new number; a racing twin is ignored."""
        for sql, params in self.create_statements(phone_hash, phone, channel, now):
            self._rows(conn, sql, params)

    def create_statements(
        self, phone_hash: str, phone: str, channel: str, now: datetime
    ) -> list[tuple[str, dict[str, Any]]]:
        stamp = self._time(now)
        empty = self._encrypt_json({})
        contact = {
            "phone_hash": phone_hash,
            "phone": crypto.current().encrypt(phone),
            "no": False,
            "now": stamp,
        }
        conversation = {
            "channel": channel, "answers": empty, "data": empty, "now": stamp,
            "phone_hash": phone_hash,
        }
        return [
            (
                self._sql(
                    "INSERT INTO contact (phone_hash, phone, opted_out, created_at)"
                    " VALUES (:phone_hash, :phone, :no, :now) ON CONFLICT (phone_hash) DO NOTHING"
                ),
                contact,
            ),
            (
                # "AND true" keeps SQLite from reading ON CONFLICT as a join's ON clause.
                self._sql(
                    "INSERT INTO conversation (contact_id, channel, answers, data, created_at,"
                    " updated_at) SELECT id, :channel, :answers, :data, :now, :now FROM contact"
                    " WHERE phone_hash = :phone_hash AND true ON CONFLICT (contact_id) DO NOTHING"
                ),
                conversation,
            ),
        ]

    def rehash_contact(
        self, conn: Connection, contact_id: int, phone_hash: str, phone: str
    ) -> None:
        """Move a number found under an older data key to the newest key."""
        self._rows(
            conn,
            self._sql("UPDATE contact SET phone_hash = :h, phone = :p WHERE id = :id"),
            {"h": phone_hash, "p": crypto.current().encrypt(phone), "id": contact_id},
        )

    def inbound_params(self, message: NewMessage) -> dict[str, Any]:
        return {
            "channel": message.channel,
            "sid": message.sid,
            "body": crypto.current().encrypt(message.body),
            "media": self._encrypt_json(message.media) if message.media else None,
            "now": self._time(message.now),
        }

    _INBOUND_COLUMNS = (
        "INSERT INTO message (conversation_id, direction, channel, author, message_sid,"
        " body, media, status, created_at, updated_at)"
    )
    _INBOUND_VALUES = "'in', :channel, 'family', :sid, :body, :media, 'received', :now, :now"
    _INBOUND_CONFLICT = " ON CONFLICT (message_sid) DO NOTHING RETURNING id"

    def store_inbound(
        self,
        conn: Connection,
        conversation_id: int,
        sid: str,
        body: str,
        media: list[str],
        channel: str,
        now: datetime,
    ) -> int | None:
        """Insert an inbound message; None when its MessageSid is already stored."""
        params = self.inbound_params(NewMessage(sid, "", channel, body, media, now))
        stored = self._first(
            conn,
            self._sql(
                f"{self._INBOUND_COLUMNS} VALUES (:cid, {self._INBOUND_VALUES})"
                + self._INBOUND_CONFLICT
            ),
            {"cid": conversation_id, **params},
        )
        return stored[0] if stored is not None else None

    def stored_replies(self, conn: Connection, sid: str, conversation_id: int) -> list[str]:
        """The replies given the first time this MessageSid arrived from this conversation.

        Twilio retries come from the same sender; the same MessageSid from another number is
        not a retry, and gets nothing of the first sender's replies."""
        rows = self._rows(
            conn,
            self._sql(
                "SELECT r.body FROM message r JOIN message m ON r.in_reply_to = m.id"
                " WHERE m.message_sid = :sid AND m.conversation_id = :cid ORDER BY r.id"
            ),
            {"sid": sid, "cid": conversation_id},
        )
        keys = crypto.current()
        return [keys.decrypt(body) for (body,) in rows if body]

    def replies_statement(
        self, conversation_id: int, inbound_id: int, channel: str, texts: list[str],
        now: datetime,
    ) -> tuple[str, dict[str, Any]]:
        """All of a message's replies in one INSERT."""
        keys = crypto.current()
        params: dict[str, Any] = {
            "cid": conversation_id, "channel": channel, "reply_to": inbound_id,
            "now": self._time(now),
        }
        rows = []
        for n, text in enumerate(texts):
            params[f"body{n}"] = keys.encrypt(text)
            rows.append(
                f"(:cid, 'out', :channel, 'bot', :reply_to, :body{n}, 'replied', :now, :now)"
            )
        sql = self._sql(
            "INSERT INTO message (conversation_id, direction, channel, author, in_reply_to, body,"
            " status, created_at, updated_at) VALUES " + ", ".join(rows)
        )
        return sql, params

    def store_replies(
        self,
        conn: Connection,
        conversation_id: int,
        inbound_id: int,
        channel: str,
        texts: list[str],
        now: datetime,
    ) -> None:
        if texts:
            self._rows(
                conn, *self.replies_statement(conversation_id, inbound_id, channel, texts, now)
            )

    def save_statement(
        self, row: ConversationRow, saved: SavedSnapshot, channel: str, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        answers = self._json(saved.answers)
        if row.answers_sealed and answers == row.answers_read:
            sealed = row.answers_sealed
        else:
            sealed = crypto.current().encrypt(answers)
        return (
            self._sql(
                "UPDATE conversation SET state = :state, locale = :locale, answers = :answers,"
                " data = :data, channel = :channel, last_active = :now, updated_at = :now"
                " WHERE id = :id"
            ),
            {
                "state": saved.state,
                "locale": saved.locale,
                "answers": sealed,
                "data": self._encrypt_json(saved.data),
                "channel": channel,
                "now": self._time(now),
                "id": row.id,
            },
        )

    def save_conversation(
        self, conn: Connection, row: ConversationRow, saved: SavedSnapshot, channel: str,
        now: datetime,
    ) -> None:
        self._rows(conn, *self.save_statement(row, saved, channel, now))


