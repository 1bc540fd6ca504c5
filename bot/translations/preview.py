"""What the translators' preview shows for each key: the text, its cost, its file and line."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..conversation.flows import Flow
from ..conversation.i18n import PLACEHOLDER, SOURCE, Catalog, render_template
from .check import Issue, MessageInfo, Report, message_info
from .source import MISSING, SOURCE_TEXT, display_path, key_status, translator_notes
from .stats import DEFAULT_HOTLINE_NAME, sample_params

# Word lists the engine reads directly (the flow names the others as choice `words`).
ENGINE_WORD_LISTS = ("language.words", "review.send", "review.edit")


@dataclass
class PreviewItem:
    """One key as the preview shows it."""

    key: str
    group: str
    text: str  # the text the hotline uses for this locale (English when missing)
    english: str
    file: str
    line: int | None
    status: str
    words: bool  # a word list the texter types, not a message the hotline sends
    info: MessageInfo
    example: str | None = None  # the text with example values, when it has placeholders
    example_info: MessageInfo | None = None
    context: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def pieces(self) -> list[tuple[bool, str]]:
        """The text split into (is_placeholder, text) pieces, to highlight {placeholders}."""
        pieces: list[tuple[bool, str]] = []
        last = 0
        for match in PLACEHOLDER.finditer(self.text):
            if match.start() > last:
                pieces.append((False, self.text[last : match.start()]))
            pieces.append((True, match.group(0)))
            last = match.end()
        if last < len(self.text):
            pieces.append((False, self.text[last:]))
        return pieces

    @property
    def word_list(self) -> list[str]:
        return [w.strip() for w in self.text.split(",") if w.strip()]


def word_list_keys(flow: Flow | None, keys: list[str]) -> set[str]:
    """Keys that hold comma-separated words a texter may type."""
    found = {k for k in keys if k.startswith("keywords.") or k in ENGINE_WORD_LISTS}
    if flow is not None:
        found |= {c.words for s in flow.states.values() for c in s.choices if c.words}
    return found


def locale_preview(
    report: Report, code: str, hotline_name: str = DEFAULT_HOTLINE_NAME
) -> list[PreviewItem]:
    """Every English key as a texter in this language would get it, with its cost and origin."""
    en, own = report.english, report.files[code]
    assert en is not None
    catalog = Catalog({c: f.locale for c, f in report.files.items()})
    params = sample_params(catalog, report.flow, code, hotline_name)
    words = word_list_keys(report.flow, list(en.locale.messages))
    issues: dict[str | None, list[Issue]] = {}
    for issue in report.issues(code):
        issues.setdefault(issue.key, []).append(issue)
    items = []
    for key, english in en.locale.messages.items():
        status = key_status(en.locale, own.locale, key)
        source = en if status == MISSING else own
        text = catalog.text(key, code)
        line = source.locale.lines.get(key)
        item = PreviewItem(
            key=key,
            group=key.split(".")[0],
            text=text,
            english=english,
            file=display_path(source.path),
            line=line,
            status=status,
            words=key in words,
            info=message_info(code, key, text, line),
            context=en.context(key),
            notes=[] if code == SOURCE or status == MISSING else translator_notes(en, own, key),
            issues=issues.get(key, []),
        )
        if PLACEHOLDER.search(text):
            item.example = render_template(text, params)
            item.example_info = message_info(code, key, item.example)
        items.append(item)
    return items


__all__ = ["PreviewItem", "SOURCE_TEXT", "locale_preview", "word_list_keys"]
