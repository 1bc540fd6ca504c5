"""Export a locale to PO or XLIFF for Weblate, Crowdin or Poedit, and import it back.

Each message is one entry: the dotted key is the PO msgctxt (the XLIFF id and resname), the
English text the msgid (source), the translation the msgstr (target). The English file's
comments become extracted comments (`#.`, XLIFF developer notes); the locale file's own
comments become translator comments (`# `, translator notes). A stale translation (the English
changed since) is exported fuzzy, with its recorded fingerprint in a `hotline-source:` line,
so it stays stale until someone reviews it. On import, a translated entry that is not fuzzy
was made from the English text it carries, so its fingerprint is that text's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib
from lxml import etree
from translate.storage import xliff

from ..conversation.i18n import PLACEHOLDER, SOURCE, source_hash
from .source import (
    HASH,
    STALE,
    TRANSLATED,
    UNSTAMPED,
    LocaleFile,
    key_status,
    load_locale_file,
    translator_notes,
)
from .writer import Header, default_header, header_of, render_locale

FORMATS = ("po", "xliff")
CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_HASH_LINE = re.compile(r"^hotline-source:\s*(\S+)\s*$")
_HEADER_FIELDS = ("name", "native", "direction", "status", "reviewer", "reviewed")
_PO_HEADER = {f: "X-Hotline-" + f.capitalize() for f in _HEADER_FIELDS}
_LANGUAGE_NOTE = "x-hotline-language"
_SOURCE_NOTE = "x-hotline-source"


class ExchangeError(Exception):
    """A PO or XLIFF file cannot be imported; the message says why."""


@dataclass
class Entry:
    """One message as exchanged with a translation tool."""

    key: str
    source: str  # the English text
    target: str = ""  # the translation; empty when untranslated
    context: list[str] = field(default_factory=list)  # comments from the English file
    notes: list[str] = field(default_factory=list)  # the translator's own comments
    fuzzy: bool = False
    recorded: str | None = None  # the fingerprint kept for a fuzzy (not reviewed) entry
    location: str = ""


@dataclass
class Catalogue:
    """A locale ready to exchange: its header and one entry per English key."""

    header: Header
    entries: list[Entry]


@dataclass
class ImportResult:
    """What `hotline locales import` did."""

    code: str
    path: Path
    translated: int
    fuzzy: int
    skipped: list[str] = field(default_factory=list)  # keys English does not have


def valid_code(code: str) -> str:
    """A locale code safe to use as a file name (es, pt, zh-Hans...)."""
    if not CODE.fullmatch(code or ""):
        raise ExchangeError(f"'{code}' is not a language code like es, pt or zh-Hans")
    return code


# ---------------------------------------------------------------------- locale → entries
def catalogue(en: LocaleFile, own: LocaleFile | None, code: str) -> Catalogue:
    """Entries for every English key, filled from a locale file (or empty for a new language)."""
    header = header_of(own) if own else default_header(code)
    location_file = f"{en.path.parent.name}/{en.path.name}"
    entries = []
    for key, source in en.locale.messages.items():
        entry = Entry(
            key=key,
            source=source,
            context=en.context(key),
            location=f"{location_file}:{en.locale.lines[key]}",
        )
        if own is not None and own.code != SOURCE:
            status = key_status(en.locale, own.locale, key)
            if status in (TRANSLATED, STALE, UNSTAMPED):
                entry.target = own.locale.messages[key]
                entry.fuzzy = status != TRANSLATED
                entry.recorded = own.locale.sources.get(key) if status == STALE else None
            entry.notes = translator_notes(en, own, key)
        entries.append(entry)
    return Catalogue(header, entries)


# ---------------------------------------------------------------------- PO
def to_po(cat: Catalogue) -> str:
    """The catalogue as a PO file (msgctxt = key)."""
    po = polib.POFile(wrapwidth=0)
    h = cat.header
    po.header = (
        f"Hotline messages in {h.name} ({h.code}), from locales/{h.code}.yaml.\n"
        f"Bring it back with: hotline locales import FILE"
    )
    po.metadata = {
        "Project-Id-Version": "hotline",
        "Language": h.code,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        **{_PO_HEADER[f]: getattr(h, f) for f in _HEADER_FIELDS},
    }
    for e in cat.entries:
        comment = list(e.context)
        if e.recorded:
            comment.append(f"hotline-source: {e.recorded}")
        flags = ["fuzzy"] if e.fuzzy else []
        if PLACEHOLDER.search(e.source):
            flags.append("python-brace-format")  # Weblate and msgfmt check the {names}
        po.append(
            polib.POEntry(
                msgctxt=e.key,
                msgid=e.source,
                msgstr=e.target,
                comment="\n".join(comment),
                tcomment="\n".join(e.notes),
                occurrences=[tuple(e.location.rsplit(":", 1))] if e.location else [],
                flags=flags,
            )
        )
    return str(po) + "\n"


def _split_comment(text: str) -> tuple[list[str], str | None]:
    lines, recorded = [], None
    for line in (text or "").splitlines():
        match = _HASH_LINE.match(line.strip())
        if match:
            recorded = match.group(1)
        else:
            lines.append(line)
    return lines, recorded


def from_po(text: str) -> tuple[dict[str, str], list[Entry]]:
    """Header fields and entries of a PO file."""
    try:
        po = polib.pofile(text)
    except (OSError, ValueError) as exc:
        raise ExchangeError(f"not a PO file: {exc}") from exc
    header = {"code": po.metadata.get("Language", "")}
    for name, field_name in _PO_HEADER.items():
        if field_name in po.metadata:
            header[name] = po.metadata[field_name]
    entries = []
    for item in po:
        if item.obsolete or not item.msgctxt:
            continue
        context, recorded = _split_comment(item.comment)
        entries.append(
            Entry(
                key=item.msgctxt,
                source=item.msgid,
                target=item.msgstr,
                context=context,
                notes=(item.tcomment or "").splitlines(),
                fuzzy="fuzzy" in item.flags,
                recorded=recorded,
            )
        )
    return header, entries


# ---------------------------------------------------------------------- XLIFF
def to_xliff(cat: Catalogue) -> bytes:
    """The catalogue as an XLIFF file (trans-unit id and resname = key)."""
    h = cat.header
    name = f"{h.code}.yaml"
    store = xliff.xlifffile(sourcelanguage=SOURCE, targetlanguage=h.code)
    store.switchfile(name, createifmissing=True)
    for e in cat.entries:
        unit = store.addsourceunit(e.source, filename=name)
        unit.setid(e.key)
        unit.xmlelement.set("resname", e.key)
        if e.target:
            unit.settarget(e.target)
        unit.addnote("\n".join(e.context), origin="developer")
        unit.addnote("\n".join(e.notes), origin="translator")
        if e.recorded:
            unit.addnote(f"hotline-source: {e.recorded}", origin=_SOURCE_NOTE)
        if e.location:
            unit.addlocation(e.location)
        if e.target:
            unit.markfuzzy(e.fuzzy)
    file_node = store.getfilenode(name)
    header = store.getheadernode(file_node, createifmissing=True)
    file_node.remove(header)
    file_node.insert(0, header)  # XLIFF wants <header> before <body>
    note = etree.SubElement(header, store.namespaced("note"))
    note.set("from", _LANGUAGE_NOTE)
    note.text = "\n".join(f"{f}: {getattr(h, f)}" for f in _HEADER_FIELDS)
    return bytes(store)


def from_xliff(data: bytes) -> tuple[dict[str, str], list[Entry]]:
    """Header fields and entries of an XLIFF file."""
    try:
        store = xliff.xlifffile(data)
    except Exception as exc:  # lxml and translate-toolkit raise several kinds
        raise ExchangeError(f"not an XLIFF file: {exc}") from exc
    header = {"code": store.gettargetlanguage() or ""}
    for name in store.getfilenames():
        node = store.getheadernode(store.getfilenode(name))
        for note in node if node is not None else []:
            if note.get("from") == _LANGUAGE_NOTE and note.text:
                for line in note.text.splitlines():
                    key, _, value = line.partition(":")
                    if key.strip() in _HEADER_FIELDS:
                        header[key.strip()] = value.strip()
    entries = []
    for unit in store.getunits():
        if unit.isheader():
            continue
        key = unit.xmlelement.get("resname") or unit.getid().split("\x04")[-1]
        _, recorded = _split_comment(unit.getnotes(_SOURCE_NOTE))
        target = unit.target or ""
        entries.append(
            Entry(
                key=key,
                source=unit.source or "",
                target=target,
                context=unit.getnotes("developer").splitlines(),
                notes=unit.getnotes("translator").splitlines(),
                fuzzy=bool(target) and not unit.isapproved() and unit.isfuzzy(),
                recorded=recorded,
            )
        )
    return header, entries


# ---------------------------------------------------------------------- files
def export_locale(locales_dir: Path, code: str, fmt: str = "po") -> bytes:
    """A locale (or, for a language not started yet, every key empty) as PO or XLIFF bytes."""
    if fmt not in FORMATS:
        raise ExchangeError(f"format must be one of {', '.join(FORMATS)}")
    valid_code(code)
    locales_dir = Path(locales_dir)
    en = load_locale_file(locales_dir / f"{SOURCE}.yaml")
    path = locales_dir / f"{code}.yaml"
    own = load_locale_file(path) if path.exists() else None
    cat = catalogue(en, own, code)
    return to_po(cat).encode("utf-8") if fmt == "po" else to_xliff(cat)


def read_exchange_file(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Header and entries of a PO or XLIFF file, told apart by name or content."""
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    if suffix in (".xlf", ".xliff") or (suffix not in (".po", ".pot") and b"<xliff" in data[:500]):
        return from_xliff(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExchangeError("the PO file is not UTF-8 text") from exc
    return from_po(text)


def _code_for(raw: str, locales_dir: Path) -> str:
    code = (raw or "").strip().replace("_", "-")
    for path in Path(locales_dir).glob("*.yaml"):
        if path.stem.lower() == code.lower():
            return path.stem
    return code


def import_file(locales_dir: Path, path: Path, code: str | None = None) -> ImportResult:
    """Write locales/<code>.yaml from a PO or XLIFF file, merged with what the file had.

    Entries with a translation win; empty entries keep the locale's current text. Entries
    that are not fuzzy get the fingerprint of the English text they carry.
    """
    locales_dir = Path(locales_dir)
    fields, entries = read_exchange_file(path)
    code = valid_code(code or _code_for(fields.get("code", ""), locales_dir))
    if code == SOURCE:
        raise ExchangeError("this file is English: translations are imported, not the source")
    en = load_locale_file(locales_dir / f"{SOURCE}.yaml")
    target = locales_dir / f"{code}.yaml"
    own = load_locale_file(target) if target.exists() else None
    header = header_of(own) if own else default_header(code)
    for name in _HEADER_FIELDS:
        if fields.get(name) is not None:
            setattr(header, name, fields[name])
    header.code = code
    if header.direction not in ("ltr", "rtl") or header.status not in ("draft", "reviewed"):
        raise ExchangeError(
            f"the file says direction {header.direction!r} and status {header.status!r}: "
            "direction must be ltr or rtl, status draft or reviewed"
        )
    messages = dict(own.locale.messages) if own else {}
    sources = dict(own.locale.sources) if own else {}
    notes = {k: translator_notes(en, own, k) for k in en.locale.messages} if own else {}
    result = ImportResult(code=code, path=target, translated=0, fuzzy=0)
    for entry in entries:
        if entry.key not in en.locale.messages:
            result.skipped.append(entry.key)
            continue
        if entry.notes:
            notes[entry.key] = entry.notes
        if not entry.target:
            continue
        messages[entry.key] = entry.target
        sources.pop(entry.key, None)
        if not entry.fuzzy:
            sources[entry.key] = source_hash(entry.source)
            result.translated += 1
        else:
            result.fuzzy += 1
            if entry.recorded and HASH.fullmatch(entry.recorded):
                sources[entry.key] = entry.recorded
    sources = {k: v for k, v in sources.items() if k in en.locale.messages}
    text = render_locale(header, en, messages, sources, notes)
    target.write_text(text, encoding="utf-8")
    return result
