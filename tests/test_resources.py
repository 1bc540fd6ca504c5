"""The resource directory: what `hotline resources check` reports, and how entries are matched."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.conversation.sms import segment_info
from bot.conversation.zipcodes import parse_zip, state_of
from bot.resources import card, load_directory, matching
from bot.resources.referrals import MAX_SEGMENTS
from tests.conftest import ROOT

LOCALES = ["ar", "en", "es", "fr", "ht", "ko", "pt", "tl", "vi", "zh-Hans", "zh-Hant"]
DAY = dt.date(2026, 12, 2)
GOOD = """\
resources:
  - id: springfield_legal_aid
    kind: legal_aid
    name:
      en: "Springfield Legal Aid"
      es: "Ayuda Legal de Springfield"
    phone: "1-217-555-0188"
    languages: ["en", "es", "mam"]
    zips: ["627", "62701"]
    states: ["IL"]
    source: "https://example.org/springfield, checked by phone"
    as_of: {as_of}
"""
BROKEN = """\
resources:
  - id: one
    kind: legal_aid
    name:
      en: "One"
      xx: "Uno"
    phone: "555-12"
    languages: ["en", "klingon"]
    zips: ["9A1", "12"]
    states: ["ZZ"]
    as_of: "last week"
  - id: two
    kind: food_rent
    name: "Two"
    web: "example.org/food"
    source: "example"
    as_of: 2026-10-01
  - id: two
    kind: shelter
    source: "example"
    as_of: 2026-10-01
"""


def folder_with(tmp_path: Path, text: str, name: str = "local.yaml") -> Path:
    folder = tmp_path / "resources"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def check(folder: Path, max_age_days: int = 180):  # type: ignore[no-untyped-def]
    return load_directory(folder, LOCALES, max_age_days=max_age_days, today=DAY)


def test_shipped_directory_is_clean_and_its_example_is_never_sent():
    directory = check(ROOT / "resources")
    assert directory.errors == [] and directory.warnings == []
    ids = {e.id for e in directory.sent}
    assert {"detainee_locator", "ice_detention_line", "court_case_line"} <= ids
    assert {"consulate_mx", "consulate_gt", "consulate_hn", "consulate_sv"} <= ids
    assert "example_legal_aid" not in ids
    assert any(e.example for e in directory.entries)


def test_every_shipped_entry_cites_its_source_and_date():
    for entry in check(ROOT / "resources").entries:
        assert entry.source and entry.as_of <= DAY
        assert entry.phone or entry.web


def test_checker_names_file_and_line_of_each_mistake(tmp_path):
    folder = folder_with(tmp_path, BROKEN)
    shown = [str(p) for p in check(folder).errors]
    path = str(folder / "local.yaml")
    assert f"{path}:6: error: one: 'xx' is not a language code like es or vi" in shown
    assert f"{path}:7: error: one: '555-12' is not a valid phone number" in shown
    assert f"{path}:8: error: one: klingon: an unknown language" in shown
    assert f"{path}:9: error: one: 9A1, 12: a ZIP prefix is 3 to 5 digits in quotes" in shown
    assert f"{path}:10: error: one: ZZ: not a two-letter state code" in shown
    assert f"{path}:11: error: one: as_of is the day the entry was checked, YYYY-MM-DD" in shown
    assert f"{path}:2: error: one: give a phone or a web address" not in shown
    assert any(s.startswith(f"{path}:18: error: the id 'two' is already used at") for s in shown)
    assert f"{path}:19: error: two: kind must be one of " in " ".join(shown)
    assert f"{path}:18: error: two: 'name' is missing" in shown
    assert f"{path}:18: error: two: give a phone or a web address" in shown
    missing_source = [s for s in shown if "'source' must say where the facts come from" in s]
    assert missing_source == [f"{path}:2: error: one: 'source' must say where the facts come from"]


def test_a_name_in_a_language_without_a_locale_is_kept_with_a_warning(tmp_path):
    spanish = '      es: "Ayuda Legal de Springfield"'
    text = GOOD.format(as_of="2026-11-30").replace(spanish, spanish + '\n      de: "Rechtshilfe"')
    directory = check(folder_with(tmp_path, text))
    assert directory.errors == []
    [warning] = [str(w) for w in directory.warnings]
    expected = ":7: warning: springfield_legal_aid: no locale 'de' in locales/: not sent"
    assert warning.endswith(expected)


def test_an_impossible_date_is_named_with_its_line(tmp_path):
    folder = folder_with(tmp_path, GOOD.format(as_of="2026-11-31"))
    [error] = [str(e) for e in check(folder).errors]
    assert error == f"{folder / 'local.yaml'}:12: error: '2026-11-31' is not a real date"


def test_an_old_entry_is_a_warning_with_its_line_and_age(tmp_path):
    folder = folder_with(tmp_path, GOOD.format(as_of="2026-01-15"))
    directory = check(folder, max_age_days=180)
    assert directory.errors == []
    [warning] = [str(w) for w in directory.warnings]
    assert warning == (
        f"{folder / 'local.yaml'}:12: warning: springfield_legal_aid: checked 321 days ago "
        "(as_of 2026-01-15); check it again and update as_of"
    )
    assert check(folder, max_age_days=400).warnings == []


def test_a_local_entry_must_say_whom_it_serves(tmp_path):
    text = GOOD.format(as_of="2026-11-30").replace('    zips: ["627", "62701"]\n', "")
    text = text.replace('    states: ["IL"]\n', "")
    [error] = [str(e) for e in check(folder_with(tmp_path, text)).errors]
    assert error.endswith(
        "springfield_legal_aid: a local resource lists the 'states' or 'zips' it serves"
    )


def test_cli_check_prints_errors_and_exits_1_and_json_lists_entries(tmp_path, monkeypatch):
    runner = CliRunner()
    folder = folder_with(tmp_path, BROKEN)
    monkeypatch.setenv("HOTLINE_RESOURCES_DIR", str(folder))
    result = runner.invoke(main, ["resources", "check"])
    assert result.exit_code == 1
    wrong = f"{folder / 'local.yaml'}:7: error: one: '555-12' is not a valid phone number"
    assert wrong in result.output
    assert result.output.rstrip().endswith("errors, 0 warnings.")
    (tmp_path / "good").mkdir()
    good = folder_with(tmp_path / "good", GOOD.format(as_of="2020-01-01"))
    monkeypatch.setenv("HOTLINE_RESOURCES_DIR", str(good))
    result = runner.invoke(main, ["resources", "check", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["errors"] == []
    assert report["warnings"][0]["line"] == 12
    assert report["entries"][0]["id"] == "springfield_legal_aid"


def test_check_follows_the_max_age_setting(tmp_path, monkeypatch):
    folder = folder_with(tmp_path, GOOD.format(as_of="2020-01-01"))
    monkeypatch.setenv("HOTLINE_RESOURCES_DIR", str(folder))
    monkeypatch.setenv("HOTLINE_POLICY_MAX_AGE_DAYS", "0")
    result = CliRunner().invoke(main, ["resources", "check"])
    assert result.exit_code != 0
    assert "HOTLINE_POLICY_MAX_AGE_DAYS must be 1 or more days" in result.output


@pytest.mark.parametrize("typed", ["Mexico", "México", "mexico", "MEXICO.", "mexicana", "Mexique"])
def test_the_consulate_is_found_however_the_country_was_typed(typed):
    entries = matching(check(ROOT / "resources"), {"country": typed}, ["es", *LOCALES])
    assert entries[0].id == "consulate_mx"


@pytest.mark.parametrize("typed", ["", "Narnia", None, "I don't know"])
def test_no_consulate_when_no_country_is_named(typed):
    entries = matching(check(ROOT / "resources"), {"country": typed}, ["en"])
    assert [e.kind for e in entries] == ["national", "national", "national"]


def test_local_entries_by_longest_zip_prefix_then_state(tmp_path):
    text = GOOD.format(as_of="2026-11-30") + """\
  - id: chicago_bond_fund
    kind: bond_fund
    name: "Chicago Bond Fund"
    web: "example.org/bond"
    states: ["IL"]
    source: "example"
    as_of: 2026-11-30
  - id: capitol_accompaniment
    kind: accompaniment
    name: "Capitol Accompaniment"
    phone: "217-555-0199"
    zips: ["6270"]
    source: "example"
    as_of: 2026-11-30
"""
    directory = check(folder_with(tmp_path, text))
    near = [e.id for e in matching(directory, {"zip": "62705"})]
    assert near == ["capitol_accompaniment", "springfield_legal_aid", "chicago_bond_fund"]
    in_state = [e.id for e in matching(directory, {"zip": "60601"})]
    assert in_state == ["springfield_legal_aid", "chicago_bond_fund"]  # Illinois, file order
    assert matching(directory, {"zip": "90210"}) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_card_fits_in_three_segments_in_every_language(catalog, locale):
    directory = check(ROOT / "resources")
    entries = [e for e in directory.sent if e.kind == "national"]
    entries = [*[e for e in directory.sent if e.id == "consulate_mx"], *entries]
    text = card(catalog, locale, entries)
    assert segment_info(text).segments <= MAX_SEGMENTS
    assert text.count("\n") >= 2  # at least one place, between the card's own words
    assert "(520) 623-7874" in text  # the consulate comes first and is always kept


@pytest.mark.parametrize(
    ("typed", "zip_code"),
    [
        ("90210", "90210"), ("my zip is 90210", "90210"), ("90210-1234", "90210"),
        ("mi código postal es 77002", "77002"), ("ZIP: 10001", "10001"), ("９０２１０", "90210"),
        ("9021", None), ("123456", None), ("(212) 555-0100", None), ("00000", None),
        ("90210 and 10001", None), ("near the park", None),
    ],
)
def test_zip_codes_are_read_from_what_people_type(typed, zip_code):
    assert parse_zip(typed) == zip_code


def test_zip_prefixes_name_their_state():
    assert [state_of(z) for z in ("90210", "77002", "10001", "60601", "33101", "00601")] == [
        "CA", "TX", "NY", "IL", "FL", "PR",
    ]


def test_the_emailed_summary_lists_the_places_on_the_family_card(catalog, flow):
    from bot.advocates.summary import summarize
    from bot.storage.models import Case

    case = Case(
        ref="K7F-3QX", conversation_id=1, kind="intake", language="es", channel="sms",
        answers={"consent": "yes", "country": "Guatemala", "zip": None},
        created_at=dt.datetime(2026, 12, 1, 15, 0),
    )
    text = summarize(
        case, flow=flow, catalog=catalog, reading="en", directory=check(ROOT / "resources")
    ).text()
    assert "Referrals (the family's card):\n  Consulates of Guatemala: minex.gob.gt\n" in text
    assert "  ICE detention info line: (888) 351-4024\n" in text  # a GSM-7 card holds it
    assert "ZIP code: (skipped)" in text
