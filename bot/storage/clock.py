"""The tables' clock: every timestamp column defaults to aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC: SQLModel stores timestamps in UTC on SQLite and PostgreSQL alike."""
    return datetime.now(UTC)
