"""The conversation engine stays pure: no web framework, no database, no Twilio."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

ENGINE = ROOT / "bot" / "conversation"
FORBIDDEN = {"flask", "werkzeug", "twilio", "sqlmodel", "sqlalchemy", "alembic", "psycopg"}


def imported_modules(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level
            found.append((prefix + (node.module or ""), node.lineno))
    return found


def test_engine_files_import_nothing_impure():
    problems = []
    for path in sorted(ENGINE.glob("*.py")):
        for module, line in imported_modules(path):
            top = module.lstrip(".").split(".")[0]
            if module.startswith("..") or (module.startswith("bot") and not module.startswith(
                "bot.conversation"
            )):
                problems.append(f"{path.name}:{line} imports {module} from outside the engine")
            elif not module.startswith(".") and top in FORBIDDEN:
                problems.append(f"{path.name}:{line} imports {module}")
    assert problems == []


def test_engine_runs_with_flask_twilio_and_sqlmodel_unimportable():
    code = f"""
import sys
for name in {sorted(FORBIDDEN)!r}:
    sys.modules[name] = None  # any import of these now fails
from datetime import datetime
from pathlib import Path
from bot.conversation.engine import Engine, Inbound, Snapshot
from bot.conversation.flows import load_flows
from bot.conversation.i18n import load_catalog
from bot.conversation.language import detect
import bot.conversation.sms, bot.conversation.choices, bot.conversation.dates
import bot.conversation.formats, bot.conversation.identifiers
catalog = load_catalog(Path("locales"))
engine = Engine(load_flows(Path("flows"), catalog), catalog, detect=detect)
result = engine.step(Snapshot(), Inbound(text="hello", now=datetime(2026, 11, 28)))
print(result.snapshot.state, [r.key for r in result.replies])
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "language ['welcome.intro', 'language.offer', 'language.menu']"
