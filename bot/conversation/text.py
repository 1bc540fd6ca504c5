"""Typed text made comparable: cleaning bodies, folding case and accents, digits, scripts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_REPLACEMENT_CHAR = "\ufffd"
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
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


def ascii_digits(s: str) -> str:
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
    s = ascii_digits(s)
    start, end = 0, len(s)
    while start < end and _is_edge_junk(s[start]):
        start += 1
    while end > start and _is_edge_junk(s[end - 1]):
        end -= 1
    return " ".join(s[start:end].split())


_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff"
                  "\U00020000-\U0003ffff]")


@lru_cache(maxsize=8192)
def has_cjk(s: str) -> bool:
    """True when s contains ideographs, kana or Hangul (scripts written without spaces)."""
    return _CJK.search(s) is not None
