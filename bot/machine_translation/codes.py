"""The hotline's locale codes and the codes LibreTranslate uses for the same languages.

LibreTranslate's codes changed over its releases (Chinese was "zh" and "zt" before "zh-Hans"
and "zh-Hant"); each hotline locale lists what a server may call it, best first, and the first
one the server actually offers is used.
"""

from __future__ import annotations

from collections.abc import Iterable

CANDIDATES: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("zh-Hans", "zh"),
    "zh-Hant": ("zh-Hant", "zt"),
    "tl": ("tl", "fil"),
    "pt": ("pt", "pt-BR"),
    "ht": ("ht",),
}


def candidates(locale: str) -> tuple[str, ...]:
    """What a server may call a hotline locale: its own table entry, else the code itself,
    then its language without the region ("pt-BR" → "pt")."""
    if locale in CANDIDATES:
        return CANDIDATES[locale]
    base = locale.split("-")[0]
    return (locale,) if base == locale else (locale, base)


def server_code(locale: str, offered: Iterable[str]) -> str | None:
    """The server's code for a hotline locale, or None when the server does not offer it."""
    offered = set(offered)
    return next((code for code in candidates(locale) if code in offered), None)

