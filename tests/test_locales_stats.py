"""`hotline locales stats`: completion, stale keys, and what the main paths cost per language."""

from __future__ import annotations

from pathlib import Path

from bot.conversation.sms import segment_info
from bot.translations.check import check_locales
from bot.translations.stats import PATHS, locale_stats, path_turns
from tests.utils.locales import FLOWS, locales_folder, replace_in

DISCRETION, INTAKE = PATHS


def test_discretion_path_is_welcome_menu_and_the_six_parts(flow) -> None:
    turns = path_turns(flow, DISCRETION)
    assert turns == [
        ["welcome.intro", "language.offer", "language.menu"],
        ["menu.prompt"],
        ["pd.part1", "common.more_prompt"],
        ["pd.part2", "common.more_prompt"],
        ["pd.part3", "common.more_prompt"],
        ["pd.part4", "common.more_prompt"],
        ["pd.part5", "common.more_prompt"],
        ["pd.part6", "common.menu_hint"],
    ]


def test_intake_path_runs_from_the_first_question_to_the_case_number(flow) -> None:
    turns = path_turns(flow, INTAKE)
    assert turns[0] == ["intake.start", "intake.consent.ask"]
    assert turns[1] == ["intake.urgent.ask"]
    assert turns[2] == ["intake.relationship.ask"]
    assert ["review.intro", "review.ask"] in turns
    assert turns[-2] == ["case.created", "safety.text", "case.documents", "alerts.offer"]
    assert turns[-1] == ["alerts.declined", "common.menu_hint"]  # news: the optional question
    asked = [key for turn in turns for key in turn]
    assert "intake.consent.ask" in asked
    assert "intake.urgent_details.ask" not in asked  # "not urgent": the common way through


def test_stats_count_translated_stale_and_missing_keys(tmp_path: Path) -> None:
    folder = locales_folder(tmp_path / "locales")
    replace_in(folder / "en.yaml", '"Reply OK to send."', '"Reply OK to send them."')
    replace_in(folder / "ar.yaml", '    part2: "', '    unused: "')  # ar loses pd.part2
    rows = {r.code: r for r in locale_stats(check_locales(folder, FLOWS))}
    assert (rows["en"].translated, rows["en"].total) == (43, 43)
    assert rows["es"].stale == ["review.ask"]
    assert (rows["es"].status, rows["es"].reviewer) == ("reviewed", "Ana Ruiz")
    assert rows["ar"].missing == ["pd.part2"]
    assert rows["ar"].translated == 42
    assert round(rows["ar"].completion, 3) == round(42 / 43, 3)


def test_path_cost_is_the_segments_of_the_messages_a_texter_receives(tmp_path: Path) -> None:
    rows = {r.code: r for r in locale_stats(check_locales(locales_folder(tmp_path), FLOWS))}
    intake_en = rows["en"].paths["intake"]
    # Three texts: the name question, the review, the case number (parts joined by a blank line).
    assert intake_en.turns == [
        ["intake.start", "intake.name.ask"],
        ["review.intro", "review.ask"],
        ["case.created", "common.menu_hint"],
    ]
    messages = [
        "I will ask a few questions. Reply SKIP to skip one.\n\nWhat is their full name?",
        "Please check your answers:\n1. Name: Maria Lopez Garcia\n\nReply OK to send.",
        "Sent. Your case number is K7F-3QX.\n\nReply MENU for the menu.",
    ]
    assert intake_en.messages == 3
    assert intake_en.segments == sum(segment_info(m).segments for m in messages) == 3
    assert intake_en.encoding == "GSM-7"
    # Accents and Arabic script cost more: UCS-2 holds 70 characters, not 160.
    assert rows["es"].paths["discretion"].segments > rows["en"].paths["discretion"].segments
    assert rows["ar"].paths["intake"].encoding == "UCS-2"


def test_sample_review_is_numbered_like_the_engines_and_answers_choices_with_labels(
    flow, catalog
) -> None:
    from bot.translations.stats import sample_params

    lines = sample_params(catalog, flow, "en")["answers"].splitlines()
    # Only the questions asked along the path, numbered without gaps, as EDIT n reads them.
    assert [line.split(".")[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
    assert lines[0] == "1. Urgent: No"
    assert not any("What is urgent" in line or "Next court date" in line for line in lines)
    # Choice questions answer with an option, as a texter's review shows it.
    assert any(line.endswith("Time in the US: Less than 2 years") for line in lines)
    assert any(line.endswith("Past arrest or criminal case: Yes") for line in lines)
