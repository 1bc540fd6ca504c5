"""Settings: safe development defaults, and a production that refuses to run unprotected."""

from __future__ import annotations

import pytest

from bot import ConfigError, create_app
from bot.config import load_settings


def test_production_without_twilio_token_refuses_to_start(tmp_path):
    environ = {
        "HOTLINE_ENV": "production",
        "HOTLINE_SECRET_KEY": "x" * 40,
        "HOTLINE_DATA_KEYS": "k",
        "DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
    }
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        load_settings(environ)


def test_development_generates_keys_into_instance(tmp_path):
    settings = load_settings({}, {"instance_path": tmp_path})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hotline.db'}"
    assert (tmp_path / "data.key").read_text().strip() == settings.data_keys[0]
    assert oct((tmp_path / "data.key").stat().st_mode & 0o777) == "0o600"
    again = load_settings({}, {"instance_path": tmp_path})
    assert again.data_keys == settings.data_keys


def test_postgres_url_uses_psycopg_driver():
    from bot.storage.db import normalise_url

    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOTLINE_ENV", "staging", "HOTLINE_ENV"),
        ("HOTLINE_TIMEZONE", "Mars/Olympus", "HOTLINE_TIMEZONE"),
        ("HOTLINE_IDLE_HOURS", "soon", "HOTLINE_IDLE_HOURS"),
        ("PUBLIC_BASE_URL", "hotline.org", "PUBLIC_BASE_URL"),
        ("DATABASE_PREPARE", "maybe", "DATABASE_PREPARE must be on or off"),
    ],
)
def test_bad_setting_is_named(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({name: value}, {"instance_path": tmp_path})


def test_bad_data_key_is_explained(tmp_path):
    from bot.storage.crypto import DataKeys, KeyError_

    with pytest.raises(KeyError_, match="key 1 is not a Fernet key"):
        DataKeys(["not-a-key"])


def test_broken_locale_file_names_file_and_line(tmp_path):
    from bot.conversation.yamlfile import ContentError
    from tests.conftest import ROOT

    locales = tmp_path / "locales"
    locales.mkdir()
    source = (ROOT / "locales" / "en.yaml").read_text()
    broken = source.replace(
        "  menu:\n    # The numbers", "  menu:\n   bad: [unclosed\n    # The numbers", 1
    )
    (locales / "en.yaml").write_text(broken)
    with pytest.raises(ContentError) as info:
        create_app({"instance_path": tmp_path / "i", "locales_dir": locales})
    assert str(locales / "en.yaml") in str(info.value)
    assert info.value.line is not None and info.value.line > 1


def test_broken_flow_names_file_and_line(tmp_path):
    from bot.conversation.yamlfile import ContentError
    from tests.conftest import ROOT

    flows = tmp_path / "flows"
    flows.mkdir()
    source = (ROOT / "flows" / "hotline.yaml").read_text()
    broken = source.replace("next: pd_2", "next: pd_two", 1)
    (flows / "hotline.yaml").write_text(broken)
    with pytest.raises(ContentError, match="unknown state 'pd_two'") as info:
        create_app({"instance_path": tmp_path / "i", "flows_dir": flows})
    lines = broken.splitlines()
    assert lines[info.value.line - 1].strip() == "pd_1:"


def test_rotated_data_key_still_finds_and_reads_old_rows(tmp_path):
    from cryptography.fernet import Fernet

    from bot.storage.migrate import upgrade
    from tests.conftest import PUBLIC_BASE_URL, TEST_TOKEN, make_settings
    from tests.utils.twilio import TwilioSender

    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'h.db'}"
    app = create_app(make_settings(url, tmp_path, data_keys=old))
    upgrade(app.extensions["hotline"].db)
    first = TwilioSender(app.test_client(), TEST_TOKEN, PUBLIC_BASE_URL)
    first.text("hello", sender="+15555550150")
    app = create_app(make_settings(url, tmp_path, data_keys=f"{new},{old}"))
    sender = TwilioSender(app.test_client(), TEST_TOKEN, PUBLIC_BASE_URL)
    menu = sender.text("1", sender="+15555550150")
    assert "How can we help?" in menu  # same conversation: the language answer moved it on
