"""`hotline locales check`: each kind of mistake found, with its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.conversation.sms import segment_info
from bot.translations import check as check_module
from bot.translations.check import check_locales, message_info
from bot.translations.source import load_locale_file
from bot.translations.writer import quote, stamp
from tests.utils.locales import (
    FIXTURES,
    FLOWS,
    locales_folder,
    marked_lines,
    marked_text_line,
    replace_in,
)

BROKEN = ("fr.yaml", "de.yaml", "ar.yaml", "pt.yaml", "it.yml")
ROWS = json.loads((Path(__file__).parent / "data" / "sms_segments.json").read_text("utf-8"))

# (file, kind of mistake, severity): every line marked "MISTAKE <kind>" must be reported.
MISTAKES = [
    ("de.yaml", "yaml", "error"),
    ("pt.yaml", "file", "error"),
    ("ar.yaml", "direction", "error"),
    ("ar.yaml", "header", "error"),
    ("fr.yaml", "placeholder_missing", "error"),
    ("fr.yaml", "placeholder_unknown", "error"),
    ("fr.yaml", "empty", "error"),
    ("fr.yaml", "extra", "error"),
    ("fr.yaml", "too_long", "error"),
    ("fr.yaml", "source_hash", "error"),
    ("fr.yaml", "collision", "error"),
    ("fr.yaml", "missing", "warning"),
    ("fr.yaml", "stale", "warning"),
    ("fr.yaml", "long", "warning"),
    ("fr.yaml", "brace", "warning"),
    ("fr.yaml", "keyword_word", "warning"),
    ("fr.yaml", "unstamped", "warning"),
    ("fr.yaml", "untranslated", "warning"),
]
# The checker's own names for the fixture's kinds, where they differ.
KIND = {"yaml": "file"}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, check_module.Report]:
    folder = locales_folder(tmp_path_factory.mktemp("broken") / "locales", ("es",), BROKEN)
    return folder, check_locales(folder, FLOWS)


def test_good_translations_have_no_errors_or_warnings(tmp_path: Path) -> None:
    report = check_locales(locales_folder(tmp_path / "locales"), FLOWS)
    assert [str(i) for i in report.issues()] == []
    assert report.ok
    assert set(report.files) == {"en", "es", "ar"}


@pytest.mark.parametrize(("name", "kind", "severity"), MISTAKES)
def test_each_mistake_is_found_with_its_file_and_line(broken, name, kind, severity) -> None:
    folder, report = broken
    lines = marked_lines(FIXTURES / "broken" / name, kind)
    assert lines, f"the fixture {name} marks no '{kind}' mistake"
    found = [
        (i.line, i.severity)
        for i in report.issues()
        if i.kind == KIND.get(kind, kind) and Path(i.file).name == name
    ]
    for line in lines:
        assert (line, severity) in found, f"{name}:{line} {kind} not reported; got {found}"


def test_a_file_that_cannot_be_read_is_reported_and_the_others_still_checked(broken) -> None:
    _, report = broken
    (yaml_error,) = [i for i in report.errors if i.locale == "de"]
    # The wording comes from the YAML parser (libyaml or pure Python); the place is ours.
    assert "de.yaml:14: error: YAML error: " in str(yaml_error)
    assert {"fr", "es", "ar"} <= set(report.files)
    assert "de" not in report.files


def test_errors_and_warnings_name_the_key_and_say_how_to_fix_it(broken) -> None:
    _, report = broken
    by_kind = {(i.kind, i.key): str(i) for i in report.issues("fr")}
    assert by_kind[("placeholder_missing", "welcome.intro")].endswith(
        "welcome.intro: {hotline} is missing: keep it as it is in English"
    )
    stale = by_kind[("stale", "pd.part1")]
    assert "hotline locales stamp fr pd.part1" in stale
    assert "en.yaml:48" in stale  # where the English text is
    agent = by_kind[("collision", "menu.person.words")]
    assert "'agent'" in agent and "keyword AGENT" in agent


def test_keyword_collisions_cover_menu_words_keywords_and_language_names(broken) -> None:
    _, report = broken
    collisions = {(i.key, i.message.split(":")[-1].strip()) for i in report.errors
                  if i.kind == "collision"}
    assert collisions == {
        ("language.words", "texting it would switch to Spanish"),
        ("menu.person.words", "texting it would act as the keyword AGENT"),
        ("keywords.menu", "a texter typing one may get the other"),
        ("menu.arrest.words", "texting it would STOP (in any language)"),
        # A French STOP word stops an English texter who types "arrest" (one letter off).
        ("keywords.stop", "texting it would STOP (in any language)"),
    }


def test_stale_translations_are_listed_per_key_until_stamped(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales")
    replace_in(folder / "en.yaml", "Reply OK to send.", "Reply OK to send your answers.")
    replace_in(folder / "en.yaml", '"Erase everything?', '"Erase all we have?')
    report = check_locales(folder, FLOWS)
    stale = sorted((i.locale, i.key) for i in report.warnings if i.kind == "stale")
    assert stale == [("ar", "delete.ask"), ("ar", "review.ask"),
                     ("es", "delete.ask"), ("es", "review.ask")]
    line = next(i.line for i in report.warnings if (i.locale, i.key) == ("es", "review.ask"))
    assert 'ask: "Responda OK para enviar."' in (folder / "es.yaml").read_text().splitlines()[
        line - 1
    ]

    stamp(load_locale_file(folder / "en.yaml"), folder / "es.yaml", ["review.ask"])
    report = check_locales(folder, FLOWS)
    stale = sorted((i.locale, i.key) for i in report.warnings if i.kind == "stale")
    assert stale == [("ar", "delete.ask"), ("ar", "review.ask"), ("es", "delete.ask")]


def test_status_reviewed_with_stale_keys_is_flagged(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ("es",))
    replace_in(folder / "en.yaml", "Reply OK to send.", "Reply OK to send it.")
    report = check_locales(folder, FLOWS)
    (status,) = [i for i in report.warnings if i.kind == "status"]
    assert status.line == 11 and "1 key is stale or missing" in status.message


def test_english_placeholders_need_a_comment(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    replace_in(folder / "en.yaml", "    # {ref} is the case number.\n", "")
    report = check_locales(folder, FLOWS)
    (issue,) = report.warnings
    line = marked_text_line(folder / "en.yaml", 'created: "Sent.')
    assert (issue.kind, issue.key, issue.line) == ("context", "case.created", line)
    assert "say what {ref} stands for" in issue.message


def test_every_message_gets_the_figures_of_the_segment_calculator(broken) -> None:
    _, report = broken
    assert {m.locale for m in report.messages} == {"en", "es", "fr", "ar"}
    for m in report.messages:
        text = report.files[m.locale].locale.messages[m.key]
        info = segment_info(text)
        assert (m.length, m.encoding, m.segments) == (info.length, info.encoding, info.segments)
    keys = {(m.locale, m.key) for m in report.messages}
    for code, own in report.files.items():
        assert {(code, k) for k in own.locale.messages} <= keys


def test_message_info_is_segment_info() -> None:
    # The checker must not count on its own: it asks the calculator the hotline trusts.
    assert check_module._segment_info.__wrapped__ is segment_info
    info = message_info("es", "k", "¿Qué tal? 👍🏽")
    assert (info.encoding, info.segments, info.length) == ("UCS-2", 1, 11)


def test_checker_counts_segments_as_twilio_calculator_table(tmp_path: Path) -> None:
    """Every text measured with the npm sms-segments-calculator, written into a locale file."""
    rows = [r for r in ROWS if r["smart_encoding"]]  # the hotline sends with Smart Encoding on
    folder = tmp_path / "locales"
    folder.mkdir()
    body = "".join(f"  row{n}: {quote(r['text'])}\n" for n, r in enumerate(rows))
    (folder / "en.yaml").write_text(
        "language:\n  code: en\n  name: English\n  native: English\n  direction: ltr\n"
        "  status: draft\nmessages:\n  table:\n" + body.replace("  row", "    row"),
        encoding="utf-8",
    )
    report = check_locales(folder)
    figures = {m.key: (m.encoding, m.segments, m.length) for m in report.messages}
    assert len(figures) == len(rows)
    for n, row in enumerate(rows):
        expected = (row["encoding"], row["segments"], row["length"])
        assert figures[f"table.row{n}"] == expected, f"row {n}: {row['text'][:40]!r}"


def test_a_missing_english_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "locales"
    folder.mkdir()
    (folder / "es.yaml").write_text((FIXTURES / "good" / "es.yaml").read_text("utf-8"), "utf-8")
    report = check_locales(folder, FLOWS)
    assert [i.kind for i in report.errors] == ["file"]
    assert "English file is missing" in report.errors[0].message


def test_a_broken_flow_skips_only_the_collision_check(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "hotline.yaml").write_text("flow: hotline\nstates: {}\n", "utf-8")
    report = check_locales(locales_folder(tmp_path / "locales"), flows)
    assert report.ok
    (warning,) = report.warnings
    assert warning.kind == "flow" and "collisions not checked" in warning.message


def test_another_languages_stop_word_is_reported_where_it_bites(tmp_path: Path) -> None:
    # STOP words work in every conversation: a Spanish HELP word one letter away from a
    # French STOP word would opt a Spanish texter out when they ask for help.
    folder = locales_folder(tmp_path / "locales", ("es",), ("fr.yaml",))
    replace_in(folder / "es.yaml", 'help: "ayuda"', 'help: "ayuda, arrete"')
    report = check_locales(folder, FLOWS)
    spanish = [str(i) for i in report.errors if i.locale == "es"]
    line = marked_text_line(folder / "es.yaml", 'help: "ayuda, arrete"')
    assert spanish == [
        f"{folder / 'es.yaml'}:{line}: error: keywords.help: 'arret' (keywords.stop, fr) and "
        "'arrete' (keywords.help, es) are keywords that match each other: a texter typing one "
        "may get the other"
    ]


def test_a_long_word_list_is_not_a_long_message(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ("es",))
    path = folder / "es.yaml"
    text = path.read_text("utf-8")
    many = ", ".join(f"palabra{n}" for n in range(40))  # typed by texters, never sent
    start = text.index("      words:", text.index("    arrest:"))
    end = text.index("\n", start)
    path.write_text(text[:start] + f'      words: "{many}"' + text[end:], "utf-8")
    report = check_locales(folder, FLOWS)
    assert len(many) > 320
    assert [i for i in report.warnings if i.kind == "long"] == []
