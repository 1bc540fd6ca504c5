"""Database engine, sessions and the per-sender lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLite drops a connection's page cache whenever another connection (the other gunicorn
# worker) has committed, so each message read its B-trees' pages again through read(): more
# of them as the file grows. Mapped, those pages are the kernel's page cache, read in place.
SQLITE_MMAP_BYTES = 1 << 30
log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Heroku-style postgres:// URLs, and plain postgresql://, use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


PREPARE_OFF = ("none", "off")


def prepare_threshold(url: URL) -> tuple[URL, int | None | str]:
    """``?prepare_threshold=none`` on a PostgreSQL URL: psycopg prepares no statement.

    psycopg 3 prepares a statement the fifth time a connection runs it. A pooler in
    transaction mode (PgBouncer before 1.21, or without max_prepared_statements) hands each
    transaction another server connection, where that statement does not exist. Returns the
    URL without the option, and the threshold (None: never; "default": psycopg's own).
    """
    raw = url.query.get("prepare_threshold")
    if raw is None:
        return url, "default"
    url = url.difference_update_query(["prepare_threshold"])
    value = (raw if isinstance(raw, str) else raw[-1]).strip().lower()
    if value in PREPARE_OFF:
        return url, None
    if value.isdigit():
        return url, int(value)
    raise ValueError(
        f"DATABASE_URL: prepare_threshold must be none (for PgBouncer in transaction mode) "
        f"or a whole number, not {value!r}"
    )


def _private_file(path: Path) -> None:
    """Create the database file for its owner alone (0600); SQLite's -wal and -shm files take
    the database file's permissions."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o600)  # made by an older version, readable by others


# psycopg prepares a statement on a connection once it has run this many times there: the
# hot path's few statements are then parsed and planned once per connection, not per message.
PREPARE_THRESHOLD = 5


def make_engine(url: str, *, prepare: bool = True) -> Engine:
    """An engine that serialises writers safely: BEGIN IMMEDIATE + WAL on SQLite.

    ``prepare`` (DATABASE_PREPARE) lets PostgreSQL keep prepared statements; turn it off
    behind a pooler that hands each transaction another server connection (PgBouncer in
    transaction mode without ``max_prepared_statements``), where a statement prepared on one
    server connection is unknown on the next. ``?prepare_threshold=none`` (or a number) on
    the URL says the same for that URL and wins over ``prepare``.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # DATABASE_PREPARE decides, unless the URL itself says ?prepare_threshold=...
        parsed, threshold = prepare_threshold(parsed)
        if threshold == "default":
            threshold = PREPARE_THRESHOLD if prepare else None
        # No pre-ping: it costs a round trip on every message. A connection found dead
        # (PostgreSQL restarted) is invalidated by SQLAlchemy, and the service retries once.
        return create_engine(
            parsed, pool_size=5, max_overflow=5, pool_recycle=3600, hide_parameters=True,
            connect_args={"prepare_threshold": threshold},
        )
    database = parsed.database or ""
    memory = database in ("", ":memory:")
    if not memory:
        _private_file(Path(database))
    engine = create_engine(
        url,
        # An error's message must never carry a statement's values into a log line.
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below issue BEGIN itself; pysqlite's own
        # implicit transactions begin too late to take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, not left readable in free pages.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    _WRITE_LOCKS[engine] = _WriterLock(None if memory else database + ".lock")
    if not memory:
        _CHECKPOINTS[engine] = _Checkpoints()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
        # timeout instead of one failing with "database is locked" when it upgrades.
        # Sent on the driver's own connection: every message begins one transaction.
        with driver_errors(connection, "BEGIN IMMEDIATE"):
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


class _WriterLock:
    """Queues SQLite writers in the kernel instead of in SQLite's busy handler.

    SQLite's busy handler polls with sleeps of up to 100 ms, so two gunicorn workers that
    contend for the write lock answer in tens of milliseconds. An exclusive flock on a file
    beside the database (and a thread lock within the process) hands the lock over as soon
    as the holder commits. Correctness never depends on it: BEGIN IMMEDIATE still guards.
    """

    def __init__(self, path: str | None):
        self.path = path
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.thread_lock:
            if self.path is None:
                yield
                return
            if self.fd is None or self.pid != os.getpid():  # opened anew after a fork
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, _WriterLock] = weakref.WeakKeyDictionary()


def write_lock(engine: Engine) -> AbstractContextManager[None]:
    """Hold while writing to SQLite (a no-op on PostgreSQL, where rows lock themselves)."""
    lock = _WRITE_LOCKS.get(engine)
    return lock() if lock is not None else nullcontext()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with write_lock(engine), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def checkpoint(engine: Engine) -> None:
    """After an erasure on SQLite: copy the write-ahead log into the database file and empty it.

    With secure_delete the erased rows are zeros in the database's pages, but older copies of
    those pages stay in the -wal file until a checkpoint writes them back and truncates it.
    A no-op on PostgreSQL (see docs/security.md for what holds there).
    """
    if engine.dialect.name != "sqlite" or (engine.url.database or ":memory:") == ":memory:":
        return
    with write_lock(engine):
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            cursor.close()
        finally:
            raw.close()
    if busy:
        log.warning("sqlite checkpoint after an erasure was blocked by a reader; it runs again "
                    "at the next erasure")


# At most one checkpoint a second for erasures made while texting: under a spike a "No" to the
# consent question can come every few messages, and each checkpoint copies the whole
# write-ahead log back and syncs the file while every other writer waits.
CHECKPOINT_SPACING = 1.0


class _Checkpoints:
    """One process's checkpoints after erasures, coalesced (see checkpoint_soon)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = float("-inf")
        self.timer: threading.Timer | None = None
        self.pid = os.getpid()

    def request(self, engine: Engine) -> None:
        with self.lock:
            if self.pid != os.getpid():  # a forked child has no timer thread of its parent's
                self.pid, self.last, self.timer = os.getpid(), float("-inf"), None
            if self.timer is not None:
                return  # the one already due runs after this erasure's commit
            wait = self.last + CHECKPOINT_SPACING - time.monotonic()
            if wait > 0:
                # Not a daemon: an exiting process (a worker stopped gracefully, a CLI command)
                # waits the fraction of a second for it.
                self.timer = threading.Timer(wait, self._due, (engine,))
                self.timer.start()
                return
            self.last = time.monotonic()
        checkpoint(engine)

    def _due(self, engine: Engine) -> None:
        with self.lock:
            self.timer, self.last = None, time.monotonic()
        try:
            checkpoint(engine)
        except Exception as exc:  # a database removed meanwhile; the next erasure runs one
            log.warning("sqlite checkpoint after an erasure failed: %s", type(exc).__name__)


# One for each SQLite file's engine, made with it.
_CHECKPOINTS: weakref.WeakKeyDictionary[Engine, _Checkpoints] = weakref.WeakKeyDictionary()


def checkpoint_soon(engine: Engine) -> None:
    """checkpoint() after an erasure while answering a message, at most once a second.

    The first erasure in a second checkpoints at once, as checkpoint() does; later ones in
    that second share one checkpoint at its end, run by a thread of this process. So the
    erased rows' older copies leave SQLite's files at most a second later than the erasure.
    """
    checkpoints = _CHECKPOINTS.get(engine)  # none on PostgreSQL or SQLite in memory
    if checkpoints is not None:
        checkpoints.request(engine)


def ping(engine: Engine) -> bool:
    """True when the database answers."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@contextmanager
def driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """A driver's error as SQLAlchemy raises it: the service retries a lost connection and a
    racing duplicate (IntegrityError), and the webhook answers 503 for a database that is
    down, whichever way the statement was sent. Values never reach the message."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        lost = bool(getattr(conn.connection.driver_connection, "broken", False))
        if lost:
            conn.invalidate()
        raise DBAPIError.instance(
            statement,
            None,
            exc,
            dbapi.Error,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=conn.dialect,
        ) from exc
