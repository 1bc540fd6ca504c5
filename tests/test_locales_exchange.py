"""New languages, stamps, and the PO/XLIFF round trip through Weblate, Crowdin or Poedit."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from translate.storage import xliff

from bot.conversation.i18n import source_hash
from bot.translations.check import check_locales
from bot.translations.exchange import ExchangeError, export_locale, import_file
from bot.translations.source import load_locale_file, translator_notes
from bot.translations.writer import default_header, scaffold, stamp
from tests.utils.locales import FLOWS, locales_folder, replace_in


def _snapshot(folder: Path, code: str) -> dict[str, object]:
    """What a round trip must keep: header, messages, fingerprints, translator notes."""
    en = load_locale_file(folder / "en.yaml")
    own = load_locale_file(folder / f"{code}.yaml")
    loc = own.locale
    return {
        "header": (loc.code, loc.name, loc.native, loc.direction, loc.status, loc.reviewer,
                   loc.reviewed),
        "messages": loc.messages,
        "sources": loc.sources,
        "notes": {k: translator_notes(en, own, k) for k in en.locale.messages},
    }


@pytest.fixture
def spanish(tmp_path: Path) -> Path:
    """The good Spanish file, with a translator's note, a stale key and an unstamped key."""
    folder = locales_folder(tmp_path / "locales")
    es = folder / "es.yaml"
    replace_in(es, '    intro: "Este es', '    # Usamos "usted", no "tú".\n    intro: "Este es')
    replace_in(folder / "en.yaml", "Reply OK to send.", "Reply OK to send them.")
    replace_in(es, '  resume.continue: "b5013eb1"\n', "")
    replace_in(es, 'continue: "seguir"', 'continue: "seguir, continuar"')
    return folder


def test_new_language_has_every_key_in_english_and_none_translated(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    en = load_locale_file(folder / "en.yaml")
    (folder / "ar.yaml").write_text(scaffold(en, default_header("ar")), "utf-8")
    ar = load_locale_file(folder / "ar.yaml")
    assert ar.locale.messages == en.locale.messages
    assert ar.locale.sources == {}
    assert (ar.locale.name, ar.locale.native, ar.locale.direction, ar.locale.status) == (
        "Arabic", "العربية", "rtl", "draft"
    )
    assert ar.comments["welcome.intro"] == en.comments["welcome.intro"]  # context comes along
    report = check_locales(folder, FLOWS)
    assert report.ok
    (warning,) = report.warnings
    assert warning.kind == "untranslated" and warning.message.startswith("43 keys are still")


def test_stamp_marks_new_translations_and_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    en = load_locale_file(folder / "en.yaml")
    path = folder / "es.yaml"
    path.write_text(scaffold(en, default_header("es")), "utf-8")
    replace_in(path, '"Reply OK to send."', '"Responda OK para enviar."  # revisado por Ana')
    before = path.read_text("utf-8")
    assert stamp(en, path, []) == ["review.ask"]
    after = path.read_text("utf-8")
    assert after.split("\nsources:")[0] == before.split("\nsources:")[0]
    assert load_locale_file(path).locale.sources == {
        "review.ask": source_hash("Reply OK to send.")
    }
    assert stamp(en, path, ["common.no_label"]) == ["common.no_label"]  # "No" is Spanish too
    assert set(load_locale_file(path).locale.sources) == {"review.ask", "common.no_label"}


def test_stamp_keeps_the_comment_that_explains_the_sources(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    en = load_locale_file(folder / "en.yaml")
    path = folder / "es.yaml"
    path.write_text(scaffold(en, default_header("es")), "utf-8")
    replace_in(path, '"Reply OK to send."', '"Responda OK para enviar."')
    stamp(en, path, ["review.ask"])
    note = "  # The English text each translation was made from.\n"
    path.write_text(path.read_text("utf-8").replace("sources:\n", "sources:\n" + note), "utf-8")
    replace_in(path, '"No"', '"No."')
    stamp(en, path, ["common.no_label"])
    assert "sources:\n" + note in path.read_text("utf-8")
    assert set(load_locale_file(path).locale.sources) == {"review.ask", "common.no_label"}


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_round_trip_keeps_every_key_comment_placeholder_and_fingerprint(
    spanish: Path, tmp_path: Path, fmt: str
) -> None:
    before = _snapshot(spanish, "es")
    exported = tmp_path / f"es.{fmt}"
    exported.write_bytes(export_locale(spanish, "es", fmt))
    (spanish / "es.yaml").unlink()  # everything must come back from the exported file

    result = import_file(spanish, exported)

    assert (result.code, result.path.name) == ("es", "es.yaml")
    assert _snapshot(spanish, "es") == before
    assert before["notes"]["welcome.intro"] == ['Usamos "usted", no "tú".']
    assert export_locale(spanish, "es", fmt) == exported.read_bytes()
    report = check_locales(spanish, FLOWS, only=["es"])
    assert [(i.kind, i.key) for i in report.warnings if i.kind in ("stale", "unstamped")] == [
        ("stale", "review.ask"), ("unstamped", None)
    ]


def test_po_entries_carry_the_key_the_english_context_and_the_state(spanish: Path) -> None:
    po = polib.pofile(export_locale(spanish, "es", "po").decode("utf-8"))
    en = load_locale_file(spanish / "en.yaml")
    assert [e.msgctxt for e in po] == list(en.locale.messages)
    assert po.metadata["Language"] == "es"
    intro = po.find("welcome.intro", by="msgctxt")
    assert intro.msgid == "This is {hotline}. Text STOP to stop."
    assert intro.msgstr == "Este es {hotline}. Envíe STOP para parar."
    assert intro.comment == "The first message. {hotline} is the hotline's name."
    assert intro.tcomment == 'Usamos "usted", no "tú".'
    assert intro.occurrences == [("locales/en.yaml", "14")]
    assert intro.flags == ["python-brace-format"]
    stale = po.find("review.ask", by="msgctxt")
    assert stale.fuzzy and stale.msgid == "Reply OK to send them."
    assert f"hotline-source: {source_hash('Reply OK to send.')}" in stale.comment


def test_xliff_units_are_named_by_key(spanish: Path) -> None:
    store = xliff.xlifffile(export_locale(spanish, "es", "xliff"))
    units = {u.xmlelement.get("resname"): u for u in store.getunits()}
    assert list(units) == list(load_locale_file(spanish / "en.yaml").locale.messages)
    assert store.gettargetlanguage() == "es"
    assert units["case.created"].target == "Enviado. Su número de caso es {ref}."
    assert units["case.created"].getnotes("developer") == "{ref} is the case number."
    assert units["review.ask"].isfuzzy()


def test_a_translation_made_in_a_po_editor_comes_back_stamped(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales", ())
    po = polib.pofile(export_locale(folder, "fr", "po").decode("utf-8"))  # no fr.yaml yet
    assert po.metadata["X-Hotline-Name"] == "French"
    assert all(e.msgstr == "" for e in po)
    entry = po.find("case.created", by="msgctxt")
    entry.msgstr = "Envoyé. Votre numéro de dossier est {ref}."
    entry.tcomment = "dossier, pas cas"
    po.find("common.yes_label", by="msgctxt").msgstr = "Oui"
    saved = tmp_path / "fr.po"
    po.save(str(saved))

    result = import_file(folder, saved)

    fr = load_locale_file(folder / "fr.yaml")
    assert (result.translated, result.fuzzy) == (2, 0)
    assert fr.locale.messages["case.created"] == "Envoyé. Votre numéro de dossier est {ref}."
    assert fr.locale.messages["pd.part1"] == load_locale_file(folder / "en.yaml").locale.messages[
        "pd.part1"
    ]
    assert fr.locale.sources == {
        "case.created": source_hash("Sent. Your case number is {ref}."),
        "common.yes_label": source_hash("Yes"),
    }
    assert fr.comments["case.created"] == ["{ref} is the case number.", "dossier, pas cas"]
    report = check_locales(folder, FLOWS)
    assert report.ok, [str(i) for i in report.errors]


def test_importing_an_old_export_after_the_english_changed_leaves_it_stale(
    tmp_path: Path,
) -> None:
    folder = locales_folder(tmp_path / "locales")
    old = tmp_path / "es.po"
    old.write_bytes(export_locale(folder, "es", "po"))
    replace_in(folder / "en.yaml", '"What is their full name?"', '"What is their full name now?"')
    import_file(folder, old)
    report = check_locales(folder, FLOWS, only=["es"])
    assert [i.key for i in report.warnings if i.kind == "stale"] == ["intake.name.ask"]


def test_import_says_no_to_english_bad_codes_and_other_files(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales")
    pot = tmp_path / "en.pot"
    pot.write_bytes(export_locale(folder, "en", "po"))
    with pytest.raises(ExchangeError, match="English"):
        import_file(folder, pot)
    with pytest.raises(ExchangeError, match="not a language code"):
        import_file(folder, pot, code="../../etc/x")
    junk = tmp_path / "notes.xliff"
    junk.write_text("<xliff><oops", "utf-8")
    with pytest.raises(ExchangeError, match="not an XLIFF file"):
        import_file(folder, junk)
    assert sorted(p.name for p in folder.iterdir()) == ["ar.yaml", "en.yaml", "es.yaml"]
