"""The keys and the database are the owner's alone on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.storage.db import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_instance_folder_keys_and_database_are_private(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    settings = load_settings({}, {"instance_path": instance})
    engine = make_engine(settings.database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    engine.dispose()
    assert _mode(instance) == 0o700
    assert _mode(instance / "data.key") == 0o600
    assert _mode(instance / "secret_key") == 0o600
    assert _mode(instance / "hotline.db") == 0o600


def test_a_database_file_others_could_read_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o600


def test_a_key_file_others_can_read_is_refused_with_its_name(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    load_settings({}, {"instance_path": instance})
    key = instance / "data.key"
    key.chmod(0o644)
    with pytest.raises(ConfigError, match=r"data.key can be read by other users.*chmod 600"):
        load_settings({}, {"instance_path": instance})
