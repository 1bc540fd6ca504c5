"""A locale file as translators' tools see it: messages, comments, source hashes, key status."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..conversation.i18n import SOURCE, Locale, load_locale, source_hash
from ..conversation.yamlfile import ContentError, LineDict, load_yaml

HASH = re.compile(r"[0-9a-f]{8}")

# How a key of a locale stands against the English text.
SOURCE_TEXT = "source"  # the English file itself
TRANSLATED = "translated"  # translated from the current English text
STALE = "stale"  # translated from an older English text
UNSTAMPED = "unstamped"  # differs from English, but no source hash says from which text
UNTRANSLATED = "untranslated"  # still the English text, or empty
MISSING = "missing"  # not in the file: the hotline sends the English text


@dataclass
class LocaleFile:
    """One locale file: the loaded Locale plus what tools need (comments, raw sources, lines)."""

    locale: Locale
    data: LineDict
    text_lines: list[str]
    # Comment block written directly above each key, by dotted key (groups included).
    comments: dict[str, list[str]] = field(default_factory=dict)
    # Line of every key, groups included ("intake" as well as "intake.name.ask").
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.locale.code

    @property
    def path(self) -> Path:
        return self.locale.path

    def sources_line(self, key: str) -> int:
        """The line of a key in the sources: section (or of the section itself)."""
        sources = self.data.get("sources")
        if isinstance(sources, LineDict):
            return sources.line_of(key)
        return self.data.line_of("sources")

    def raw_sources(self) -> dict[str, object]:
        """The sources: section as written (a hash may have been read as a number)."""
        sources = self.data.get("sources")
        return dict(sources) if isinstance(sources, dict) else {}

    def nearest_line(self, key: str) -> int:
        """The line of a key, or of its closest group present in the file, or of 'messages:'."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            line = self.key_lines.get(".".join(parts[:end]))
            if line:
                return line
        return self.data.line_of("messages")

    def context(self, key: str) -> list[str]:
        """Comment lines that explain a key: those above its groups, then its own."""
        parts = key.split(".")
        lines: list[str] = []
        for end in range(1, len(parts) + 1):
            lines += self.comments.get(".".join(parts[:end]), [])
        return lines


def display_path(path: Path | str) -> str:
    """A path as a person would type it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _comment_above(text_lines: list[str], line: int) -> list[str]:
    """The run of comment lines directly above a 1-based line, without the '#'."""
    block: list[str] = []
    index = line - 2
    while index >= 0:
        stripped = text_lines[index].strip()
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        block.append(body[1:] if body.startswith(" ") else body)
        index -= 1
    return list(reversed(block))


def _walk(node: LineDict, prefix: str = "") -> Iterator[tuple[str, int, object]]:
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        yield dotted, node.line_of(key), value
        if isinstance(value, LineDict):
            yield from _walk(value, dotted + ".")


# Files already read, by path: the preview reads every file on every request, and most
# have not changed since the last one.
_CACHE: dict[Path, tuple[tuple[int, int], LocaleFile]] = {}


def load_locale_file(path: Path) -> LocaleFile:
    """Read a locale file with its comments; a malformed file raises ContentError (file:line)."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ContentError(path, None, f"cannot read the file ({exc.strerror})") from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    result = _read_locale_file(path)
    _CACHE[path] = (stamp, result)
    return result


def _read_locale_file(path: Path) -> LocaleFile:
    locale = load_locale(path)
    data = load_yaml(path)
    text_lines = path.read_text(encoding="utf-8").splitlines()
    result = LocaleFile(locale=locale, data=data, text_lines=text_lines)
    messages = data.get("messages")
    if isinstance(messages, LineDict):
        for dotted, line, _value in _walk(messages):
            result.key_lines[dotted] = line
            block = _comment_above(text_lines, line)
            if block:
                result.comments[dotted] = block
    return result


def locale_paths(directory: Path) -> list[Path]:
    """Every locale file of a folder, English first, then by code."""
    paths = Path(directory).glob("*.yaml")
    return sorted(paths, key=lambda p: (p.stem != SOURCE, p.stem))


def key_status(english: Locale, locale: Locale, key: str) -> str:
    """Whether a locale's text for an English key is translated, stale, untranslated or missing."""
    if locale.code == SOURCE:
        return SOURCE_TEXT
    if key not in locale.messages:
        return MISSING
    text = locale.messages[key]
    recorded = locale.sources.get(key)
    if not text.strip():
        return UNTRANSLATED
    if recorded:
        return TRANSLATED if recorded == source_hash(english.messages[key]) else STALE
    return UNSTAMPED if text != english.messages[key] else UNTRANSLATED


def translator_notes(english: LocaleFile, own: LocaleFile, key: str) -> list[str]:
    """A locale's own comment above a key, without the English context copied into it."""
    notes = list(own.comments.get(key, []))
    context = english.comments.get(key, [])
    if context and notes[: len(context)] == context:
        notes = notes[len(context) :]
    return notes


__all__ = [
    "ContentError",
    "HASH",
    "LocaleFile",
    "MISSING",
    "SOURCE_TEXT",
    "STALE",
    "TRANSLATED",
    "UNSTAMPED",
    "UNTRANSLATED",
    "display_path",
    "key_status",
    "load_locale_file",
    "locale_paths",
    "translator_notes",
]
