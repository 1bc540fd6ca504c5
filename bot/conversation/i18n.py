"""Locales: every word a texter sees, loaded from locales/<code>.yaml, with English fallback."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .yamlfile import ContentError, LineDict, load_yaml

SOURCE = "en"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
HEADER_FIELDS = ("code", "name", "native", "direction", "status")


def source_hash(text: str) -> str:
    """Short fingerprint of an English text, kept beside a translation to spot stale ones."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class Locale:
    """One locale file: its header and its messages by dotted key."""

    code: str
    name: str
    native: str
    direction: str
    status: str
    path: Path
    messages: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    reviewer: str = ""
    reviewed: str = ""


def _flatten(node: LineDict, path: Path, prefix: str, locale: Locale) -> None:
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        line = node.line_of(key)
        if isinstance(value, dict):
            _flatten(value, path, dotted + ".", locale)
        elif isinstance(value, str):
            locale.messages[dotted] = value
            locale.lines[dotted] = line
        elif value is None:
            locale.messages[dotted] = ""
            locale.lines[dotted] = line
        elif isinstance(value, int | float):
            locale.messages[dotted] = str(value)
            locale.lines[dotted] = line
        else:
            raise ContentError(path, line, f"'{dotted}' must be text (put it in quotes)")


def load_locale(path: Path) -> Locale:
    """Read one locale file; a malformed file raises ContentError with its line."""
    data = load_yaml(path)
    if not isinstance(data, LineDict):
        raise ContentError(path, 1, "a locale file must start with 'language:' and 'messages:'")
    header = data.get("language")
    if not isinstance(header, LineDict):
        raise ContentError(path, data.line_of("language"), "missing the 'language:' header")
    for name in HEADER_FIELDS:
        if not isinstance(header.get(name), str) or not header.get(name):
            raise ContentError(path, header.line_of(name), f"the header needs 'language.{name}'")
    if header["code"] != path.stem:
        raise ContentError(
            path, header.line_of("code"), f"code '{header['code']}' must match the file name"
        )
    if header["direction"] not in ("ltr", "rtl"):
        raise ContentError(path, header.line_of("direction"), "direction must be ltr or rtl")
    if header["status"] not in ("draft", "reviewed"):
        raise ContentError(path, header.line_of("status"), "status must be draft or reviewed")
    messages = data.get("messages")
    if not isinstance(messages, LineDict):
        raise ContentError(path, data.line_of("messages"), "missing the 'messages:' section")
    locale = Locale(
        code=header["code"],
        name=header["name"],
        native=header["native"],
        direction=header["direction"],
        status=header["status"],
        path=path,
        reviewer=str(header.get("reviewer") or ""),
        reviewed=str(header.get("reviewed") or ""),
    )
    _flatten(messages, path, "", locale)
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        raise ContentError(path, data.line_of("sources"), "'sources' must map keys to hashes")
    locale.sources = {str(k): str(v) for k, v in sources.items()}
    return locale


def render_template(template: str, params: Mapping[str, object]) -> str:
    """Fill {named} placeholders; an unknown placeholder stays as written."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    return PLACEHOLDER.sub(fill, template)


class Catalog:
    """All locales, English first; renders a key in a locale with English fallback."""

    def __init__(self, locales: Mapping[str, Locale]):
        if SOURCE not in locales:
            raise ContentError("locales/", None, "the English file locales/en.yaml is missing")
        self.locales: dict[str, Locale] = dict(locales)

    @property
    def codes(self) -> list[str]:
        return list(self.locales)

    def has(self, key: str) -> bool:
        return key in self.locales[SOURCE].messages

    def text(self, key: str, locale: str | None) -> str:
        """The raw template for a key: the locale's own if translated, else English."""
        own = self.locales.get(locale or SOURCE)
        if own is not None and own.messages.get(key):
            return own.messages[key]
        try:
            return self.locales[SOURCE].messages[key]
        except KeyError:
            raise KeyError(f"no message '{key}' in locales/en.yaml") from None

    def render(self, key: str, locale: str | None, params: Mapping[str, object] = {}) -> str:
        return render_template(self.text(key, locale), params)

    def words(self, key: str, locales: Iterable[str | None]) -> list[str]:
        """Comma-separated words under a key, for each locale given (English always included)."""
        return list(self._words(key, tuple(locales)))

    @lru_cache(maxsize=4096)  # noqa: B019 (a catalog lives as long as the process)
    def _words(self, key: str, locales: tuple[str | None, ...]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for code in [*locales, SOURCE]:
            own = self.locales.get(code or SOURCE)
            raw = own.messages.get(key, "") if own else ""
            for word in raw.split(","):
                if word.strip():
                    seen.setdefault(word.strip(), None)
        return tuple(seen)

    def direction(self, locale: str | None) -> str:
        return self.locales.get(locale or SOURCE, self.locales[SOURCE]).direction


def load_catalog(directory: Path) -> Catalog:
    """Load every locales/*.yaml; English first, then the others by file name."""
    paths = sorted(Path(directory).glob("*.yaml"), key=lambda p: (p.stem != SOURCE, p.stem))
    if not paths:
        raise ContentError(directory, None, "no locale files (*.yaml) in this folder")
    return Catalog({path.stem: load_locale(path) for path in paths})
