"""What a texter reads in English is plain: grade 6 or below by Flesch-Kincaid (textstat)."""

from __future__ import annotations

import re

import pytest
import textstat

from bot.conversation.i18n import load_locale
from tests.conftest import ROOT

MAX_GRADE = 6.0
# Word lists, labels and keywords are not sentences; a grade means nothing for them.
NOT_PROSE = re.compile(r"(^keywords\.|words$|\.label$|^common\.(yes|no|unsure)$|"
                       r"^review\.(send|edit)$|^resume\.(continue|restart)$)")


def prose(text: str) -> str:
    """The sentences of a message: links and numbered options (menus) left out."""
    text = re.sub(r"https?://\S+", "", text)
    text = "\n".join(line for line in text.splitlines() if not re.match(r"\s*\d+ ", line))
    return text.replace("{hotline}", "Family Hotline").strip()


def english_sentences() -> list[tuple[str, str]]:
    messages = load_locale(ROOT / "locales" / "en.yaml").messages
    return [
        (key, prose(text))
        for key, text in messages.items()
        if not NOT_PROSE.search(key) and len(prose(text).split()) >= 6
    ]


SENTENCES = english_sentences()


def test_there_are_enough_sentences_to_measure():
    assert len(SENTENCES) >= 40


@pytest.mark.parametrize(("key", "text"), SENTENCES, ids=[key for key, _ in SENTENCES])
def test_english_message_is_grade_six_or_below(key, text):
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{key} reads at grade {grade:.1f}: {text!r}"
