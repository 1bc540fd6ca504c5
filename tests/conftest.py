"""Fixtures: the app on SQLite and on PostgreSQL, a signed Twilio client, the pure engine."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from tests.utils.twilio import TwilioSender

ROOT = Path(__file__).resolve().parent.parent
TEST_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://hotline.example.org"
DATA_KEY = Fernet.generate_key().decode()
POSTGRES_ADMIN = os.environ.get(
    "HOTLINE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    name = f"hotline_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if _in_ci():
            pytest.fail(f"CI=true but PostgreSQL does not answer at {POSTGRES_ADMIN}: {exc}")
        pytest.skip(f"PostgreSQL not available ({type(exc).__name__})")
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    migrated = create_engine(url)
    from bot.storage.migrate import upgrade

    upgrade(migrated)
    migrated.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    # DELETE and a sequence restart: five times faster than TRUNCATE on tables this small.
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))
        sequences = connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
        for sequence in sequences.all():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating afresh costs most of a second."""
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    engine = create_engine(f"sqlite:///{path}")
    from bot.storage.migrate import upgrade

    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "hotline.db")
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "database_url": database_url,
        "instance_path": tmp_path / "instance",
        "twilio_auth_token": TEST_TOKEN,
        "public_base_url": PUBLIC_BASE_URL,
        "data_keys": DATA_KEY,
        "secret_key": "test-secret-key-for-sessions-0123456789",
        "hotline_name": "Family Hotline",
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def app_settings(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Settings for create_app; a test may change them before asking for `app`."""
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(app_settings: dict[str, object]):  # type: ignore[no-untyped-def]
    from bot import create_app
    from bot.storage.migrate import upgrade

    app = create_app(app_settings)
    app.config["TESTING"] = True
    hotline = app.extensions["hotline"]
    upgrade(hotline.db)
    yield app
    hotline.db.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def twilio(client) -> TwilioSender:  # type: ignore[no-untyped-def]
    """Posts correctly signed Twilio webhooks, as Twilio would."""
    return TwilioSender(client, TEST_TOKEN, PUBLIC_BASE_URL)


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    from bot.conversation.i18n import load_catalog

    return load_catalog(ROOT / "locales")


@pytest.fixture(scope="session")
def flow(catalog):  # type: ignore[no-untyped-def]
    from bot.conversation.flows import load_flows

    return load_flows(ROOT / "flows", catalog)


@pytest.fixture
def chat(flow, catalog):  # type: ignore[no-untyped-def]
    """A conversation with the pure engine: no server, no database."""
    from tests.utils.conversation import Conversation

    return Conversation(flow, catalog, now=datetime(2026, 11, 28, 10, 0))


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """argon2 at production cost takes 0.1 s a hash; tests use the same algorithm, cheaper."""
    from argon2 import PasswordHasher

    from bot.advocates import roster

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(roster, "PASSWORDS", cheap)
    roster._dummy_hash.cache_clear()
    yield
    roster._dummy_hash.cache_clear()
