"""Guess the language of a first message, and say how sure the guess is."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from .text import clean, fold

# lingua's names for the hotline's languages; Haitian Creole is not among them.
LINGUA = {
    "ENGLISH": "en", "SPANISH": "es", "PORTUGUESE": "pt", "FRENCH": "fr", "CHINESE": "zh",
    "VIETNAMESE": "vi", "TAGALOG": "tl", "KOREAN": "ko", "ARABIC": "ar",
}
# lingua reads Kreyòl as French, so Kreyòl is recognised by its own everyday words.
KREYOL_CUES = {
    "bonjou", "bonswa", "mwen", "ou", "li", "nou", "yo", "pa", "konnen", "kijan", "kisa",
    "mesi", "tanpri", "fanmi", "arete", "manman", "papa", "pitit", "sak", "pase", "gen",
    "ede", "bezwen", "kreyol", "kreyòl", "ayisyen", "koman", "kouman", "wi", "non",
}
# Greetings alone are too short for statistics; these name a language without being sure
# of it (offered first, never assumed). Keys are folded: lower case, no accents.
GREETINGS = {
    "hola": "es", "buenas": "es", "buenos dias": "es", "buenas tardes": "es",
    "buenas noches": "es", "ayuda": "es", "hello": "en", "hi": "en", "hey": "en",
    "help": "en", "good morning": "en", "ola": "pt", "oi": "pt", "bom dia": "pt",
    "boa tarde": "pt", "ajuda": "pt", "bonjour": "fr", "salut": "fr", "bonsoir": "fr",
    "bonjou": "ht", "bonswa": "ht", "alo": "ht", "xin chao": "vi", "chao": "vi",
    "kumusta": "tl", "magandang umaga": "tl", "magandang hapon": "tl", "tulong": "tl",
}
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
# One word is too little for lingua ("hello" and "hola" read as French, "yes" as Tagalog):
# a lone word names a language only when it is a greeting or a plea that belongs to one.
ONE_WORD = {
    "en": {"hello", "hi", "hey", "hiya", "help", "thanks"},
    "es": {"hola", "buenas", "buenos", "ayuda", "auxilio", "gracias", "saludos"},
    "pt": {"oi", "ajuda", "socorro", "obrigado", "obrigada"},
    "fr": {"bonjour", "bonsoir", "salut", "allo", "aide", "merci"},
    "tl": {"kumusta", "kamusta", "musta", "tulong", "salamat"},
}
# Case references (K7F-3QX, MAP-TYC) and anything with a digit: codes, not words.
_CODE = re.compile(r"\S*\d\S*|[A-Z]{3}-[A-Z]{3}[.!?]?")
MIN_CONFIDENCE = 0.5
MIN_WORDS = 3
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector():
    # Low-accuracy mode, built on first use: about 13 MB instead of 240 MB per process,
    # and still right on whole sentences.
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LINGUA]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def _script(text: str) -> str | None:
    """Scripts that name one language among ours, whatever lingua thinks."""
    if re.search(r"[\uac00-\ud7af\u1100-\u11ff]", text):
        return "ko"
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    return None


def _chinese_variant(text: str) -> str:
    """Traditional characters that differ from their simplified forms."""
    traditional = set("們這來個說對時會為國過還麼樣愛離開請問謝據點護")
    simplified = set("们这来个说对时会为国过还么样爱离开请问谢据点护")
    trad = sum(ch in traditional for ch in text)
    simp = sum(ch in simplified for ch in text)
    return "zh-Hant" if trad > simp else "zh-Hans"


def detect(text: str, known: frozenset[str] | None = None) -> tuple[str | None, bool]:
    """(locale code, confident): confident only when a whole sentence clearly reads as one."""
    text = clean(text)
    if not text:
        return None, False
    code = _script(text)
    if code:
        return code, True
    greeting = GREETINGS.get(" ".join(fold(text).split()))
    if greeting:
        return greeting, False
    # Tokens with digits (case numbers like "K7F-3QX", dates, phone numbers) say nothing
    # about the language; lingua reads them as French.
    text = " ".join(t for t in text.split() if not _CODE.fullmatch(t)) or text
    words = set(re.findall(r"[^\W\d_]{2,}", text.casefold()))
    if words and len(words & KREYOL_CUES) >= max(1, len(words) // 2):
        return "ht", len(words) >= 2 or bool(words & {"bonjou", "mwen", "mesi"})
    if len(words) == 1 and not re.search(r"[\u2e80-\u9fff\uf900-\ufaff]", text):
        word = fold(next(iter(words)))
        found = [code for code, cues in ONE_WORD.items() if word in cues]
        return (found[0], False) if found else (None, False)
    with _lock:
        values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, False
    best = values[0]
    if best.value < 0.25:
        return None, False
    code = LINGUA[best.language.name]
    if code == "zh":
        return _chinese_variant(text), True
    if code == "vi" and not VIETNAMESE_MARKS.search(text.casefold()):
        return None, False  # lingua reads short English ("hello world") as Vietnamese
    # A few words are too little to be sure of: offer the guess, but never assume it.
    confident = best.value >= MIN_CONFIDENCE and len(words) >= MIN_WORDS
    return code, confident
