"""What an attacker with the disk reads: a SQLite database's raw files."""

from __future__ import annotations


def sqlite_bytes(database_url: str) -> bytes | None:
    """The bytes of a SQLite database file and its write-ahead log; None for PostgreSQL."""
    if not database_url.startswith("sqlite:///"):
        return None
    path = database_url[len("sqlite:///"):]
    raw = b""
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as handle:
                raw += handle.read()
        except FileNotFoundError:
            pass
    return raw
