"""/preview/<code>: every message as a phone bubble, with its cost, key, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from bot import create_app
from bot.conversation.i18n import PLACEHOLDER
from bot.conversation.sms import segment_info
from bot.translations.source import load_locale_file
from tests.conftest import ROOT, make_settings
from tests.utils.locales import FIXTURES, FLOWS, locales_folder, replace_in


def _client(tmp_path: Path, **settings: object):  # type: ignore[no-untyped-def]
    # The preview reads files, not the database: one SQLite file is enough.
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'hotline.db'}", tmp_path, **settings))
    return app.test_client()


@pytest.fixture
def fixture_locales(tmp_path: Path) -> Path:
    return locales_folder(tmp_path / "locales")


@pytest.fixture
def client(tmp_path: Path, fixture_locales: Path):  # type: ignore[no-untyped-def]
    return _client(tmp_path, locales_dir=fixture_locales, flows_dir=FLOWS)


def _sections(page: bytes) -> dict[str, html.HtmlElement]:
    tree = html.fromstring(page)
    return {s.get("data-key"): s for s in tree.xpath("//section[@data-key]")}


def _by_class(element: html.HtmlElement, *classes: str) -> list[html.HtmlElement]:
    """Descendants with each class in turn, like the CSS selector ".from-texter .bubble"."""
    found = [element]
    for name in classes:
        test = f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        found = [d for e in found for d in e.xpath(f".//*[{test}]")]
    return found


def _assert_every_key_rendered(client, folder: Path) -> None:  # type: ignore[no-untyped-def]
    english = load_locale_file(folder / "en.yaml").locale
    for path in sorted(folder.glob("*.yaml")):
        own = load_locale_file(path).locale
        response = client.get(f"/preview/{own.code}")
        assert response.status_code == 200, own.code
        sections = _sections(response.data)
        assert list(sections) == list(english.messages), own.code
        for key, section in sections.items():
            text = own.messages.get(key) or english.messages[key]
            shown = section.text_content()
            for piece in PLACEHOLDER.split(text):
                for word in piece.split(","):
                    assert word.strip() in shown, (own.code, key, word)
            source = own if key in own.messages else english
            where = f"{source.path.name}:{source.lines[key]}"
            assert where in _by_class(section, "where")[0].text_content(), (own.code, key)


def test_preview_renders_every_key_of_every_repository_locale(tmp_path: Path) -> None:
    client = _client(tmp_path)
    _assert_every_key_rendered(client, ROOT / "locales")


def test_preview_renders_every_key_of_every_fixture_locale(client, fixture_locales) -> None:
    _assert_every_key_rendered(client, fixture_locales)


def test_bubbles_show_segments_and_encoding_of_the_text(client) -> None:
    sections = _sections(client.get("/preview/es").data)
    offer = sections["language.offer"]
    assert _by_class(offer, "bubble")[0].text_content() == "¿Español? Responda 1."
    cost = " ".join(_by_class(offer, "cost")[0].text_content().split())
    assert cost == "1 segment, GSM-7, 21 characters"
    intro = sections["welcome.intro"]
    info = segment_info("Este es {hotline}. Envíe STOP para parar.")
    cost = " ".join(_by_class(intro, "cost")[0].text_content().split())
    assert cost.startswith(f"{info.segments} segment, UCS-2, {info.length} characters")
    assert "UCS-2 because of: í" in cost
    assert _by_class(intro, "ph")[0].text_content() == "{hotline}"
    assert "Este es Family Hotline." in intro.xpath(".//details/div")[0].text_content()
    words = _by_class(sections["keywords.skip"], "from-texter", "bubble")
    assert [b.text_content() for b in words] == ["saltar"]


def test_arabic_is_shown_right_to_left(client) -> None:
    tree = html.fromstring(client.get("/preview/ar").data)
    phones = _by_class(tree, "phone")
    assert phones and all(p.get("dir") == "rtl" and p.get("lang") == "ar" for p in phones)
    spanish = _by_class(html.fromstring(client.get("/preview/es").data), "phone")
    assert all(p.get("dir") == "ltr" for p in spanish)


def test_preview_shows_what_the_checker_found_beside_the_key(client, fixture_locales) -> None:
    replace_in(fixture_locales / "es.yaml", "Su número de caso es {ref}.", "Su caso: {numero}.")
    section = _sections(client.get("/preview/es").data)["case.created"]
    problems = _by_class(section, "problem")[0].text_content()
    assert "error: {ref} is missing" in problems
    assert "error: {numero} is not a placeholder" in problems


def test_a_file_that_cannot_be_read_shows_its_line_not_a_crash(client, fixture_locales) -> None:
    (fixture_locales / "de.yaml").write_bytes((FIXTURES / "broken" / "de.yaml").read_bytes())
    response = client.get("/preview/de")
    assert response.status_code == 200
    assert b"de.yaml:14: error: YAML error" in response.data
    index = client.get("/preview/")
    assert index.status_code == 200 and b"de.yaml:14" in index.data


def test_index_lists_each_language_with_its_cost(client) -> None:
    tree = html.fromstring(client.get("/preview/").data)
    rows = [" ".join(r.text_content().split()) for r in tree.xpath("//tbody/tr")]
    assert [r.split()[0] for r in rows] == ["en", "ar", "es"]
    assert rows[2] == (
        "es Español (Spanish) reviewed Ana Ruiz 2026-11-20 43/43 (100%) 0 "
        "9 segments in 4 SMS, UCS-2 5 segments in 3 SMS, mixed"
    )


def test_unknown_locale_is_404(client) -> None:
    assert client.get("/preview/xx").status_code == 404


def test_preview_does_not_exist_in_production(tmp_path: Path, fixture_locales: Path) -> None:
    client = _client(tmp_path, env="production", locales_dir=fixture_locales, flows_dir=FLOWS)
    for url in ("/preview/", "/preview/es", "/preview/ar"):
        assert client.get(url).status_code == 404
