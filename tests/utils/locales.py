"""Build folders of locale files for the translation tools' tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "l10n"
FLOWS = FIXTURES / "flows"


def locales_folder(
    folder: Path, good: tuple[str, ...] = ("es", "ar"), broken: tuple[str, ...] = ()
) -> Path:
    """A locales folder: the small English file, some good translations, some broken files."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "en.yaml", folder / "en.yaml")
    for code in good:
        shutil.copy(FIXTURES / "good" / f"{code}.yaml", folder / f"{code}.yaml")
    for name in broken:
        shutil.copy(FIXTURES / "broken" / name, folder / name)
    return folder


def marked_lines(path: Path, kind: str) -> list[int]:
    """Lines of a fixture marked `# MISTAKE <kind>`."""
    pattern = re.compile(rf"#\s*MISTAKE {re.escape(kind)}\b")
    return [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a locale file as a person would: change one piece of text."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def marked_text_line(path: Path, text: str) -> int:
    """The line of a file that contains a piece of text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)
