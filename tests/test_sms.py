"""bot.conversation.sms must answer exactly like Twilio's calculator.

tests/data/sms_segments.json was measured with the npm package
sms-segments-calculator 1.3.0; tests/data/make_sms_segments.js regenerates it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.conversation.sms import GSM7, UCS2, SegmentInfo, segment_info, smart_encode

ROWS = json.loads((Path(__file__).parent / "data" / "sms_segments.json").read_text("utf-8"))


def _row_id(row: dict) -> str:
    text = row["text"]
    short = text if len(text) <= 30 else f"{text[:24]}...({len(text)})"
    return f"{short!a}-{'smart' if row['smart_encoding'] else 'plain'}"


def test_reference_table_is_big_enough():
    assert len(ROWS) >= 150
    assert len({row["text"] for row in ROWS}) >= 150


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(row) for row in ROWS])
def test_matches_npm_calculator(row):
    info = segment_info(row["text"], smart_encoding=row["smart_encoding"])
    assert (info.encoding, info.segments, info.length) == (
        row["encoding"],
        row["segments"],
        row["length"],
    )
    assert info.unicode_chars == tuple(row["non_gsm_chars"])


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(row) for row in ROWS])
def test_smart_encode_matches_npm_calculator(row):
    if row["smart_encoding"]:
        assert smart_encode(row["text"]) == row["sent_text"]
    else:
        assert row["text"] == row["sent_text"]


def test_empty_message_is_one_gsm_segment():
    assert segment_info("") == SegmentInfo(GSM7, 1, 0, ())


def test_gsm_single_segment_holds_160_then_153_per_segment():
    assert segment_info("a" * 160).segments == 1
    assert segment_info("a" * 161).segments == 2
    assert segment_info("a" * 306).segments == 2
    assert segment_info("a" * 307).segments == 3


def test_ucs2_single_segment_holds_70_then_67_per_segment():
    assert segment_info("á" * 70) == SegmentInfo(UCS2, 1, 70, ("á",))
    assert segment_info("á" * 71).segments == 2
    assert segment_info("á" * 134).segments == 2
    assert segment_info("á" * 135).segments == 3


def test_one_accented_i_makes_spanish_ucs2():
    gsm = segment_info("¿Su familiar fue detenido por ICE? Responda SI o NO.")
    ucs2 = segment_info("¿Su familiar fue detenido por ICE? Responda SÍ o NO.")
    assert gsm.encoding == GSM7
    assert ucs2.encoding == UCS2
    assert ucs2.unicode_chars == ("Í",)


def test_e_with_acute_enye_and_inverted_marks_stay_gsm7():
    info = segment_info("¿Español? ¡Mañana! Responde 1")
    assert info.encoding == GSM7
    assert info.unicode_chars == ()


def test_c_cedilla_in_francais_forces_ucs2_but_kreyol_does_not():
    assert segment_info("4 Kreyòl").encoding == GSM7
    assert segment_info("3 Français").unicode_chars == ("ç",)


def test_extension_char_counts_two_septets():
    assert segment_info("€" * 80) == SegmentInfo(GSM7, 1, 160, ())
    assert segment_info("€" * 81).segments == 2


def test_extension_char_is_not_split_across_segments():
    # 152 + 2 septets would fill the 153-septet first part only by splitting the
    # escape from its character, so the whole "{" moves to the second part.
    text = "a" * 152 + "{" + "b" * 152
    assert segment_info(text) == SegmentInfo(GSM7, 3, 306, ())
    assert segment_info("a" * 151 + "{" + "b" * 153).segments == 2


def test_surrogate_pair_is_not_split_across_segments():
    # 66 + 2 code units cannot fit the 67-unit first part, so the emoji moves.
    assert segment_info("á" * 66 + "😀" + "á" * 66).segments == 3
    assert segment_info("á" * 65 + "😀" + "á" * 67).segments == 2


def test_ucs2_length_counts_grapheme_clusters_like_the_npm_package():
    assert segment_info("👍🏽").length == 1
    assert segment_info("😀" * 35) == SegmentInfo(UCS2, 1, 35, ("😀",))
    assert segment_info("😀" * 36).segments == 2


def test_smart_encoding_turns_curly_punctuation_into_gsm7():
    text = "It’s “urgent” — call now…"
    assert smart_encode(text) == 'It\'s "urgent" - call now...'
    assert segment_info(text, smart_encoding=False).encoding == UCS2
    assert segment_info(text) == SegmentInfo(GSM7, 1, 27, ())


def test_smart_encoding_widens_no_break_space_to_two_spaces():
    assert smart_encode("Call\u00a0now") == "Call  now"
    assert segment_info("a" * 159 + "\u00a0").segments == 2
    assert segment_info("a" * 159 + "\u00a0", smart_encoding=False).encoding == UCS2


def test_crlf_counts_as_two_characters():
    assert segment_info("a" * 158 + "\r\n") == SegmentInfo(GSM7, 1, 160, ())
    assert segment_info("a" * 159 + "\r\n").segments == 2


def test_1600_character_message():
    assert segment_info("a" * 1600).segments == 11
    assert segment_info("á" * 1600).segments == 24
