"""The `hotline locales` commands, as a translator and CI run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.conversation.sms import segment_info
from bot.translations.source import load_locale_file
from tests.conftest import ROOT
from tests.utils.locales import FLOWS, locales_folder


def _run(folder: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"HOTLINE_LOCALES_DIR": str(folder), "HOTLINE_FLOWS_DIR": str(FLOWS)}
    return CliRunner().invoke(main, ["locales", *args], env=env, catch_exceptions=False)


def test_repository_locales_pass_the_check_ci_runs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "locales", "check", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["errors"] == []
    codes = {p.stem for p in (ROOT / "locales").glob("*.yaml")}
    assert {m["locale"] for m in report["messages"]} == codes
    texts = {
        (code, key): text
        for code in codes
        for key, text in load_locale_file(ROOT / "locales" / f"{code}.yaml").locale.messages.items()
    }
    assert len(report["messages"]) == len(texts)
    for m in report["messages"]:
        assert set(m) == {"locale", "key", "length", "encoding", "segments"}
        info = segment_info(texts[(m["locale"], m["key"])])
        assert (m["length"], m["encoding"], m["segments"]) == (
            info.length, info.encoding, info.segments
        )


def test_check_exits_1_and_names_file_and_line(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ("es",), ("fr.yaml",))
    result = _run(folder, "check")
    assert result.exit_code == 1
    assert f"{folder / 'fr.yaml'}:18: error: language.offer: empty" in result.output
    assert result.output.endswith("3 locale files checked: 12 errors, 7 warnings.\n")

    as_json = json.loads(_run(folder, "check", "--json").output)
    assert set(as_json) == {"errors", "warnings", "messages"}
    empty = next(e for e in as_json["errors"] if e["key"] == "language.offer")
    assert empty == {
        "locale": "fr", "key": "language.offer", "file": str(folder / "fr.yaml"), "line": 18,
        "kind": "empty",
        "message": "empty: write the translation, or delete the line to send English",
    }


def test_check_does_not_need_the_app_to_start(tmp_path: Path) -> None:
    # The app refuses to start with a broken locale file; the check must still report it.
    folder = locales_folder(tmp_path / "locales", ("es",), ("de.yaml",))
    result = _run(folder, "check")
    assert result.exit_code == 1
    assert result.output.startswith(f"{folder / 'de.yaml'}:14: error: YAML error")


def test_check_can_list_every_message_with_its_segments(tmp_path: Path) -> None:
    result = _run(locales_folder(tmp_path / "locales"), "check", "--messages")
    offer = next(line for line in result.output.splitlines() if "language.offer" in line
                 and "es.yaml" in line)
    assert offer.endswith("es.yaml:23: language.offer: 1 segment, GSM-7, 21 chars")


def test_check_passes_on_good_locales(tmp_path: Path) -> None:
    result = _run(locales_folder(tmp_path / "locales"), "check")
    assert (result.exit_code, result.output) == (
        0, "3 locale files checked: 0 errors, 0 warnings.\n"
    )


def test_stats_prints_a_row_per_language(tmp_path: Path) -> None:
    result = _run(locales_folder(tmp_path / "locales"), "stats")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:5] == ["locale", "status", "reviewed", "translated", "stale"]
    es = next(line for line in lines if line.startswith("es "))
    assert es.split()[:8] == ["es", "Español", "reviewed", "Ana", "Ruiz", "2026-11-20",
                              "43/43", "100%"]
    assert "9 seg in 4 SMS, UCS-2 x1.8" in es  # English: 5 segments with "Family Hotline"
    rows = json.loads(_run(locales_folder(tmp_path / "again"), "stats", "--json").output)
    assert [r["locale"] for r in rows] == ["en", "ar", "es"]
    assert rows[2]["paths"]["discretion"] == {
        "title": "First text, then what discretion is", "messages": 4, "segments": 9,
        "encoding": "UCS-2",
    }


def test_a_new_language_from_start_to_import(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    result = _run(folder, "new", "vi")
    assert result.exit_code == 0, result.output
    assert "43 keys to translate" in result.output
    assert _run(folder, "new", "vi").exit_code != 0  # never overwrite a translator's work
    assert "already exists" in _run(folder, "new", "vi").output
    assert "not a language code" in _run(folder, "new", "../vi").output

    po_path = tmp_path / "vi.po"
    assert _run(folder, "export", "vi", "-o", str(po_path)).exit_code == 0
    po = polib.pofile(str(po_path))
    po.find("intake.name.label", by="msgctxt").msgstr = "Tên"
    po.save(str(po_path))
    result = _run(folder, "import", str(po_path))
    assert result.exit_code == 0, result.output
    assert "1 translated, 0 marked for review" in result.output
    vi = load_locale_file(folder / "vi.yaml").locale
    assert (vi.native, vi.messages["intake.name.label"]) == ("Tiếng Việt", "Tên")

    xliff = _run(folder, "export", "vi", "--format", "xliff")
    assert xliff.exit_code == 0 and 'resname="intake.name.label"' in xliff.output


def test_stamp_after_a_review(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales")
    english = folder / "en.yaml"
    english.write_text(english.read_text().replace("Reply OK to send.", "Reply OK to send it."))
    def stale() -> list[str]:
        lines = _run(folder, "check").output.splitlines()
        return [line.split(": ")[0].rsplit("/", 1)[-1] for line in lines if ": stale:" in line]

    assert stale() == ["ar.yaml:64", "es.yaml:64"]
    result = _run(folder, "stamp", "es", "review.ask")
    assert result.output.endswith("es.yaml: 1 key stamped: review.ask\n")
    assert stale() == ["ar.yaml:64"]
    assert "not keys of the English file: nope" in _run(folder, "stamp", "es", "nope").output


@pytest.mark.parametrize("args", [["export", "xx", "--format", "csv"], ["import", "missing.po"]])
def test_bad_arguments_are_refused_plainly(tmp_path: Path, args: list[str]) -> None:
    result = _run(locales_folder(tmp_path / "locales"), *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
