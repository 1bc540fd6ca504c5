"""Write locale files people can read: nested keys, quoted text, comments, a sources section."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..conversation.i18n import SOURCE, source_hash
from ..conversation.yamlfile import LineDict, load_yaml_text
from .source import LocaleFile, display_path, load_locale_file

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Words YAML readers may take for booleans or null: always quoted as keys.
_RESERVED = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_SOURCES_COMMENT = (
    "# The English text each translation was made from, as a fingerprint, so that\n"
    "# `hotline locales check` can tell when the English has changed since. Not sent.\n"
    "# `hotline locales stamp CODE KEY` records it after you translate or review a key.\n"
)


class WriterError(ValueError):
    """A locale file cannot be written as asked; the message says why."""


@dataclass
class Header:
    """The `language:` header of a locale file."""

    code: str
    name: str
    native: str
    direction: str = "ltr"
    status: str = "draft"
    reviewer: str = ""
    reviewed: str = ""

    def as_dict(self) -> dict[str, str]:
        return dict(vars(self))


def quote(text: str) -> str:
    """A YAML double-quoted scalar that keeps letters of every script readable."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            # Invisible or line-breaking characters would be lost or folded by YAML.
            code = ord(ch)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def yaml_key(key: str) -> str:
    """A mapping key, quoted only when YAML could misread it."""
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED:
        return key
    return quote(key)


def _comments(lines: list[str], indent: str) -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in lines]


def header_comment(header: Header) -> str:
    """The help at the top of a translated locale file."""
    return (
        f"# {header.native} ({header.name}): the hotline's messages, translated from "
        "locales/en.yaml.\n"
        "#\n"
        "# How to edit: change only the text in quotes. Keep every {placeholder} as it is.\n"
        "# Lines starting with # explain a message; they are not sent. See TRANSLATING.md.\n"
        "# After editing, run: hotline locales check\n"
    )


def render_sources(sources: Mapping[str, str], order: list[str]) -> str:
    """The sources: section, keys in the English order."""
    keys = [k for k in order if k in sources] + sorted(set(sources) - set(order))
    if not keys:
        return "sources: {}\n"
    body = "".join(f"  {yaml_key(k)}: {quote(sources[k])}\n" for k in keys)
    return "sources:\n" + body


def render_locale(
    header: Header,
    english: LocaleFile,
    messages: Mapping[str, str],
    sources: Mapping[str, str],
    notes: Mapping[str, list[str]] | None = None,
) -> str:
    """A locale file with every English key, in the English order and groups, with comments.

    Keys absent from `messages` get the English text; English context comments are copied
    above each key, followed by the translator's own notes.
    """
    notes = notes or {}
    out = [header_comment(header), "language:\n"]
    for name, value in header.as_dict().items():
        shown = value if name in ("code", "direction", "status") else quote(value)
        out.append(f"  {name}: {shown}\n")
    out.append("\nmessages:\n")
    root = english.data["messages"]

    def write(node: LineDict, prefix: str, depth: int) -> None:
        indent = "  " * depth
        for index, (key, value) in enumerate(node.items()):
            dotted = f"{prefix}{key}"
            if depth == 1 and index:
                out.append("\n")
            out.extend(line + "\n" for line in _comments(english.comments.get(dotted, []), indent))
            if isinstance(value, LineDict):
                out.append(f"{indent}{yaml_key(key)}:\n")
                write(value, dotted + ".", depth + 1)
                continue
            out.extend(line + "\n" for line in _comments(notes.get(dotted, []), indent))
            text = messages.get(dotted, english.locale.messages[dotted])
            out.append(f"{indent}{yaml_key(key)}: {quote(text)}\n")

    write(root, "", 1)
    out.append("\n" + _SOURCES_COMMENT)
    out.append(render_sources(sources, list(english.locale.messages)))
    text = "".join(out)
    _verify(text, header, english, messages, sources)
    return text


def _verify(
    text: str,
    header: Header,
    english: LocaleFile,
    messages: Mapping[str, str],
    sources: Mapping[str, str],
) -> None:
    """Read the written text back: a writer bug must never corrupt a translation."""
    data = load_yaml_text(text, f"<{header.code}.yaml>")
    written = {k: str(v) for k, v in data["language"].items()}
    if written != header.as_dict():
        raise RuntimeError(f"locale writer changed the header of {header.code}")
    flat: dict[str, str] = {}

    def flatten(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                flatten(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    flatten(data["messages"], "")
    expected = {k: messages.get(k, v) for k, v in english.locale.messages.items()}
    if flat != expected or dict(data.get("sources") or {}) != dict(sources):
        raise RuntimeError(f"locale writer changed the messages of {header.code}")


def default_header(code: str) -> Header:
    """Name, native name and direction of a language, from the Unicode CLDR (babel)."""
    from babel import Locale as BabelLocale
    from babel import UnknownLocaleError

    try:
        parsed = BabelLocale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return Header(code=code, name=code, native=code)
    # babel maps some codes to a country ("tl" → Filipino (Philippines)): name the language.
    language = BabelLocale(parsed.language, script=parsed.script)
    native = language.get_display_name(language) or code
    return Header(
        code=code,
        name=language.get_display_name("en") or code,
        native=native[:1].upper() + native[1:],
        direction="rtl" if parsed.character_order == "right-to-left" else "ltr",
    )


def header_of(own: LocaleFile) -> Header:
    """The header of an existing locale file."""
    loc = own.locale
    return Header(
        code=loc.code,
        name=loc.name,
        native=loc.native,
        direction=loc.direction,
        status=loc.status,
        reviewer=loc.reviewer,
        reviewed=loc.reviewed,
    )


def scaffold(english: LocaleFile, header: Header) -> str:
    """A new locale file: every key with its English text, none marked translated."""
    return render_locale(header, english, dict(english.locale.messages), {})


def stamped_sources(english: LocaleFile, own: LocaleFile, keys: list[str]) -> dict[str, str]:
    """The locale's sources with the given keys recorded as translated from today's English."""
    sources = dict(own.locale.sources)
    for key in keys:
        if key not in english.locale.messages:
            raise KeyError(key)
        sources[key] = source_hash(english.locale.messages[key])
    return sources


_SOURCES_LINE = re.compile(r"^sources\s*:")


def replace_sources(text: str, sources: Mapping[str, str], order: list[str]) -> str:
    """A locale file's text with only its sources: section rewritten (everything else kept)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _SOURCES_LINE.match(line)), None)
    section = render_sources(sources, order)
    if start is None:
        tail = "" if text.endswith("\n") or not text else "\n"
        return text + tail + "\n" + _SOURCES_COMMENT + section
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    # Keep blank lines and comments that follow the section and belong to what comes next.
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    # Keep the comments that open the section (what the hashes are, for the next reader).
    opening = start + 1
    while opening < end and lines[opening].lstrip().startswith("#"):
        opening += 1
    if opening > start + 1 and section.startswith("sources:\n"):
        section = "sources:\n" + "".join(lines[start + 1 : opening]) + section[len("sources:\n"):]
    return "".join(lines[:start]) + section + "".join(lines[end:])


def stamp(english: LocaleFile, path: Path, keys: list[str]) -> list[str]:
    """Record that the given keys (or all changed, unhashed ones) now follow today's English.

    Returns the keys stamped. Without keys: every key whose text differs from English and
    has no fingerprint yet.
    """
    own = load_locale_file(path)
    if own.code == SOURCE:
        raise ValueError("the English file has no sources: it is the source")
    if not keys:
        keys = [
            k
            for k, text in own.locale.messages.items()
            if k in english.locale.messages
            and k not in own.locale.sources
            and text.strip()
            and text != english.locale.messages[k]
        ]
    sources = stamped_sources(english, own, keys)
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_sources(text, sources, list(english.locale.messages)), "utf-8")
    return keys


def new_locale(
    locales_dir: Path,
    code: str,
    *,
    name: str | None = None,
    native: str | None = None,
    direction: str | None = None,
) -> tuple[Path, int]:
    """Start locales/CODE.yaml with every key in English, none marked translated.

    Returns the file and how many keys it holds. Never overwrites a translator's work.
    """
    path = Path(locales_dir) / f"{code}.yaml"
    if path.exists():
        raise WriterError(f"{path} already exists: edit it, or delete it first")
    header = default_header(code)
    header.name = name or header.name
    header.native = native or header.native
    header.direction = direction or header.direction
    english = load_locale_file(Path(locales_dir) / f"{SOURCE}.yaml")
    path.write_text(scaffold(english, header), encoding="utf-8")
    return path, len(english.locale.messages)


def stamp_locale(locales_dir: Path, code: str, keys: list[str]) -> tuple[Path, list[str]]:
    """Stamp keys of locales/CODE.yaml (see stamp); returns the file and the keys stamped."""
    path = Path(locales_dir) / f"{code}.yaml"
    if not path.exists():
        raise WriterError(f"no locale file {display_path(path)}")
    english = load_locale_file(Path(locales_dir) / f"{SOURCE}.yaml")
    unknown = [k for k in keys if k not in english.locale.messages]
    if unknown:
        raise WriterError(f"not keys of the English file: {', '.join(unknown)}")
    return path, stamp(english, path, keys)
