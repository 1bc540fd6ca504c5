"""Choices, keywords and yes/no: what people type, matched forgivingly against the options."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple, TypeVar

from .text import clean, fold, has_cjk

_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    """Folded text with internal punctuation/emoji collapsed: words joined by single spaces."""
    return " ".join(_WORD.findall(fold(text).replace("_", " ")))


@lru_cache(maxsize=4096)
def _norm_phrase(phrase: str) -> str:
    """_norm for the fixed phrases flows define (cached: they repeat on every message)."""
    return _norm(phrase)


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


def _contains(words: list[str], joined: str, phrase: str) -> bool:
    """Whole-word (token run) containment; plain substring for CJK/Hangul phrases."""
    if has_cjk(phrase):
        return phrase in joined.replace(" ", "")
    ptoks = phrase.split()
    n = len(ptoks)
    return any(words[i : i + n] == ptoks for i in range(len(words) - n + 1))


def _contains_typo(words: list[str], phrase: str) -> bool:
    """Containment allowing typos (phrases of 6+ letters only) in a same-length word window."""
    if len(phrase) < 6 or has_cjk(phrase):
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


# What a person types most is short and repeats ("1", "menu", "hola", "si"): the answer for
# such a text is remembered. Longer texts (sentences that may name someone) and texts with
# three digits or more (a phone number, an A-number, a date) are never kept.
CACHED_TEXT = 20  # characters
CACHED_DIGITS = 2
_CACHE_SIZE = 4096


def _kept(text: str) -> bool:
    """Whether the answer for this text may be remembered between messages."""
    return len(text) <= CACHED_TEXT and sum(c.isdigit() for c in text) <= CACHED_DIGITS


_Frozen = tuple[tuple[str, tuple[str, ...]], ...]  # (choice id, phrases) pairs
_Key = TypeVar("_Key", bound=tuple)  # type: ignore[type-arg]


@lru_cache(maxsize=1024)
def _one_copy(key: _Key) -> _Key:
    """The first copy of equal options or keywords: the remembered answers share it instead
    of keeping a copy each."""
    return key


def _freeze(options: Mapping[str, Sequence[str]]) -> _Frozen:
    """Options as a hashable key: the same options come back on every message of a question."""
    return _one_copy(tuple(
        (cid, (phrases,) if isinstance(phrases, str) else tuple(phrases))
        for cid, phrases in options.items()
    ))


class _Prepared(NamedTuple):
    numbers: dict[str, set[str]]  # canonical int strings -> choice ids
    words: list[tuple[str, str]]  # (choice id, folded phrase)
    exact: dict[str, set[str]]  # folded phrase -> choice ids


@lru_cache(maxsize=1024)
def _prepare_frozen(options: _Frozen) -> _Prepared:
    """Split option phrases into numbers (canonical int strings) and folded word phrases."""
    numbers: dict[str, set[str]] = {}
    words: list[tuple[str, str]] = []
    exact: dict[str, set[str]] = {}
    for choice_id, phrases in options:
        for phrase in phrases:
            p = _norm_phrase(phrase)
            if not p:
                continue
            if p.isdigit():
                numbers.setdefault(str(int(p)), set()).add(choice_id)
            else:
                words.append((choice_id, p))
                exact.setdefault(p, set()).add(choice_id)
    return _Prepared(numbers, words, exact)


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
    frozen = _freeze(options)
    if _kept(text):
        return _match_choice_cached(text, frozen, typos_inside)
    return _match_choice(text, frozen, typos_inside)


@lru_cache(maxsize=_CACHE_SIZE)
def _match_choice_cached(text: str, options: _Frozen, typos_inside: bool) -> str | None:
    return _match_choice(text, options, typos_inside)


def _match_choice(text: str, options: _Frozen, typos_inside: bool) -> str | None:
    norm = _norm(text)
    if not norm:
        return None
    numbers, words, phrases = _prepare_frozen(options)
    tokens = norm.split()

    # 1. The whole message is one of the phrases (or numbers).
    exact = set(phrases.get(norm, ()))
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
    # (Lengths two apart are beyond any typo budget: skipped before the call, the common case.)
    size = len(norm)
    fuzzy = {cid for cid, p in words if abs(len(p) - size) <= 2 and _close(norm, p)}
    if fuzzy:
        return _only(fuzzy)

    # 4. An option's word/phrase appears as a whole word in a longer message.
    contained = {cid for cid, p in words if _contains(tokens, norm, p)}
    if contained:
        return _only(contained)

    # 5. Same, allowing a typo in the contained word.
    if not typos_inside:
        return None
    return _only({cid for cid, p in words if len(p) >= 6 and _contains_typo(tokens, p)})


def first_mentioned(
    text: str, ordered: Sequence[tuple[str, Sequence[str]]], *, typos: bool = True
) -> str | None:
    """The first id, in the order given, whose words appear in a sentence.

    For free text ("ICE took my husband, where is he?"), where several options' words may
    appear at once and the order says which need comes first. Whole words are looked for
    first, in every option; a misspelt word (typos=True) only when none was found.
    """
    norm = _norm(text)
    if not norm:
        return None
    tokens = norm.split()
    compact = norm.replace(" ", "")
    runs = {n: {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)} for n in (1, 2, 3)}
    for choice_id, phrases in ordered:
        for phrase, cjk, size in _folded_phrases(tuple(phrases)):
            if cjk:
                found = phrase in compact
            elif size in runs:
                found = phrase in runs[size]
            else:
                found = _contains(tokens, norm, phrase)
            if found:
                return choice_id
    if typos:
        for choice_id, phrases in ordered:
            if any(_contains_typo(tokens, p) for p, _, _ in _folded_phrases(tuple(phrases))):
                return choice_id
    return None


@lru_cache(maxsize=1024)
def _folded_phrases(phrases: tuple[str, ...]) -> tuple[tuple[str, bool, int], ...]:
    """Each phrase folded, with whether it is written without spaces (CJK) and its words."""
    folded = (p for p in map(_norm_phrase, phrases) if p and not p.isdigit())
    return tuple((p, has_cjk(p), p.count(" ") + 1) for p in folded)


def match_keyword(text: str, words: Sequence[str]) -> bool:
    """True only when the whole message (folded) is one of words; typos allowed on 5+ letters."""
    frozen = _one_copy((words,) if isinstance(words, str) else tuple(words))
    if _kept(text):
        return _match_keyword_cached(text, frozen)
    return _match_keyword(text, frozen)


@lru_cache(maxsize=_CACHE_SIZE)
def _match_keyword_cached(text: str, words: tuple[str, ...]) -> bool:
    return _match_keyword(text, words)


def _match_keyword(text: str, words: tuple[str, ...]) -> bool:
    norm = _norm(text)
    if not norm:
        return False
    exact, fuzzy = _keyword_set(words)
    size = len(norm)
    return norm in exact or any(
        abs(len(w) - size) <= 2 and _close(norm, w, min_len=5) for w in fuzzy
    )


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
    prepared = _prepare_frozen(_freeze(options))
    words = prepared.words
    exact = set(prepared.exact.get(norm, ()))
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
