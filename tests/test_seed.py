"""`hotline db seed`: made-up traffic written as the hotline writes it, and the reply index."""

from __future__ import annotations

from sqlalchemy import text

from bot.service import InboundMessage
from tests.utils.advocates import cli

FIRST_SEEDED_NUMBER = "+15567000000"  # bot/seed.py: +1556 and the number base


def counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.extensions["hotline"].db.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("contact", "conversation", "message", "cases", "outbox")
        }


def test_seeded_families_are_stored_encrypted_and_the_hotline_finds_them(app):
    result = cli(app, "db", "seed", "--messages", "400", "--conversations", "40", "--yes")
    assert result.exit_code == 0, result.output
    assert "seeded 40 conversations, 400 messages" in result.output
    seeded = counts(app)
    assert (seeded["contact"], seeded["conversation"], seeded["message"]) == (40, 40, 400)
    with app.extensions["hotline"].db.connect() as connection:
        dump = " ".join(
            str(connection.execute(text(f"SELECT * FROM {table}")).all())
            for table in ("contact", "message", "conversation", "outbox")
        )
        replied = connection.execute(text(
            "SELECT count(*) FROM message r JOIN message m ON r.in_reply_to = m.id"
            " WHERE m.direction = 'in' AND r.direction = 'out'"
        )).scalar()
    assert "5567000000" not in dump and "Se llevaron" not in dump and "Nombre" not in dump
    assert replied == 200  # every bot reply points at the family's message it answers

    # A seeded family texts again: the hotline finds them by the keyed hash of their number
    # and reads their stored conversation (a wrong key or format would fail or start afresh).
    hotline = app.extensions["hotline"]
    again = hotline.handle_inbound(
        InboundMessage(sid="SMseeded0001", sender=FIRST_SEEDED_NUMBER, body="menu")
    )
    assert again.replies and again.conversation_id is not None
    after = counts(app)
    assert after["contact"] == 40 and after["message"] == 402


def test_seed_refuses_fewer_than_two_messages_per_conversation(app):
    result = cli(app, "db", "seed", "--messages", "10", "--conversations", "20", "--yes")
    assert result.exit_code != 0
    assert "two messages per conversation" in result.output
    assert counts(app)["message"] == 0


def test_the_migrations_build_the_partial_reply_index_the_model_describes(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection),
                                           SQLModel.metadata)
            if engine.dialect.name == "sqlite":
                sql = connection.execute(text(
                    "SELECT sql FROM sqlite_master WHERE name = 'ix_message_in_reply_to'"
                )).scalar()
            else:
                sql = connection.execute(text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_message_in_reply_to'"
                )).scalar()
    finally:
        engine.dispose()
    assert [d for d in differences if "in_reply_to" in str(d)] == []
    assert "in_reply_to IS NOT NULL" in sql.replace("(", "").replace(")", "")
