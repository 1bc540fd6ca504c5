"""Messages that state law or policy carry review dates; the check warns before they go stale."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.translations.check import check_locales
from bot.translations.policy import read_policy
from bot.translations.source import load_locale_file
from tests.conftest import ROOT
from tests.utils.locales import marked_text_line, replace_in

LOCALES = ROOT / "locales"
FLOWS = ROOT / "flows"
# Messages that say what the rules are today must say when "today" was.
CURRENT_POLICY = ("pd.part4", "pd.part5", "request.part3")


def _policy():  # type: ignore[no-untyped-def]
    entries, problems = read_policy(load_locale_file(LOCALES / "en.yaml"))
    assert problems == []
    return {entry.key: entry for entry in entries}


def _copy_locales(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    return folder


def _kinds(report, kind: str) -> list:  # type: ignore[no-untyped-def]
    return [i for i in [*report.errors, *report.warnings] if i.kind == kind]


def test_every_message_that_states_policy_has_a_review_date_and_its_sources() -> None:
    policy = _policy()
    for key in (*CURRENT_POLICY, "pd.part3", "locate.part1", "locate.part2", "locate.part3"):
        assert key in policy, f"{key} states law or policy but has no review date"
        assert policy[key].reviewed is not None
        assert policy[key].sources
    for key in CURRENT_POLICY:
        assert policy[key].as_of is not None, f"{key} states current policy without an as_of"


@pytest.mark.parametrize("code", sorted(p.stem for p in LOCALES.glob("*.yaml")))
def test_current_policy_says_as_of_in_every_language(code: str) -> None:
    policy = _policy()
    messages = load_locale_file(LOCALES / f"{code}.yaml").locale.messages
    for key in CURRENT_POLICY:
        year = str(policy[key].as_of[0])
        assert year in messages[key], f"{code} {key} does not say when it was true: {messages[key]}"


def test_freshly_reviewed_policy_gives_no_warning() -> None:
    reviewed = max(entry.reviewed for entry in _policy().values())
    report = check_locales(LOCALES, FLOWS, today=reviewed)
    assert _kinds(report, "policy_age") == []
    assert _kinds(report, "policy_as_of") == []
    assert _kinds(report, "policy") == []


def test_policy_older_than_the_allowed_age_is_warned_with_its_line() -> None:
    policy = _policy()
    oldest = min(entry.reviewed for entry in policy.values())
    report = check_locales(LOCALES, FLOWS, today=oldest + dt.timedelta(days=181))
    warned = {i.key: i for i in _kinds(report, "policy_age")}
    assert set(warned) == set(policy)
    issue = warned["pd.part5"]
    assert issue.severity == "warning"
    assert issue.file.endswith("en.yaml") and issue.line == policy["pd.part5"].line
    assert "181 days ago" in issue.message and "Laken Riley" in issue.message
    # An organization may allow a longer time between reviews.
    relaxed = check_locales(
        LOCALES, FLOWS, today=oldest + dt.timedelta(days=181), policy_max_age_days=365
    )
    assert _kinds(relaxed, "policy_age") == []


def test_the_command_reads_the_allowed_age_from_the_setting(tmp_path: Path) -> None:
    folder = _copy_locales(tmp_path)
    line = marked_text_line(folder / "en.yaml", "pd.part5:") + 1
    before = 'reviewed: "2026-12-02"\n    as_of: "2026-12"\n    sources: "Laken'
    replace_in(folder / "en.yaml", before, before.replace("2026-12-02", "2025-01-15"))
    env = {"HOTLINE_LOCALES_DIR": str(folder), "HOTLINE_FLOWS_DIR": str(FLOWS)}
    result = CliRunner().invoke(main, ["locales", "check"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "en.yaml:" in result.output and "pd.part5: last reviewed 2025-01-15" in result.output
    assert f"en.yaml:{line - 1}: warning: pd.part5" in result.output
    env["HOTLINE_POLICY_MAX_AGE_DAYS"] = "100000"
    result = CliRunner().invoke(main, ["locales", "check"], env=env, catch_exceptions=False)
    assert "last reviewed" not in result.output


def test_a_translation_that_drops_the_year_is_warned(tmp_path: Path) -> None:
    folder = _copy_locales(tmp_path)
    es = folder / "es.yaml"
    text = load_locale_file(es).locale.messages["pd.part4"]
    replace_in(es, text.replace("\n", "\\n"), text.replace("2026", "este año").replace("\n", "\\n"))
    report = check_locales(folder, FLOWS, today=dt.date(2026, 12, 2))
    found = [i for i in _kinds(report, "policy_as_of") if i.locale == "es"]
    assert [(i.key, i.severity) for i in found] == [("pd.part4", "warning")]
    assert found[0].line == load_locale_file(es).locale.lines["pd.part4"]


def test_english_that_no_longer_names_its_as_of_year_is_an_error(tmp_path: Path) -> None:
    folder = _copy_locales(tmp_path)
    replace_in(folder / "en.yaml", 'as_of: "2026-12"', 'as_of: "2027-06"')
    report = check_locales(folder, FLOWS, today=dt.date(2027, 6, 1))
    errors = [i for i in report.errors if i.kind == "policy_as_of"]
    assert [(i.locale, i.key) for i in errors] == [("en", "pd.part4")]


def test_changed_english_law_makes_every_translation_stale(tmp_path: Path) -> None:
    folder = _copy_locales(tmp_path)
    replace_in(folder / "en.yaml", "Courts are still deciding.", "A court decided in 2027.")
    report = check_locales(folder, FLOWS, today=dt.date(2026, 12, 2))
    stale = {i.locale for i in report.warnings if i.kind == "stale" and i.key == "pd.part5"}
    assert stale == {p.stem for p in LOCALES.glob("*.yaml")} - {"en"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('reviewed: "2026-12-02"', 'reviewed: "last week"', "YYYY-MM-DD"),
        ('as_of: "2026-12"', 'as_of: "December"', "YYYY-MM"),
        ("  pd.part3:\n", "  pd.part9:\n", "does not have"),
    ],
)
def test_a_malformed_policy_section_is_an_error_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = _copy_locales(tmp_path)
    replace_in(folder / "en.yaml", old, new)
    report = check_locales(folder, FLOWS, today=dt.date(2026, 12, 2))
    errors = [i for i in report.errors if i.kind == "policy"]
    assert len(errors) == 1 and message in errors[0].message
    assert errors[0].line == marked_text_line(folder / "en.yaml", new.strip().split("\n")[0])
