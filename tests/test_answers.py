"""Answer parsing: the texts people really send, in the languages the hotline speaks."""

from __future__ import annotations

import random
import re
import time
from datetime import date

import pytest

from bot.conversation.choices import match_choice, match_keyword, parse_yes_no
from bot.conversation.dates import DateAnswer, parse_date, warm_up
from bot.conversation.formats import format_phone
from bot.conversation.identifiers import parse_a_number, parse_phone
from bot.conversation.text import clean, fold

TODAY = date(2026, 11, 28)  # a Saturday


def d(day: int, month: int = 11, year: int = 2026) -> date:
    """Shorthand for a date in the test calendar."""
    return date(year, month, day)


# --------------------------------------------------------------------------------------------
# clean / fold
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  hola  ", "hola"),
        ("line one\nline two", "line one line two"),
        ("tabs\tand\r\nreturns", "tabs and returns"),
        ("zero\u200bwidth", "zerowidth"),
        ("\ufeffBOM at start", "BOM at start"),
        ("bell\x07 char", "bell char"),
        ("many     spaces", "many spaces"),
        ("non\u00a0breaking", "non breaking"),
        ("e\u0301", "\u00e9"),  # decomposed é becomes NFC
        ("lone \ud800 surrogate", "lone surrogate"),
        ("paired \ud83d\ude4f surrogates", "paired 🙏 surrogates"),
        ("", ""),
        ("   ", ""),
        (None, ""),
        (b"caf\xc3\xa9", "café"),
        (b"broken \xff bytes", "broken bytes"),
        ("مرحبا\u200f", "مرحبا"),  # right-to-left mark dropped
    ],
)
def test_clean(text, expected):
    assert clean(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Menú!!", "menu"),
        ("MENU", "menu"),
        ("¡Sí!", "si"),
        ("¿Qué es?", "que es"),
        ("  Discreción.  ", "discrecion"),
        ("1 🙏", "1"),
        ("🙏🙏 2", "2"),
        ("1️⃣", "1"),
        ("#3", "3"),
        ("(1)", "1"),
        ("ｍｅｎｕ", "menu"),  # full-width letters from CJK keyboards
        ("١", "1"),  # Arabic-Indic digit
        ("Hôm qua", "hom qua"),
        ("Đà Nẵng", "da nang"),
        ("ñandú", "nandu"),
        ("Œuvre", "oeuvre"),
        ("昨天!", "昨天"),
        ("어제요.", "어제요"),
        ("أَمْس", "امس"),  # harakat and hamza dropped
        ("Kreyòl", "kreyol"),
        ("👍", ""),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_clean_and_fold_never_raise_on_odd_input():
    for odd in ["\udfff", "\x00\x01\x02", "\U0010ffff", "a\u0300\u0300\u0300", b"\xc3", 42]:
        assert isinstance(clean(odd), str)
        assert isinstance(fold(odd), str)


# --------------------------------------------------------------------------------------------
# match_choice
# --------------------------------------------------------------------------------------------

OPTIONS = {
    "discretion": ["1", "discretion", "discreción"],
    "what": ["2", "qué es", "what is it"],
    "menu": ["3", "menu", "menú"],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numbers
        ("1", "discretion"),
        ("2", "what"),
        ("3", "menu"),
        (" 1 ", "discretion"),
        ("1 please", "discretion"),
        ("1 por favor", "discretion"),
        ("2.", "what"),
        ("#3", "menu"),
        ("1)", "discretion"),
        ("(1)", "discretion"),
        ("1 🙏", "discretion"),
        ("🙏 1", "discretion"),
        ("3️⃣", "menu"),
        ("١", "discretion"),
        ("01", "discretion"),
        ("opción 2", "what"),
        ("option 3", "menu"),
        ("2 gracias", "what"),
        ("4", None),  # not an option
        ("12", None),  # numbers must match exactly
        ("1 or 2", None),
        ("1 o 2", None),
        # words, accents and case
        ("discretion", "discretion"),
        ("Discreción", "discretion"),
        ("DISCRECION", "discretion"),
        ("discrecion", "discretion"),
        ("qué es", "what"),
        ("Que es?", "what"),
        ("QUE ES", "what"),
        ("¿qué es?", "what"),
        ("What is it?", "what"),
        ("Menú!!", "menu"),
        ("menu 🙏", "menu"),
        # typos: distance 1 for 4-7 letters, 2 for 8+, none below 4
        ("discrection", "discretion"),
        ("discretoin", "discretion"),
        ("dicsretion", "discretion"),
        ("discreshun", None),  # too far
        ("mneu", "menu"),
        ("menuu", "menu"),
        ("mnu", None),  # a 3-letter text is never corrected
        ("q es", None),
        # a word inside a longer message
        ("quiero discrecion por favor", "discretion"),
        ("the menu please", "menu"),
        ("i want discrection please", "discretion"),
        ("discretion or menu", None),  # two options named
        # nothing
        ("hola", None),
        ("", None),
        ("   ", None),
        ("🙏", None),
    ],
)
def test_match_choice(text, expected):
    assert match_choice(text, OPTIONS) == expected


def test_match_choice_same_phrase_in_two_options_is_ambiguous():
    assert match_choice("ok", {"a": ["ok"], "b": ["ok"]}) is None


def test_match_choice_word_options_without_numbers():
    options = {"call": ["llamar", "call"], "text": ["texto", "mensaje", "text"]}
    assert match_choice("Llamar", options) == "call"
    assert match_choice("por mensaje", options) == "text"
    assert match_choice("1", options) is None


def test_match_choice_cjk_and_korean_phrases():
    options = {"yes": ["1", "是", "네"], "no": ["2", "不是", "아니요"]}
    assert match_choice("是", options) == "yes"
    assert match_choice("不是", options) == "no"
    assert match_choice("아니요", options) == "no"


# --------------------------------------------------------------------------------------------
# match_keyword
# --------------------------------------------------------------------------------------------

KEYWORDS = ["stop", "menu", "ayuda", "help", "discretion"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stop", True),
        ("STOP", True),
        ("Stop.", True),
        (" stop ", True),
        ("stop it", False),
        ("please stop", False),
        ("Menú", True),
        ("MENU!", True),
        ("mnu", False),  # 'menu' has 4 letters: no typos for keywords
        ("meun", False),
        ("stpo", False),  # 'stop' has 4 letters
        ("ayuda", True),
        ("ayudaa", True),  # 5+ letters: one typo
        ("aiuda", True),
        ("ayudaaa", False),
        ("discrection", True),  # 8+ letters: two typos
        ("help me", False),
        ("", False),
        ("🙏", False),
    ],
)
def test_match_keyword(text, expected):
    assert match_keyword(text, KEYWORDS) is expected


# --------------------------------------------------------------------------------------------
# parse_yes_no
# --------------------------------------------------------------------------------------------

YES = ["yes", "y", "si", "sí", "sim", "oui", "wi", "có", "oo", "是", "是的", "네", "نعم", "1"]
NO = ["no", "n", "não", "non", "không", "hindi", "不", "不是", "아니요", "لا", "2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sí", True),
        ("si", True),
        ("SI!", True),
        ("sí por favor", True),
        ("yes please", True),
        ("Yes", True),
        ("siiii", True),
        ("yesss", True),
        ("Sim", True),
        ("oui", True),
        ("Wi", True),
        ("có", True),
        ("oo", True),
        ("是的", True),
        ("네", True),
        ("نعم", True),
        ("1", True),
        ("👍", True),
        ("👍🏽", True),
        ("sí pero no sé cuándo", True),
        ("No", False),
        ("no.", False),
        ("no thanks", False),
        ("NO GRACIAS", False),
        ("noooo", False),
        ("não", False),
        ("nao", False),
        ("Non", False),
        ("không", False),
        ("hindi", False),
        ("不是", False),
        ("아니요", False),
        ("لا", False),
        ("2", False),
        ("👎", False),
        ("no sé", None),
        ("No se", None),
        ("I don't know", None),
        ("não sei", None),
        ("mwen pa konnen", None),
        ("不知道", None),
        ("yes no", None),
        ("no, sí", None),
        ("maybe", None),
        ("3", None),
        ("", None),
    ],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text, YES, NO) is expected


# --------------------------------------------------------------------------------------------
# parse_a_number
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A-123-456-789", "123456789"),
        ("A123456789", "123456789"),
        ("a123456789", "123456789"),
        ("123 456 789", "123456789"),
        ("123456789", "123456789"),
        ("123.456.789", "123456789"),
        ("A 123 456 789", "123456789"),
        ("A#123456789", "123456789"),
        ("A–123–456–789", "123456789"),  # phone keyboards turn - into –
        ("A-123-456-789.", "123456789"),
        ("a 12345678", "012345678"),  # 8 digits get a leading 0
        ("A12345678", "012345678"),
        ("12-345-678", "012345678"),
        ("A-number: 123-456-789", "123456789"),
        ("my A number is A123456789", "123456789"),
        ("١٢٣٤٥٦٧٨٩", "123456789"),
        ("1234567", None),  # 7 digits
        ("1234567890", None),  # 10 digits
        ("A12B456789", None),  # letters mixed in
        ("+1 212 555 0100", None),  # a phone number
        ("+123456789", None),
        ("A123456789 A987654321", None),
        ("A", None),
        ("no lo sé", None),
        ("", None),
    ],
)
def test_parse_a_number(text, expected):
    assert parse_a_number(text) == expected


# --------------------------------------------------------------------------------------------
# parse_phone / format_phone
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(212) 555-0100", "+12125550100"),
        ("212.555.0100", "+12125550100"),
        ("212-555-0100", "+12125550100"),
        ("2125550100", "+12125550100"),
        ("1 212 555 0100", "+12125550100"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("２１２５５５０１００", "+12125550100"),
        ("+52 55 1234 5678", "+525512345678"),
        ("011 52 55 1234 5678", "+525512345678"),
        ("00 52 55 1234 5678", "+525512345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("call me at 212 555 0100", "+12125550100"),
        ("mi número es +52 55 1234 5678", "+525512345678"),
        ("212 555 0100 o 917 555 0100", None),  # two numbers: ask again
        ("555-0100", None),  # no area code
        ("123456789", None),
        ("hello", None),
        ("", None),
    ],
)
def test_parse_phone(text, expected):
    assert parse_phone(text) == expected


def test_parse_phone_default_region():
    assert parse_phone("55 1234 5678", "MX") == "+525512345678"


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+12125550100", "(212) 555-0100"),
        ("+525512345678", "+52 55 1234 5678"),
        ("+14165550199", "+1 416-555-0199"),  # Canada: not a US number
        ("+442079460958", "+44 20 7946 0958"),
        ("garbage", "garbage"),
        ("", ""),
    ],
)
def test_format_phone(e164, expected):
    assert format_phone(e164) == expected


def test_phone_round_trip():
    assert format_phone(parse_phone("212.555.0100")) == "(212) 555-0100"


# --------------------------------------------------------------------------------------------
# parse_date (today is Saturday 28 November 2026)
# --------------------------------------------------------------------------------------------

SURE, CHECK = True, False


@pytest.mark.parametrize(
    ("locale", "text", "value", "certain"),
    [
        # yesterday / today / the day before, in every language
        ("en", "yesterday", d(27), SURE),
        ("en", "Yesterday!! 🙏", d(27), SURE),
        ("en", "last night", d(27), SURE),
        ("en", "today", d(28), SURE),
        ("es", "ayer", d(27), SURE),
        ("es", "AYER", d(27), SURE),
        ("es", "Ayer en la mañana", d(27), SURE),
        ("es", "anoche", d(27), SURE),
        ("es", "hoy", d(28), SURE),
        ("es", "esta mañana", d(28), SURE),
        ("es", "esta manana", d(28), SURE),
        ("es", "anteayer", d(26), SURE),
        ("es", "antier", d(26), SURE),
        ("es", "antes de ayer", d(26), SURE),
        ("pt", "ontem", d(27), SURE),
        ("pt", "anteontem", d(26), SURE),
        ("pt", "hoje", d(28), SURE),
        ("fr", "hier", d(27), SURE),
        ("fr", "hier soir", d(27), SURE),
        ("fr", "avant-hier", d(26), SURE),
        ("fr", "aujourd'hui", d(28), SURE),
        ("ht", "yè", d(27), SURE),
        ("ht", "ye", d(27), SURE),
        ("ht", "yè swa", d(27), SURE),
        ("ht", "jodi a", d(28), SURE),
        ("ht", "avanyè", d(26), SURE),
        ("vi", "hôm qua", d(27), SURE),
        ("vi", "hom qua", d(27), SURE),
        ("vi", "hôm kia", d(26), SURE),
        ("zh-Hans", "昨天", d(27), SURE),
        ("zh-Hant", "昨天", d(27), SURE),
        ("zh-Hans", "前天", d(26), SURE),
        ("ko", "어제", d(27), SURE),
        ("ko", "어제요", d(27), SURE),
        ("ko", "그저께", d(26), SURE),
        ("ar", "أمس", d(27), SURE),
        ("ar", "امس", d(27), SURE),
        ("ar", "البارحة", d(27), SURE),
        ("tl", "kahapon", d(27), SURE),
        ("tl", "kagabi", d(27), SURE),
        # English always works too
        ("es", "yesterday", d(27), SURE),
        ("ko", "yesterday", d(27), SURE),
        # a date word inside a sentence: read it, but confirm
        ("es", "se lo llevaron ayer", d(27), CHECK),
        ("en", "he was taken yesterday around 6am", d(27), CHECK),
        # N days ago
        ("es", "hace 2 días", d(26), SURE),
        ("es", "hace 2 dias", d(26), SURE),
        ("es", "hace tres días", d(25), SURE),
        ("en", "2 days ago", d(26), SURE),
        ("en", "three days ago", d(25), SURE),
        ("pt", "há dois dias", d(26), SURE),
        ("fr", "il y a deux jours", d(26), SURE),
        ("ht", "sa fè 3 jou", d(25), SURE),
        ("ht", "twa jou de sa", d(25), SURE),
        ("vi", "2 ngày trước", d(26), SURE),
        ("zh-Hans", "两天前", d(26), SURE),
        ("ko", "이틀 전", d(26), SURE),
        ("ar", "منذ يومين", d(26), SURE),
        ("tl", "dalawang araw na ang nakalipas", d(26), SURE),
        # weekdays: the most recent one strictly before today, always confirmed
        ("es", "el lunes", d(23), CHECK),
        ("es", "el lunes pasado", d(23), CHECK),
        ("es", "el pasado lunes", d(23), CHECK),
        ("es", "lunes", d(23), CHECK),
        ("es", "Miércoles", d(25), CHECK),
        ("es", "miercoles", d(25), CHECK),
        ("es", "sábado", d(21), CHECK),  # today is Saturday: last week's
        ("en", "last monday", d(23), CHECK),
        ("en", "Monday", d(23), CHECK),
        ("en", "on friday", d(27), CHECK),
        ("en", "sat", d(21), CHECK),
        ("en", "on Fri", d(27), CHECK),
        ("en", "Thursday night", d(26), CHECK),
        ("fr", "lundi", d(23), CHECK),
        ("fr", "lundi dernier", d(23), CHECK),
        ("pt", "segunda-feira", d(23), CHECK),
        ("pt", "segunda feira passada", d(23), CHECK),
        ("pt", "na sexta", d(27), CHECK),
        ("ht", "lendi", d(23), CHECK),
        ("ht", "lendi pase", d(23), CHECK),
        ("ht", "dimanch", d(22), CHECK),
        ("vi", "thứ hai", d(23), CHECK),
        ("zh-Hans", "星期一", d(23), CHECK),
        ("zh-Hant", "週四晚上", d(26), CHECK),
        ("ko", "월요일", d(23), CHECK),
        ("ko", "목요일 밤에", d(26), CHECK),
        ("ar", "الاثنين", d(23), CHECK),
        ("ar", "يوم الخميس", d(26), CHECK),
        ("ar", "الاثنين الماضي", d(23), CHECK),
        ("tl", "noong Lunes", d(23), CHECK),
        ("tl", "Huwebes", d(26), CHECK),
        # a weekday of last week (previous calendar week)
        ("zh-Hans", "上周一", d(16), CHECK),
        ("zh-Hant", "上週一", d(16), CHECK),
        ("ko", "지난주 월요일", d(16), CHECK),
        ("vi", "thứ hai tuần trước", d(16), CHECK),
        # last week, vaguely
        ("en", "last week", d(21), CHECK),
        ("es", "la semana pasada", d(21), CHECK),
        ("ht", "semèn pase", d(21), CHECK),
        ("tl", "noong isang linggo", d(21), CHECK),
        ("es", "hace una semana", d(21), CHECK),
        # a relative word and a weekday
        ("es", "ayer viernes", d(27), SURE),
        ("es", "ayer jueves", d(27), CHECK),  # they disagree: confirm
        # numeric dates in the locale's order
        ("en", "3/11", d(11, 3), CHECK),  # March 11 or 3 November?
        ("es", "3/11", d(3, 11), CHECK),
        ("pt", "3/11", d(3, 11), CHECK),
        ("fr", "3/11", d(3, 11), CHECK),
        ("ht", "3/11", d(3, 11), CHECK),
        ("vi", "3/11", d(3, 11), CHECK),
        ("ar", "3/11", d(3, 11), CHECK),
        ("ar", "٣/١١", d(3, 11), CHECK),
        ("tl", "3/11", d(11, 3), CHECK),
        ("zh-Hans", "11/3", d(3, 11), CHECK),
        ("en", "3/11/2026", d(11, 3), CHECK),
        ("es", "3/11/2026", d(3, 11), CHECK),
        ("es", "03-11-2026", d(3, 11), CHECK),
        ("es", "3.11.26", d(3, 11), CHECK),
        ("es", "fue el 3/11 en la noche", d(3, 11), CHECK),
        ("en", "11/11", d(11, 11), SURE),  # both readings agree
        ("en", "11/25", d(25), SURE),
        ("en", "25/11", d(25), SURE),  # only one reading makes sense
        ("es", "25/11", d(25), SURE),
        ("es", "11/25", d(25), SURE),
        ("en", "12/25", d(25, 12, 2025), CHECK),  # no year, not yet this year: last year
        ("en", "2026-11-03", d(3), SURE),
        ("es", "2026-11-03", d(3), SURE),
        ("zh-Hans", "11月3日", d(3), SURE),
        ("zh-Hans", "2026年11月3日", d(3), SURE),
        ("ko", "11월 3일", d(3), SURE),
        # month names
        ("en", "November 3", d(3), SURE),
        ("en", "Nov 3rd", d(3), SURE),
        ("es", "3 de noviembre", d(3), SURE),
        ("es", "el 3 de noviembre", d(3), SURE),
        ("es", "3 de Noviembre", d(3), SURE),
        ("pt", "3 de novembro", d(3), SURE),
        ("fr", "3 novembre", d(3), SURE),
        ("fr", "le 3 novembre", d(3), SURE),
        ("ht", "3 novanm", d(3), SURE),
        ("vi", "ngày 3 tháng 11", d(3), SURE),
        ("tl", "Nobyembre 3", d(3), SURE),
        # times of day are not days of the month
        ("es", "ayer a las 5pm", d(27), SURE),
        ("en", "yesterday at 7:30 p.m.", d(27), SURE),
        ("pt", "ontem às 22h", d(27), SURE),
        ("zh-Hans", "昨天晚上8点", d(27), SURE),
        ("ko", "어제 오후 3시쯤", d(27), SURE),
        ("tl", "kahapon alas 3", d(27), SURE),
        ("vi", "hôm qua lúc 3 giờ", d(27), SURE),
        ("es", "el lunes a las 3", d(23), CHECK),
        ("es", "el viernes como a las 10 de la noche", d(27), CHECK),
        ("en", "monday at 3pm", d(23), CHECK),
        ("fr", "lundi vers 15h", d(23), CHECK),
        ("es", "el 3 de noviembre a las 4", d(3), SURE),
        ("es", "3/11 a las 10", d(3), CHECK),
        ("es", "lunes 23 de noviembre", d(23), SURE),
        ("es", "martes 23 de noviembre", d(23), CHECK),  # 23 November was a Monday
    ],
)
def test_parse_date(locale, text, value, certain):
    assert parse_date(text, locale, TODAY) == DateAnswer(value, certain)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("es", "no sé"),
        ("es", "no se"),
        ("en", "hello"),
        ("en", "I'm not sure"),
        ("es", "hola"),
        ("zh-Hans", "不知道"),
        ("ko", "모르겠어요"),
        ("ht", "mwen pa konnen"),
        ("en", "1"),  # a bare number is a menu answer, not a date
        ("en", "15"),
        ("en", "a"),
        ("en", "November"),  # a month is too vague
        ("en", "123456789"),
        ("en", "212-555-0100"),
        ("en", "3 11"),
        ("es", "hoy o ayer"),  # two answers: ask again
        ("es", "lunes o martes"),
        ("es", "3/11 o 4/11"),
        # never a future date
        ("en", "tomorrow"),
        ("es", "mañana"),
        ("en", "2026-12-03"),
        ("en", "3/11/2027"),
        ("en", "11/30/2026"),
        ("es", "31/2/2026"),  # no such day
        ("en", ""),
        ("en", "🙏"),
    ],
)
def test_parse_date_rejects(locale, text):
    assert parse_date(text, locale, TODAY) is None


@pytest.mark.parametrize("locale", ["en", "es", "pt", "fr", "ht", "zh-Hans", "zh-Hant", "vi", "tl"])
def test_parse_date_never_future(locale):
    for text in ["tomorrow", "next monday", "2027-01-01", "12/31/2099"]:
        answer = parse_date(text, locale, TODAY)
        assert answer is None or answer.value <= TODAY


def test_parse_date_accepts_regional_locale_codes():
    assert parse_date("3/11", "es-MX", TODAY) == DateAnswer(d(3), CHECK)
    assert parse_date("ayer", "es_US", TODAY) == DateAnswer(d(27), SURE)
    assert parse_date("ontem", "pt-BR", TODAY) == DateAnswer(d(27), SURE)
    assert parse_date("kahapon", "fil", TODAY) == DateAnswer(d(27), SURE)
    assert parse_date("yesterday", "xx", TODAY) == DateAnswer(d(27), SURE)


def test_weekday_today_means_last_week():
    monday = date(2026, 11, 23)
    assert parse_date("lunes", "es", monday) == DateAnswer(date(2026, 11, 16), CHECK)
    assert parse_date("domingo", "es", monday) == DateAnswer(date(2026, 11, 22), CHECK)


def test_date_answer_is_frozen():
    answer = DateAnswer(TODAY, True)
    with pytest.raises(AttributeError):
        answer.certain = False  # type: ignore[misc]


def test_warm_up_then_parse_is_fast():
    warm_up()
    start = time.perf_counter()
    for locale, text in [
        ("es", "3 de noviembre"),
        ("fr", "3 novembre"),
        ("en", "November 3"),
        ("es", "ayer"),
        ("zh-Hans", "昨天"),
    ]:
        assert parse_date(text, locale, TODAY) is not None
    assert time.perf_counter() - start < 0.25


def test_cue_tables_are_stored_in_folded_form():
    """Every built-in cue word must look exactly like folded text, or it could never match."""
    from bot.conversation import date_words as answers

    for lang, cues in answers._CUES.items():
        for phrase in [*cues.meaning, *cues.abbr, *cues.filler, *cues.num_words]:
            assert " ".join(re.sub(r"\W+", " ", fold(phrase)).split()) == phrase, (lang, phrase)


def test_nothing_raises_on_random_junk():
    """Whatever arrives (broken encodings, emoji, mixed scripts), parsers answer or say None."""
    rng = random.Random(20261128)
    pieces = list("aeiuo AEIOU 0123456789/.-#+()!?¿¡éñüçôđ\n\t\u200b\u200f\ufeff\x00") + [
        "昨天", "어제", "أمس", "🙏", "👍", "\ud800", "1️⃣", "星期一", "yè", "lunes", "ayer",
        "3/11", "A-", "+1", "2026", "de", "noviembre", "hace", "días", "il y a", "jours",
    ]  # fmt: skip
    options = {"a": ["1", "discretion"], "b": ["2", "qué es"]}
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        clean(text)
        fold(text)
        match_choice(text, options)
        match_keyword(text, ["stop"])
        parse_yes_no(text, ["si"], ["no"])
        parse_a_number(text)
        phone = parse_phone(text)
        if phone:
            format_phone(phone)
        for locale in ("en", "es", "ht", "zh-Hant", "ar"):
            answer = parse_date(text, locale, TODAY)
            assert answer is None or answer.value <= TODAY


def test_only_short_texts_without_numbers_are_remembered_between_messages():
    """What a worker keeps in memory between messages: short menu-like texts, never a phone
    number, an A-number, a date or a sentence (docs/security.md)."""
    from bot.conversation import choices

    options = {"yes": ["yes", "si"], "no": ["no"]}
    choices._match_choice_cached.cache_clear()
    choices._match_keyword_cached.cache_clear()
    kept = words = 0
    for text in ["+1 555 123 4567", "A123456789", "1/15/2027", "my brother was detained today"]:
        match_choice(text, options)
        match_keyword(text, ["menu"])
    assert choices._match_choice_cached.cache_info().currsize == kept
    assert choices._match_keyword_cached.cache_info().currsize == words
    assert match_choice("si", options) == "yes"
    assert match_keyword("MENU", ["menu"])
    assert choices._match_choice_cached.cache_info().currsize == kept + 1
    assert choices._match_keyword_cached.cache_info().currsize == words + 1
