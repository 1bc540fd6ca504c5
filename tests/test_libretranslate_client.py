"""The LibreTranslate client on its own: language codes, batches, faults, settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import ConfigError, load_settings
from bot.machine_translation import (
    DOWN,
    ERROR,
    OFF,
    SAME,
    UNSUPPORTED,
    NoTranslator,
    Translation,
    Unavailable,
    translator_from,
)
from bot.machine_translation.codes import server_code
from bot.machine_translation.libretranslate import QUIET_AFTER_FAILURE, LibreTranslate
from tests.fake_libretranslate import FakeLibreTranslate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate(languages=("en", "es", "zh", "zt", "vi"), api_key="k") as fake:
        yield fake


@pytest.mark.parametrize(
    ("locale", "offered", "code"),
    [
        ("zh-Hans", {"zh-Hans", "zh"}, "zh-Hans"),
        ("zh-Hans", {"zh"}, "zh"),
        ("zh-Hant", {"zt"}, "zt"),
        ("tl", {"fil"}, "fil"),
        ("pt", {"pt-BR"}, "pt-BR"),
        ("es", {"es"}, "es"),
        ("ht", {"en", "fr"}, None),
        ("ko", set(), None),
    ],
)
def test_the_hotlines_locales_map_to_the_codes_a_server_offers(locale, offered, code):
    assert server_code(locale, offered) == code


def test_texts_are_translated_in_one_request_with_the_api_key_and_the_servers_codes(server):
    client = LibreTranslate(server.base_url, api_key="k", timeout=2)
    found = client.translate_all(["Hello", "Thank you"], "en", "zh-Hans")
    assert found == [Translation("[zh] Hello"), Translation("[zh] Thank you")]
    assert client.translate("Hola", "es", "zh-Hant") == Translation("[zt] Hola")
    assert server.translate_calls() == 2
    assert [path for _, path in server.calls].count("/languages") == 1  # the list is kept


def test_a_pair_the_server_does_not_list_is_unsupported_without_asking(server):
    client = LibreTranslate(server.base_url, api_key="k", timeout=2)
    assert client.translate("Bonjou", "ht", "en") == Unavailable(UNSUPPORTED)
    assert client.translate("Hello", "en", "en") == Unavailable(SAME)
    assert server.translate_calls() == 0


def test_after_a_failure_the_client_waits_before_asking_again(server):
    clock = Clock()
    client = LibreTranslate(server.base_url, api_key="k", timeout=2, clock=clock)
    server.fail_with(503)
    assert client.translate("Hello", "en", "es") == Unavailable(ERROR)
    server.fail_with(None)
    assert client.translate("Hello", "en", "es") == Unavailable(ERROR)  # still quiet
    assert len(server.calls) == 1
    clock.now += QUIET_AFTER_FAILURE
    assert client.translate("Hello", "en", "es") == Translation("[es] Hello")


def test_a_server_that_is_down_or_answers_nonsense_is_unavailable(server):
    base = server.base_url
    client = LibreTranslate(base, api_key="wrong", timeout=2)
    assert client.translate("Hello", "en", "es") == Unavailable(ERROR)  # 403: invalid key
    server.down()
    assert LibreTranslate(base, timeout=2).translate("Hello", "en", "es") == Unavailable(DOWN)


def test_without_a_url_there_is_no_translation():
    translator = translator_from("")
    assert isinstance(translator, NoTranslator)
    assert translator.translate("Hola", "es", "en") == Unavailable(OFF)
    assert translator.languages() == {}


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"LIBRETRANSLATE_URL": "localhost:5000"}, "LIBRETRANSLATE_URL must be the address"),
        ({"LIBRETRANSLATE_TIMEOUT": "0"}, "LIBRETRANSLATE_TIMEOUT must be above 0"),
        ({"LIBRETRANSLATE_TIMEOUT": "soon"}, "LIBRETRANSLATE_TIMEOUT must be a number"),
    ],
)
def test_bad_translation_settings_are_named(environ, says, tmp_path):
    with pytest.raises(ConfigError, match=says):
        load_settings(environ, {"instance_path": tmp_path})


def test_translation_settings_are_read_from_the_environment(tmp_path):
    settings = load_settings(
        {"LIBRETRANSLATE_URL": "http://127.0.0.1:5000/", "LIBRETRANSLATE_API_KEY": "abc",
         "LIBRETRANSLATE_TIMEOUT": "2.5"},
        {"instance_path": tmp_path},
    )
    assert settings.libretranslate_url == "http://127.0.0.1:5000"
    assert settings.libretranslate_api_key == "abc"
    assert settings.libretranslate_timeout == 2.5
    assert load_settings({}, {"instance_path": tmp_path}).libretranslate_url == ""
