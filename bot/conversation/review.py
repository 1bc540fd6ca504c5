"""The answers as the texter checks them before sending: numbered, labelled, written out."""

from __future__ import annotations

from datetime import date
from typing import Any

from .flows import Flow, State
from .formats import format_a_number, format_date_long, format_phone
from .i18n import Catalog


def display(catalog: Catalog, state: State, value: Any, locale: str | None) -> str:
    """One answer written out in the texter's language: labels for choices, dates in words."""
    if value is None:
        return catalog.render("review.skipped", locale)
    if state.expect in ("choice", "multi"):
        values = value if isinstance(value, list) else [value]
        labels = []
        for choice_id in values:
            try:
                choice = state.choice(choice_id)
            except KeyError:
                labels.append(str(choice_id))
                continue
            key = choice.label or choice.words
            labels.append(catalog.render(key, locale) if key else choice.id)
        return ", ".join(labels)
    if state.expect == "date":
        try:
            return format_date_long(date.fromisoformat(value), locale)
        except (TypeError, ValueError):
            return str(value)
    if state.expect == "phone":
        return format_phone(value)
    if state.expect == "anumber":
        return format_a_number(value)
    return str(value)


def review_lines(flow: Flow, catalog: Catalog, answers: dict[str, Any], locale: str | None) -> str:
    """Every question asked, numbered without gaps for EDIT n; a skipped one says so."""
    lines = []
    for number, name in enumerate(flow.asked(answers), 1):
        state = flow.states[name]
        value = answers.get(state.save or "")
        label = catalog.render(state.label, locale) if state.label else name
        lines.append(f"{number}. {label}: {display(catalog, state, value, locale)}")
    return "\n".join(lines) or catalog.render("review.skipped", locale)
