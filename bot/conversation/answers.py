"""Forgiving parsers for what people text back: choices, keywords, yes/no, A-numbers, phones, dates.

Pure functions only: the standard library, dateparser, phonenumbers and babel, nothing else.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from babel import Locale
from dateparser.date import DateDataParser

__all__ = [
    "DateAnswer",
    "clean",
    "fold",
    "format_phone",
    "match_choice",
    "match_keyword",
    "parse_a_number",
    "parse_date",
    "parse_phone",
    "parse_yes_no",
    "warm_up",
]

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_REPLACEMENT_CHAR = "\ufffd"
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W+")
# Letters with no Unicode decomposition that people still type "without the accent".
_FOLD_EXTRA = str.maketrans(
    {
        "đ": "d",
        "ð": "d",
        "ø": "o",
        "ł": "l",
        "œ": "oe",
        "æ": "ae",
        "ı": "i",
        "ħ": "h",
        "þ": "th",
        # Arabic spelling variants that people use interchangeably.
        "ى": "ي",
        "ی": "ي",
        "ة": "ه",
        "ٱ": "ا",
        "ـ": None,
    }
)


def _to_str(text: object) -> str:
    """Coerce anything (None, bytes, str with lone surrogates) to a well-formed str."""
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Re-pair surrogate halves (UTF-16 leakage) and replace lone ones.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean(text: str) -> str:
    """Normalise an inbound body: NFC, drop control/format chars, collapse whitespace, strip."""
    try:
        s = _to_str(text)
        if s.isascii() and s.isprintable():
            return " ".join(s.split())
        s = unicodedata.normalize("NFC", s)
        out = []
        for ch in s:
            cat = unicodedata.category(ch)
            if cat == "Cc":
                out.append(" ")
            elif cat in ("Cf", "Cs") or ch == _REPLACEMENT_CHAR:
                continue
            else:
                out.append(ch)
        return " ".join("".join(out).split())
    except Exception:  # pragma: no cover - belt and braces: an inbound message must never crash
        return ""


def _ascii_digits(s: str) -> str:
    """Turn any Unicode decimal digit (Arabic-Indic, Devanagari...) into 0-9."""
    if not _NON_ASCII_DIGIT.search(s):
        return s
    return _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group(), 0)), s)


def _is_edge_junk(ch: str) -> bool:
    """Punctuation, symbols (emoji), separators and controls: stripped from both ends by fold."""
    return unicodedata.category(ch)[0] in "PSZC"


def fold(text: str) -> str:
    """Matching form: clean, casefold, strip diacritics and surrounding punctuation/emoji."""
    s = clean(text)
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(ch for ch in s if unicodedata.category(ch) not in ("Mn", "Me"))
    s = unicodedata.normalize("NFC", s).translate(_FOLD_EXTRA)
    s = _ascii_digits(s)
    start, end = 0, len(s)
    while start < end and _is_edge_junk(s[start]):
        start += 1
    while end > start and _is_edge_junk(s[end - 1]):
        end -= 1
    return " ".join(s[start:end].split())


def _norm(text: str) -> str:
    """Folded text with internal punctuation/emoji collapsed: words joined by single spaces."""
    return " ".join(_WORD.findall(fold(text).replace("_", " ")))


@lru_cache(maxsize=4096)
def _norm_phrase(phrase: str) -> str:
    """_norm for the fixed phrases flows define (cached: they repeat on every message)."""
    return _norm(phrase)


# --------------------------------------------------------------------------------------------
# Fuzzy matching
# --------------------------------------------------------------------------------------------


def _allowed_typos(a: str, b: str, min_len: int = 4) -> int:
    """Typo budget for comparing a and b: none if either is short or contains digits."""
    if any(c.isdigit() for c in a) or any(c.isdigit() for c in b):
        return 0
    n = min(len(a.replace(" ", "")), len(b.replace(" ", "")))
    if n < min_len:
        return 0
    return 1 if n < 8 else 2


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit + 1."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            row_min = min(row_min, v)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _close(typed: str, target: str, min_len: int = 4) -> bool:
    """True when typed equals target or is within the typo budget."""
    if typed == target:
        return True
    if abs(len(typed) - len(target)) > 2:  # beyond any typo budget: skip the work
        return False
    limit = _allowed_typos(typed, target, min_len)
    return limit > 0 and _osa_distance(typed, target, limit) <= limit


_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff"
                  "\U00020000-\U0003ffff]")


@lru_cache(maxsize=8192)
def _has_cjk(s: str) -> bool:
    """True when s contains ideographs, kana or Hangul (scripts written without spaces)."""
    return _CJK.search(s) is not None


def _contains(words: list[str], joined: str, phrase: str) -> bool:
    """Whole-word (token run) containment; plain substring for CJK/Hangul phrases."""
    if _has_cjk(phrase):
        return phrase in joined.replace(" ", "")
    ptoks = phrase.split()
    n = len(ptoks)
    return any(words[i : i + n] == ptoks for i in range(len(words) - n + 1))


def _contains_typo(words: list[str], phrase: str) -> bool:
    """Containment allowing typos (phrases of 6+ letters only) in a same-length word window."""
    if len(phrase) < 6 or _has_cjk(phrase):
        return False
    n = len(phrase.split())
    for i in range(len(words) - n + 1):
        window = " ".join(words[i : i + n])
        if window != phrase and _close(window, phrase, min_len=6):
            return True
    return False


_NUMBER_FILLER = (
    r"(?:option|opcion|opcao|opsyon|opsiyon|choice|numero|number|num|nr|"
    r"el|la|le|ang|so|第)"
)
_LEADING_NUMBER = re.compile(rf"^(?:{_NUMBER_FILLER}\s*)?(\d+)(?!\d)")
_NUMBER_TOKEN = re.compile(r"(?<!\d)\d+(?!\d)")


def _prepare(
    options: Mapping[str, Sequence[str]],
) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """Split option phrases into numbers (canonical int strings) and folded word phrases."""
    # The same options come back on every message of a question: fold them once.
    frozen = tuple(
        (cid, (phrases,) if isinstance(phrases, str) else tuple(phrases))
        for cid, phrases in options.items()
    )
    return _prepare_frozen(frozen)


@lru_cache(maxsize=1024)
def _prepare_frozen(
    options: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    numbers: dict[str, set[str]] = {}
    words: list[tuple[str, str]] = []
    for choice_id, phrases in options:
        for phrase in phrases:
            p = _norm_phrase(phrase)
            if not p:
                continue
            if p.isdigit():
                numbers.setdefault(str(int(p)), set()).add(choice_id)
            else:
                words.append((choice_id, p))
    return numbers, words


def _only(ids: set[str]) -> str | None:
    """The single id in ids, else None."""
    return next(iter(ids)) if len(ids) == 1 else None


def match_choice(
    text: str, options: Mapping[str, Sequence[str]], *, typos_inside: bool = True
) -> str | None:
    """Choice id selected by text (number, word, phrase, small typo), or None if none/ambiguous.

    typos_inside=False skips the costliest step (a misspelt word inside a longer message),
    for long option lists where a whole-message typo is enough (the language menu).
    """
    norm = _norm(text)
    if not norm:
        return None
    numbers, words = _prepare(options)
    tokens = norm.split()

    # 1. The whole message is one of the phrases (or numbers).
    exact = {cid for cid, p in words if p == norm}
    if norm.isdigit():
        exact |= numbers.get(str(int(norm)), set())
    if exact:
        return _only(exact)

    # 2. A leading number ("1 please", "#3", "2.", "1)", "opción 2"): numbers must match exactly.
    if numbers:
        m = _LEADING_NUMBER.match(norm)
        if m:
            n = str(int(m.group(1)))
            others = {str(int(x)) for x in _NUMBER_TOKEN.findall(norm[m.end() :])}
            if any(o != n and o in numbers for o in others):
                return None
            return _only(numbers.get(n, set()))

    # 3. The whole message is a phrase with a small typo.
    fuzzy = {cid for cid, p in words if _close(norm, p)}
    if fuzzy:
        return _only(fuzzy)

    # 4. An option's word/phrase appears as a whole word in a longer message.
    contained = {cid for cid, p in words if _contains(tokens, norm, p)}
    if contained:
        return _only(contained)

    # 5. Same, allowing a typo in the contained word.
    if not typos_inside:
        return None
    return _only({cid for cid, p in words if _contains_typo(tokens, p)})


def match_keyword(text: str, words: Sequence[str]) -> bool:
    """True only when the whole message (folded) is one of words; typos allowed on 5+ letters."""
    norm = _norm(text)
    if not norm:
        return False
    exact, fuzzy = _keyword_set((words,) if isinstance(words, str) else tuple(words))
    return norm in exact or any(_close(norm, w, min_len=5) for w in fuzzy)


@lru_cache(maxsize=1024)
def _keyword_set(words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Folded keywords: all of them for exact matches, those of 5+ letters for typos."""
    folded = [w for w in map(_norm_phrase, words) if w]
    return frozenset(folded), tuple(w for w in folded if len(w.replace(" ", "")) >= 5)


_YES_EMOJI = frozenset("👍✅👌✔☑🆗")
_NO_EMOJI = frozenset("👎❌✖🚫⛔❎")
_DONT_KNOW = tuple(
    _norm(p)
    for p in (
        "no sé",
        "no se",
        "nose",
        "no lo sé",
        "no sabemos",
        "i don't know",
        "i dont know",
        "dont know",
        "don't know",
        "idk",
        "not sure",
        "no estoy seguro",
        "no estoy segura",
        "não sei",
        "nao sei",
        "je ne sais pas",
        "je sais pas",
        "sais pas",
        "mwen pa konnen",
        "m pa konnen",
        "pa konnen",
        "mwen pa konn",
        "m pa konn",
        "không biết",
        "ko biet",
        "hindi ko alam",
        "di ko alam",
        "ewan",
        "不知道",
        "不清楚",
        "모르겠어요",
        "모르겠습니다",
        "모르겠어",
        "몰라요",
        "몰라",
        "لا أعرف",
        "لا اعرف",
        "مش عارف",
        "ما بعرف",
    )
)


_DONT_KNOW_RE = re.compile(
    "|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in sorted(_DONT_KNOW, key=len, reverse=True))
)


def _yes_no(norm: str, text: str, options: Mapping[str, Sequence[str]]) -> bool | None:
    """parse_yes_no on an already-normalised message."""
    _, words = _prepare(options)
    exact = {cid for cid, p in words if p == norm}
    if exact:
        return None if len(exact) > 1 else exact.pop() == "yes"
    if not norm.isdigit():
        # The first word decides ("si pero no se cuando" -> yes) unless the other answer also
        # appears on its own ("yes no" -> unclear).
        first = {(cid, p) for cid, p in words if (norm + " ").startswith(p + " ")}
        if len({cid for cid, _ in first}) == 1:
            choice, phrase = max(first, key=lambda item: len(item[1]))
            rest = _DONT_KNOW_RE.sub(" ", norm[len(phrase) :])
            tokens = rest.split()
            if any(_contains(tokens, rest, p) for cid, p in words if cid != choice):
                return None
            return choice == "yes"
    choice = match_choice(text, options)
    return None if choice is None else choice == "yes"


def _only_emoji(raw: str, emoji: frozenset[str]) -> bool:
    """True when raw is made of the given emoji (with skin tones / variation selectors)."""
    return (
        bool(raw)
        and all(ch in emoji or unicodedata.category(ch) in ("Mn", "Sk", "Zs", "Cf") for ch in raw)
        and any(ch in emoji for ch in raw)
    )


_REPEATS = re.compile(r"(\w)\1+")


def parse_yes_no(text: str, yes: Sequence[str], no: Sequence[str]) -> bool | None:
    """True/False for a yes/no answer ('sí', 'yes please', 'no thanks', 'siii', '👍'); else None."""
    raw = clean(text)
    if _only_emoji(raw, _YES_EMOJI):
        return True
    if _only_emoji(raw, _NO_EMOJI):
        return False
    norm = _norm(text)
    if not norm:
        return None
    if norm in _DONT_KNOW or any(norm.startswith(d + " ") for d in _DONT_KNOW):
        return None
    options = {"yes": list(yes), "no": list(no)}
    answer = _yes_no(norm, text, options)
    if answer is None:
        # Drawn-out answers: "siiii", "noooo", "yesss".
        squashed = _REPEATS.sub(r"\1", norm)
        if squashed != norm:
            squashed_options = {
                cid: [_REPEATS.sub(r"\1", _norm(p)) for p in phrases]
                for cid, phrases in options.items()
            }
            answer = _yes_no(squashed, squashed, squashed_options)
    return answer


# --------------------------------------------------------------------------------------------
# A-numbers and phones
# --------------------------------------------------------------------------------------------

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_A_LABEL = re.compile(
    r"^(?:(?:my|mi|su|el|o|meu|mon|nimewo)\s+)?"
    r"(?:a\s*-?\s*(?:number|numero|nimewo|no\.?|num\.?|#)|alien\s+(?:number|no\.?|#)|"
    r"n[uú]mero\s+(?:de\s+)?(?:a|extranjero|registro)|nimewo\s+a|num[eé]ro\s+a)"
    r"\s*(?:is|es|e|:|=)?\s*[:#]?\s*",
    re.IGNORECASE,
)
_A_NUMBER = re.compile(r"(?:[aA]\s*[-.#:]?\s*)?(\d(?:[\d .-]*\d)?)")


def parse_a_number(text: str) -> str | None:
    """A-number of 8 or 9 digits ('A-123-456-789', 'a 12345678') as 9 digits; else None."""
    s = _ascii_digits(clean(text)).translate(_DASHES)
    s = unicodedata.normalize("NFKC", s).strip(" .,;:!?")
    if len(s) > 60:
        return None
    s = _A_LABEL.sub("", s, count=1)
    m = _A_NUMBER.fullmatch(s)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(1))
    if len(digits) == 9:
        return digits
    if len(digits) == 8:
        return "0" + digits
    return None


_PHONE_LABEL = re.compile(r"[^\W\d]", re.UNICODE)


def _possible_e164(number: phonenumbers.PhoneNumber) -> str | None:
    """E.164 string when number is possible, else None."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def parse_phone(text: str, default_region: str = "US") -> str | None:
    """A callback number in E.164 ('(212) 555-0100' -> '+12125550100'); None if not possible."""
    s = unicodedata.normalize("NFKC", _ascii_digits(clean(text))).translate(_DASHES)
    if not s or not any(c.isdigit() for c in s):
        return None
    region = (default_region or "US").upper()
    if not _PHONE_LABEL.search(s.replace("ext", "").replace("x", "")):
        candidates = [s]
        if s.startswith("00"):
            candidates.append("+" + s[2:].lstrip())
        for candidate in candidates:
            try:
                result = _possible_e164(phonenumbers.parse(candidate, region))
            except phonenumbers.NumberParseException:
                continue
            if result:
                return result
    # Words around the number ("call me at 212 555 0100 please"): accept exactly one number.
    try:
        matches = phonenumbers.PhoneNumberMatcher(
            s, region, leniency=phonenumbers.Leniency.POSSIBLE
        )
        found = {e for e in (_possible_e164(m.number) for m in matches) if e}
    except Exception:
        return None
    return found.pop() if len(found) == 1 else None


def format_phone(e164: str) -> str:
    """Human form: '(212) 555-0100' for US numbers, '+52 55 1234 5678' otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        try:
            number = phonenumbers.parse(e164, "US")
        except phonenumbers.NumberParseException:
            return e164
    region = phonenumbers.region_code_for_number(number)
    if number.country_code == 1 and region in (None, "US"):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_a_number(digits: str) -> str:
    """How an A-number is written on papers: 'A-123-456-789'."""
    return f"A-{digits[0:3]}-{digits[3:6]}-{digits[6:9]}"


def format_date_long(value: datetime.date, locale: str | None) -> str:
    """A date written out in a locale's language: 'November 3, 2026', '3 de noviembre de 2026'."""
    from babel.dates import format_date

    if locale == "ht":  # babel has no Kreyòl month names; digits read the same
        return f"{value.day}/{value.month}/{value.year}"
    try:
        return format_date(value, format="long", locale=(locale or "en").replace("-", "_"))
    except Exception:  # a locale babel does not know: ISO is still readable
        return value.isoformat()


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateAnswer:
    """A past date read from a message; certain=False means confirm it back first."""

    value: datetime.date
    certain: bool


_LANGS = ("en", "es", "pt", "fr", "ht", "zh", "vi", "tl", "ko", "ar")


@lru_cache(maxsize=64)
def _lang(locale: str) -> str:
    """Engine locale ('zh-Hant', 'es_MX', 'pt-BR', 'fil') to one of our base languages."""
    base = re.split(r"[-_@.]", (locale or "en").strip().lower(), maxsplit=1)[0]
    if base == "fil":
        return "tl"
    return base if base in _LANGS else "en"


@lru_cache(maxsize=64)
def _day_first(locale: str) -> bool:
    """True when the locale writes day before month in numeric dates (babel short format)."""
    lang = _lang(locale)
    if lang == "ht":
        return True  # babel's Haitian data is ISO-only; people write day/month like French.
    try:
        loc = Locale.parse(locale.replace("-", "_")) if locale else Locale("en", "US")
    except Exception:
        try:
            loc = Locale.parse(lang)
        except Exception:
            return False
    pattern = loc.date_formats["short"].pattern
    d, m = pattern.find("d"), pattern.find("M")
    return 0 <= d < m


def _settings(today: datetime.date) -> dict:
    """dateparser settings anchored at noon today, preferring the past."""
    return {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time(12, 0)),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }


@lru_cache(maxsize=128)
def _date_parser(lang: str, today: datetime.date) -> DateDataParser:
    """One DateDataParser per (language, day): construction is cheap, first parse is not."""
    dp_lang = "fr" if lang == "ht" else lang
    languages = ["en"] if dp_lang == "en" else [dp_lang, "en"]
    return DateDataParser(languages=languages, settings=_settings(today))


# Relative-day words (days before today), weekdays (0=Monday) and "last week" cues. dateparser
# misses many everyday forms ("anoche", "hier soir", "hôm kia", "그저께", "البارحة", "yè"), so
# these tables are checked first. Entries are folded; Latin/Arabic ones match whole words.
# Alternatives are separated by "/".
_REL_TABLE: dict[str, dict[int, str]] = {
    "en": {
        0: "today/tonight/this morning/this afternoon/this evening/earlier today",
        1: "yesterday/yday/yest/ystrdy/last night",
        2: "day before yesterday/the day before yesterday",
    },
    "es": {
        0: "hoy/esta manana/esta tarde/esta noche/hace rato/hace un rato/hace ratito",
        1: "ayer/anoche",
        2: "anteayer/antier/antenoche/antes de ayer/antes de anoche/antes de ayer en la noche",
    },
    "pt": {
        0: "hoje/hoje cedo/esta manha/essa manha/nesta manha/hoje de manha/esta noite",
        1: "ontem",
        2: "anteontem/antes de ontem",
    },
    "fr": {
        0: "aujourd hui/aujourdhui/ce matin/cet apres midi/ce soir",
        1: "hier",
        2: "avant hier/avanthier",
    },
    "ht": {0: "jodi a/jodia/jodi/maten an/aswe a", 1: "ye/yeswa", 2: "avan ye/avanye"},
    "vi": {
        0: "hom nay/homnay/sang nay/chieu nay/toi nay",
        1: "hom qua/homqua/toi qua/dem qua",
        2: "hom kia",
        3: "hom kia nua",
    },
    "zh": {0: "今天/今日/今早/今晚", 1: "昨天/昨日/昨晚/昨夜", 2: "前天/前日", 3: "大前天"},
    "ko": {0: "오늘", 1: "어제/어젯밤", 2: "그저께/그제/엊그제"},
    "ar": {
        0: "اليوم/النهارده",
        1: "امس/بالامس/البارحه/امبارح/مبارح/ليله امس",
        2: "اول امس/اول امبارح/اول البارحه",
    },
    "tl": {
        0: "ngayon/ngayong araw/kanina/kaninang umaga",
        1: "kahapon/kagabi",
        2: "kamakalawa",
    },
}
_REL: dict[str, dict[str, int]] = {
    lang: {p: n for n, alts in table.items() for p in alts.split("/")}
    for lang, table in _REL_TABLE.items()
}

# Monday..Sunday separated by "|".
_WEEKDAY_TABLE: dict[str, str] = {
    "en": "monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    "es": "lunes|martes|miercoles|jueves|viernes|sabado|domingo",
    "pt": "segunda feira/segunda/2a feira|terca feira/terca/3a feira|quarta feira/quarta/4a feira|"
    "quinta feira/quinta/5a feira|sexta feira/sexta/6a feira|sabado|domingo",
    "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "ht": "lendi/lundi|madi/mardi|mekredi/mercredi|jedi/jeudi|vandredi/vendredi|samdi/samedi|"
    "dimanch/dimanche",
    "vi": "thu hai/thu 2/t2|thu ba/thu 3/t3|thu tu/thu 4/t4|thu nam/thu 5/t5|thu sau/thu 6/t6|"
    "thu bay/thu 7/t7|chu nhat/cn",
    "zh": "|".join(
        "/".join(p + d for p in ("星期", "礼拜", "禮拜", "周", "週") for d in days)
        for days in ("一", "二", "三", "四", "五", "六", "日天")
    ),
    "ko": "월요일|화요일|수요일|목요일|금요일|토요일|일요일",
    "ar": "الاثنين/الاتنين/اثنين|الثلاثاء/الثلاثا/التلات/ثلاثاء|الاربعاء/الاربع/اربعاء|"
    "الخميس/خميس|الجمعه/جمعه|السبت/سبت|الاحد/الحد/احد",
    "tl": "lunes|martes|miyerkules/miyerkoles|huwebes|biyernes|sabado|linggo",
}
# Abbreviations only count when they are the whole answer ("sat", "wed").
_WEEKDAY_ABBR_TABLE: dict[str, str] = {"en": "mon|tue/tues|wed|thu/thur/thurs|fri|sat|sun"}


def _weekday_table(table: dict[str, str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """'mon|tue/tues|...' to ((mon,), (tue, tues), ...)."""
    return {
        lang: tuple(tuple(day.split("/")) for day in days.split("|"))
        for lang, days in table.items()
    }


_WEEKDAYS = _weekday_table(_WEEKDAY_TABLE)
_WEEKDAY_ABBR = _weekday_table(_WEEKDAY_ABBR_TABLE)

_LAST_WEEK: dict[str, tuple[str, ...]] = {
    "en": ("last week", "past week", "the week before"),
    "es": ("semana pasada", "pasada semana"),
    "pt": ("semana passada",),
    "fr": ("semaine derniere", "semaine passee"),
    "ht": (
        "semen pase",
        "semenn pase",
        "semen ki pase",
        "semenn ki pase",
        "semen ki sot pase",
        "semenn ki sot pase",
        "denye semen",
    ),
    "vi": ("tuan truoc", "tuan roi", "tuan qua"),
    "zh": (
        "上周",
        "上週",
        "上星期",
        "上个星期",
        "上個星期",
        "上礼拜",
        "上禮拜",
        "上个礼拜",
        "上個禮拜",
    ),
    "ko": ("지난주", "지난 주", "저번주", "저번 주"),
    "ar": ("الاسبوع الماضي", "الاسبوع اللي فات", "الاسبوع الي فات"),
    "tl": ("nakaraang linggo", "noong isang linggo", "isang linggo", "linggo na ang nakalipas"),
}

# Words that may surround a date without changing it: articles, prepositions, "last/past",
# parts of the day, "it was". If nothing else is left, the answer is the whole message.
_FILLER: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "on the last past this that was it its s in at about around morning afternoon "
        "evening night day ago early late",
        "es": "el la los las lo de del en este esta ese esa pasado pasada fue era dia manana "
        "tarde noche madrugada por como a al y",
        "pt": "o a os as na no de da do em foi era passado passada passou ultimo ultima ultimo "
        "dia feira manha tarde noite esta essa nesta nessa pela de cedo",
        "fr": "le la l les de du dernier derniere passe passee ce cet cette matin soir apres midi "
        "nuit c etait est jour en au",
        "ht": "la a an nan pase sot ki denye swa maten apremidi aswe te se li jou lan",
        "vi": "ngay vao hom buoi sang chieu toi dem vua roi qua la",
        "zh": "",
        "ko": "",
        "ar": "يوم في الماضي الماضيه اللي فات صباح الصبح مساء ليله ليل بالليل",
        "tl": "noong nung ng sa ang nakaraang nakaraan nakalipas umaga hapon gabi araw na",
    }.items()
}
_CJK_FILLER = re.compile(
    r"上个|上個|上|这个|這個|这|這|的|在|是|早上|上午|下午|晚上|凌晨|那天|号|號|"
    r"에|요|밤|아침|오후|저녁|새벽|낮|쯤|지난|저번|이번|날"
)

# Small counts for "N days ago", 1 upwards; "/" separates words with the same value.
_NUM_WORD_TABLE: dict[str, str] = {
    "en": "one two three four five six seven eight nine ten",
    "es": "un/uno/una dos tres cuatro cinco seis siete ocho nueve diez",
    "pt": "um/uma dois/duas tres quatro cinco seis sete oito nove dez",
    "fr": "un/une deux trois quatre cinq six sept huit neuf dix",
    "ht": "en/youn de twa kat senk sis set uit nef dis",
    "vi": "mot hai ba bon nam sau bay tam chin muoi",
    "tl": "isa/isang dalawa/dalawang tatlo/tatlong apat lima/limang anim pito/pitong walo/walong "
    "siyam sampu/sampung",
    "zh": "一 两/兩/二 三 四 五 六 七 八 九 十",
    "ko": "하루 이틀 사흘 나흘",
    "ar": "يوم يومين ثلاث/ثلاثه اربع/اربعه خمس/خمسه",
}
_NUM_WORDS: dict[str, dict[str, int]] = {
    lang: {w: n for n, alts in enumerate(words.split(), 1) for w in alts.split("/")}
    for lang, words in _NUM_WORD_TABLE.items()
}

_DAYS_AGO_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (r"(?P<n>NUM) days? ago",),
    "es": (r"hace (?P<n>NUM) dias?",),
    "pt": (r"ha (?P<n>NUM) dias?", r"(?P<n>NUM) dias? atras"),
    "fr": (r"il y a (?P<n>NUM) jours?",),
    "ht": (r"(?:sa )?(?:fe|gen) (?P<n>NUM) jou", r"(?P<n>NUM) jou (?:de sa|pase|ki pase)"),
    "vi": (r"(?P<n>NUM) ngay (?:truoc|trc)",),
    "tl": (
        r"(?P<n>NUM) (?:na )?araw (?:na )?(?:ang )?(?:nakalipas|nakaraan)",
        r"nakalipas na (?P<n>NUM) araw",
    ),
    "zh": (r"(?P<n>NUM) ?天(?:以前|之前|前)",),
    "ko": (r"(?P<n>NUM) ?일? ?전",),
    "ar": (r"(?:منذ|قبل|من) (?P<n>NUM)(?: (?:ايام|يوم))?",),
}

# Kreyòl month names to French, so dateparser's French data reads "3 novanm".
_HT_MONTHS = {
    "janvye": "janvier",
    "fevriye": "fevrier",
    "mas": "mars",
    "avril": "avril",
    "me": "mai",
    "jen": "juin",
    "jiye": "juillet",
    "out": "aout",
    "septanm": "septembre",
    "oktob": "octobre",
    "novanm": "novembre",
    "desanm": "decembre",
}
_HT_MONTH_RE = re.compile(r"(?<!\w)(\d{1,2}) (" + "|".join(_HT_MONTHS) + r")(?!\w)")


def _cue_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    """One alternation, longest first; Latin/Arabic phrases need word boundaries, CJK do not."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p)
        parts.append(esc if _has_cjk(p) else rf"(?<!\w){esc}(?!\w)")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class _Cues:
    """Per-language lookup tables compiled once."""

    meaning: dict[str, tuple[str, int]]
    regex: re.Pattern[str]
    abbr: dict[str, int]
    filler: frozenset[str]
    days_ago: tuple[re.Pattern[str], ...]
    num_words: dict[str, int]


def _build_cues(lang: str) -> _Cues:
    """Compile the cue tables for lang (always including English)."""
    meaning: dict[str, tuple[str, int]] = {}
    abbr: dict[str, int] = {}
    filler: set[str] = set()
    num_words: dict[str, int] = {}
    templates: list[str] = []
    for source in dict.fromkeys(("en", lang)):
        for p, n in _REL.get(source, {}).items():
            meaning[p] = ("rel", n)
        for wd, names in enumerate(_WEEKDAYS.get(source, ())):
            for p in names:
                meaning.setdefault(p, ("wd", wd))
        for wd, names in enumerate(_WEEKDAY_ABBR.get(source, ())):
            for p in names:
                abbr[p] = wd
        for p in _LAST_WEEK.get(source, ()):
            meaning[p] = ("lastweek", 0)
        filler |= _FILLER.get(source, frozenset())
        num_words.update(_NUM_WORDS.get(source, {}))
        templates.extend(_DAYS_AGO_TEMPLATES.get(source, ()))
    # Chinese writes "last week Monday" as one word: 上周一, 上星期五...
    if lang == "zh":
        for wd, names in enumerate(_WEEKDAYS["zh"]):
            for name in names:
                for prefix in ("上", "上个", "上個"):
                    meaning[prefix + name] = ("lastweek_wd", wd)
    for p in _REL.get(lang, {}):
        filler.discard(p)
    number = r"\d{1,3}|" + "|".join(re.escape(w) for w in sorted(num_words, key=len, reverse=True))
    days_ago = tuple(
        re.compile(rf"(?<!\w){t.replace('NUM', f'(?:{number})')}(?!\w)")
        if not _has_cjk(t)
        else re.compile(t.replace("NUM", f"(?:{number})"))
        for t in templates
    )
    return _Cues(meaning, _cue_regex(list(meaning)), abbr, frozenset(filler), days_ago, num_words)


_CUES: dict[str, _Cues] = {lang: _build_cues(lang) for lang in _LANGS}

# Numeric dates. Separators: / . - (and spaces around them); years of 2 or 4 digits.
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?![\d/-]|\.\d)")
_NUM_DATE = re.compile(
    r"(?<![\d/.-])(\d{1,2}) ?([/.-]) ?(\d{1,2})(?: ?[/.-] ?(\d{4}|\d{2}))?(?![\d/-]|\.\d)"
)
_CJK_DATE = re.compile(r"(?:(\d{2,4}) ?[年년] ?)?(\d{1,2}) ?[月월] ?(\d{1,2}) ?(?:[日号號일])?")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Times of day ("a las 3", "at 7:30", "5pm", "15h", "晚上8点", "오후 3시"): dropped before reading a
# date so "el lunes a las 3" is not read as the 3rd. A bare number is never taken for a time.
_TIME_PREP = r"(?:a las|a la|a eso de las|como a las|at|around|about|vers|as|alas|luc|bandang)"
_AM_PM = r"(?:[ap]\.? ?m\b\.?|hrs?|horas?|heures?|h|oras|gio)"
_TIME = re.compile(
    rf"(?:(?<!\w){_TIME_PREP} )?(?<![\d/.:-])\d{{1,2}}[:h]\d{{2}}(?: ?{_AM_PM})?(?!\w)"
    rf"|(?:(?<!\w){_TIME_PREP} )?(?<![\d/.:-])\d{{1,2}} ?{_AM_PM}(?!\w)"
    rf"|(?<!\w){_TIME_PREP} \d{{1,2}}(?![\d/.:-]|\w)"
    r"|\d{1,2} ?[点點時시](?:半|\d{1,2} ?[分분])?"
)


def _safe_date(y: int, m: int, d: int) -> datetime.date | None:
    """datetime.date or None when out of range."""
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _most_recent(m: int, d: int, today: datetime.date) -> tuple[datetime.date | None, bool]:
    """Month/day without a year: this year if not in the future, else last year (less sure)."""
    value = _safe_date(today.year, m, d)
    if value is not None and value <= today:
        return value, True
    value = _safe_date(today.year - 1, m, d)
    if value is None and m == 2 and d == 29:
        return None, False
    return value, False


def _numeric_dates(f: str, locale: str, today: datetime.date) -> list[DateAnswer]:
    """All numeric dates in folded text f ('3/11', '3/11/2026', '2026-11-03', '11月3日')."""
    found: list[DateAnswer] = []
    for m in _ISO_DATE.finditer(f):
        value = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value is not None and value <= today:
            found.append(DateAnswer(value, True))
    f = _ISO_DATE.sub(" ", f)
    for m in _CJK_DATE.finditer(f):
        month, day = int(m.group(2)), int(m.group(3))
        if m.group(1):
            year = int(m.group(1))
            year += 2000 if year < 100 else 0
            value = _safe_date(year, month, day)
            if value is not None and value <= today:
                found.append(DateAnswer(value, True))
        else:
            value, sure = _most_recent(month, day, today)
            if value is not None:
                found.append(DateAnswer(value, sure))
    f = _CJK_DATE.sub(" ", f)
    day_first = _day_first(locale)
    for m in _NUM_DATE.finditer(f):
        a, b = int(m.group(1)), int(m.group(3))
        if m.group(2) == "-" and not m.group(4):
            continue  # "3-4" is more often a range or a count than a date
        day, month = (a, b) if day_first else (b, a)
        ambiguous = a <= 12 and b <= 12 and a != b
        if not 1 <= month <= 12:
            day, month = month, day  # only one reading makes sense: take it
        year_text = m.group(4)
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            value = _safe_date(year, month, day)
            sure = not ambiguous
            if value is not None and value > today and ambiguous:
                value, sure = _safe_date(year, day, month), False
            if value is not None and value <= today:
                found.append(DateAnswer(value, sure))
        else:
            value, sure = _most_recent(month, day, today)
            if value is not None:
                found.append(DateAnswer(value, sure and not ambiguous))
    return found


def _last_weekday(wd: int, today: datetime.date, previous_week: bool) -> datetime.date:
    """Most recent weekday wd strictly before today, or that weekday in the previous week."""
    if previous_week:
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return monday + datetime.timedelta(days=wd)
    back = (today.weekday() - wd) % 7 or 7
    return today - datetime.timedelta(days=back)


def _leftover(f: str, spans: list[tuple[int, int]], cues: _Cues) -> bool:
    """True when something other than cue words and filler remains in f."""
    rest = list(f)
    for start, end in spans:
        rest[start:end] = [" "] * (end - start)
    text = _CJK_FILLER.sub(" ", "".join(rest))
    return any(w not in cues.filler for w in text.split())


def _from_cues(f: str, cues: _Cues, today: datetime.date) -> DateAnswer | None | bool:
    """Relative words and weekdays; False when no cue was found (so other parsers can try)."""
    content = [w for w in f.split() if w not in cues.filler]
    if len(content) == 1 and content[0] in cues.abbr:
        return DateAnswer(_last_weekday(cues.abbr[content[0]], today, False), False)
    rel: set[int] = set()
    weekdays: set[int] = set()
    prev_week_days: set[int] = set()
    last_week = False
    spans: list[tuple[int, int]] = []
    for m in cues.regex.finditer(f):
        kind, n = cues.meaning[m.group()]
        spans.append(m.span())
        if kind == "rel":
            rel.add(n)
        elif kind == "wd":
            weekdays.add(n)
        elif kind == "lastweek_wd":
            prev_week_days.add(n)
        else:
            last_week = True
    for m in (p.search(f) for p in cues.days_ago):
        if m:
            raw = m.group("n")
            n = int(raw) if raw.isdigit() else cues.num_words.get(raw, 0)
            if n:
                rel.add(n)
                spans.append(m.span())
    if not (rel or weekdays or prev_week_days or last_week):
        return False
    if len(rel) > 1 or len(weekdays | prev_week_days) > 1:
        return None  # "hoy o ayer", "lunes o martes": ask again
    whole = not _leftover(f, spans, cues)
    if rel:
        value = today - datetime.timedelta(days=rel.pop())
        if weekdays or prev_week_days:
            # "ayer viernes": the weekday confirms; a mismatch means we should check back.
            wd = (weekdays | prev_week_days).pop()
            return DateAnswer(value, whole and value.weekday() == wd)
        return DateAnswer(value, whole and not last_week)
    if prev_week_days:
        return DateAnswer(_last_weekday(prev_week_days.pop(), today, True), False)
    if weekdays:
        return DateAnswer(_last_weekday(weekdays.pop(), today, last_week), False)
    return DateAnswer(today - datetime.timedelta(days=7), False)


def _normalise_for_dateparser(f: str, lang: str, cues: _Cues) -> str:
    """Drop filler words ('el', 'pasado', 'dernier') and map Kreyòl months to French."""
    if lang == "ht":
        f = _HT_MONTH_RE.sub(lambda m: f"{m.group(1)} {_HT_MONTHS[m.group(2)]}", f)
    return " ".join(w for w in f.split() if w not in cues.filler or w.isdigit())


def _dateparser(text: str, lang: str, today: datetime.date) -> DateAnswer | None:
    """dateparser on text; only day-precise results (certain) or week ones (to confirm)."""
    try:
        data = _date_parser(lang, today).get_date_data(text)
    except Exception:
        return None
    if data is None or data.date_obj is None:
        return None
    if data.period not in ("day", "week", "time"):
        return None  # "November", "2025", "a": too vague to be an arrest date
    value = data.date_obj.date()
    if value > today:
        return None
    return DateAnswer(value, data.period != "week")


def parse_date(text: str, locale: str, today: datetime.date) -> DateAnswer | None:
    """A past date in the texter's language ('ayer', 'el lunes', '3/11', '3 de noviembre')."""
    if isinstance(today, datetime.datetime):
        today = today.date()
    raw = clean(text)
    if not raw or len(raw) > 120:
        return None
    lang = _lang(locale)
    cues = _CUES[lang]
    folded = " ".join(fold(raw).split())
    dotted = " ".join(_TIME.sub(" ", folded).split())
    f = " ".join(_NON_WORD.sub(" ", dotted.replace("_", " ")).split())

    numeric = _numeric_dates(dotted, locale or "en", today)
    if numeric:
        values = {a.value for a in numeric}
        if len(values) > 1:
            return None
        answer = numeric[0]
        cue = _from_cues(f, cues, today)
        if isinstance(cue, DateAnswer) and cue.value.weekday() != answer.value.weekday():
            return DateAnswer(answer.value, False)
        return answer
    if not _HAS_LETTER.search(f):
        return None  # bare numbers ("1", "15", "123456789") are not dates

    cue = _from_cues(f, cues, today)
    # Digits that are not a "N days ago" count ("lunes 23 de noviembre") name a calendar date:
    # dateparser reads it, and a weekday that disagrees only makes us confirm.
    has_date_digits = any(c.isdigit() for c in f) and not any(p.search(f) for p in cues.days_ago)
    if cue is not False and not has_date_digits:
        return cue if cue is None or cue.value <= today else None

    normalised = _normalise_for_dateparser(f, lang, cues)
    # Without the weekday too ("lendi 23 novanm" -> "23 novembre"): the date alone decides.
    no_weekday = " ".join(
        cues.regex.sub(
            lambda m: " " if cues.meaning[m.group()][0] == "wd" else m.group(), normalised
        ).split()
    )
    if _HAS_LETTER.search(normalised):
        first = raw if dotted == folded else normalised
        for candidate in dict.fromkeys((first, normalised, no_weekday)):
            answer = _dateparser(candidate, lang, today)
            if answer is not None:
                if isinstance(cue, DateAnswer) and cue.value.weekday() != answer.value.weekday():
                    return DateAnswer(answer.value, False)
                return answer
    if cue is not False:
        return cue if cue is None or cue.value <= today else None
    return None


def warm_up(locales: Sequence[str] | None = None) -> None:
    """Load dateparser's and babel's data now so the first real message is parsed fast.

    Each language's data costs about 1 MB once loaded (the parser itself about 9 MB): a
    worker warms the languages most texters use, and loads the others when first needed.
    """
    today = datetime.date.today()
    samples = {
        "en": "November 3",
        "es": "3 de noviembre",
        "pt": "3 de novembro",
        "fr": "3 novembre",
        "ht": "3 novanm",
        "zh-Hans": "2026年11月3日 星期二",
        "zh-Hant": "2026年11月3日 星期二",
        "vi": "ngày 3 tháng 11",
        "tl": "Nobyembre 3",
        "ko": "11월 3일 화요일",
        "ar": "3 نوفمبر",
    }
    for locale, sample in samples.items():
        if locales is not None and locale not in locales:
            continue
        try:
            _dateparser(sample, _lang(locale), today)
            parse_date(sample, locale, today)
            parse_date("3/11", locale, today)
        except Exception:  # pragma: no cover - warm-up must never stop the app starting
            pass
