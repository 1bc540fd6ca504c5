"""The inbound hot path on PostgreSQL: three round trips per message, in psycopg's pipeline mode.

Each statement sent alone waits for its answer: BEGIN, the locking SELECT, the inbound INSERT,
the replies, the UPDATE and COMMIT were six or seven round trips a message. In pipeline mode
the client sends a batch and reads the answers together, and the server still runs the
statements in order, in the one transaction:

1. BEGIN, SELECT … FOR UPDATE of the conversation, then the inbound INSERT, which finds the
   conversation by the same hashes (it runs once the lock is held);
2. after the engine's step: the replies, the new snapshot and COMMIT.

Two round trips. (psycopg would send a BEGIN of its own, and wait for its answer, before the
first batch: the connection is in autocommit mode for the message, so the batch carries BEGIN
itself; see ``transaction``.)

A new number's first batch finds no conversation; a second sends the contact and conversation
INSERTs, the lock and the inbound INSERT again: three round trips. Statements are the ones
InboundStore writes for SQLite; only their sending differs. Errors reach the caller as
SQLAlchemy's exceptions, as from any other statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Engine

from .db import driver_errors
from .inbound import ConversationRow, InboundStore, NewMessage, SavedSnapshot


def inbound_store(postgres: bool) -> InboundStore:
    """The hot path's statements for the database: batched on PostgreSQL."""
    return PipelinedInboundStore() if postgres else InboundStore(postgres=False)


class PipelinedInboundStore(InboundStore):
    """InboundStore for PostgreSQL, batching the hot path's statements."""

    def __init__(self) -> None:
        super().__init__(postgres=True)
        self._insert_sql: dict[int, str] = {}

    @contextmanager
    def transaction(self, db: Engine) -> Iterator[Connection]:
        """The message's transaction, begun by the first batch itself.

        In autocommit mode psycopg sends no BEGIN of its own; the server is in a transaction
        from the BEGIN this store sends (first batch, or ``begin``) to the COMMIT of the last
        batch, or the ROLLBACK SQLAlchemy sends on an error (psycopg sends COMMIT and ROLLBACK
        whenever the server is in a transaction, autocommit or not). SQLAlchemy puts the
        connection back in its usual mode when it returns to the pool.
        """
        with db.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            with conn.begin():
                yield conn

    def begin(self, conn: Connection) -> None:
        if self._idle(conn):
            self._rows(conn, "BEGIN")

    @staticmethod
    def _idle(conn: Connection) -> bool:
        """No transaction open on the server yet."""
        import psycopg  # here, not at the top: a SQLite hotline never loads it

        status = conn.connection.driver_connection.info.transaction_status
        return bool(status == psycopg.pq.TransactionStatus.IDLE)

    def insert_locked_sql(self, count: int) -> str:
        """The inbound INSERT, its conversation found by the sender's hashes and locked before
        the message is stored (already held after the SELECT … FOR UPDATE before it, unless the
        conversation was created in between; storing first would deadlock with a retry of the
        same message waiting on the lock)."""
        sql = self._insert_sql.get(count)
        if sql is None:
            marks = ", ".join(f":h{i}" for i in range(count))
            sql = self._sql(
                f"{self._INBOUND_COLUMNS} SELECT c.id, {self._INBOUND_VALUES}"
                " FROM conversation c JOIN contact k ON k.id = c.contact_id"
                f" WHERE k.phone_hash IN ({marks}) LIMIT 1 FOR UPDATE OF c"
                + self._INBOUND_CONFLICT
            )
            self._insert_sql[count] = sql
        return sql

    def open_inbound(
        self, conn: Connection, hashes: list[str], message: NewMessage
    ) -> tuple[ConversationRow, int | None]:
        keys = self.hash_params(hashes)
        lock = (self.lock_sql(len(hashes)), keys)
        insert = (self.insert_locked_sql(len(hashes)), {**keys, **self.inbound_params(message)})
        found, stored = self._batch(conn, [lock, insert])
        if found is None and stored is not None:
            # Another message from this new number created the conversation between the two
            # statements (each sees what is committed when it starts): the INSERT locked it
            # before storing the message. Read the row, already held.
            (found,) = self._batch(conn, [lock])
        elif found is None:
            created = self.create_statements(hashes[0], message.phone, message.channel, message.now)
            *_, found, stored = self._batch(conn, [*created, lock, insert])
        row = self.conversation_row(found)
        assert row is not None
        return row, stored[0] if stored is not None else None

    def finish(
        self, conn: Connection, row: ConversationRow, inbound_id: int, message: NewMessage,
        replies: list[str], saved: SavedSnapshot,
    ) -> None:
        """Replies, snapshot and COMMIT in one round trip; the caller's commit then finds the
        transaction done and sends nothing."""
        statements = [self.save_statement(row, saved, message.channel, message.now)]
        if replies:
            statements.insert(0, self.replies_statement(
                row.id, inbound_id, message.channel, replies, message.now
            ))
        self._batch(conn, statements, commit=True)

    def _batch(
        self, conn: Connection, statements: list[tuple[str, dict[str, Any]]], commit: bool = False
    ) -> list[Any]:
        """Send the statements together; the first row each returned (None for none)."""
        import psycopg  # here, not at the top: a SQLite hotline never loads it

        driver = conn.connection.driver_connection
        begin = self._idle(conn)
        with driver_errors(conn, "; ".join(sql for sql, _ in statements)):
            cursors = []
            # Leaving the block sends one Sync and reads every answer: one round trip.
            with driver.pipeline():
                if begin:
                    driver.cursor().execute("BEGIN")
                for sql, params in statements:
                    cursor = driver.cursor()
                    cursor.execute(sql, params)
                    cursors.append(cursor)
                if commit:
                    # COMMIT as one more statement of the batch (psycopg's commit() would wait
                    # for a second Sync); the transaction status comes back with the answers.
                    driver.cursor().execute("COMMIT")
            # (The result's status, not cursor.description, which builds every column's
            # description to say the same.)
            rows = psycopg.pq.ExecStatus.TUPLES_OK
            return [
                cursor.fetchone() if cursor.pgresult and cursor.pgresult.status == rows else None
                for cursor in cursors
            ]
