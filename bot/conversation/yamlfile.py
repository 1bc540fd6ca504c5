"""Read the YAML files people edit (flows, locales), keeping line numbers for error messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class ContentError(Exception):
    """A flow or locale file is wrong; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class LineDict(dict):
    """A mapping that remembers the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser when present: about ten times faster, and it still reports line marks.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            raise ContentError(
                loader.name, key_node.start_mark.line + 1, "a key must be plain text"
            )
        key = str(key) if not isinstance(key, bool) else ("yes" if key else "no")
        if key in result:
            raise ContentError(
                loader.name, key_node.start_mark.line + 1, f"the key '{key}' appears twice"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> object:
    # An impossible date (2026-11-31) is the editor's mistake, not a crash: name its line.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        raise ContentError(
            loader.name, node.start_mark.line + 1, f"'{node.value}' is not a real date"
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
# "yes", "no", "on", "off" are words in a hotline, not booleans: YAML 1.1 would turn a
# translator's `no: "No"` into False. Keep only true/false as booleans.
_BOOL = "tag:yaml.org,2002:bool"
_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, _TRUE_FALSE if tag == _BOOL else regexp)
        for tag, regexp in resolvers
        if tag != _BOOL or first in "tTfF"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path | str) -> Any:
    """Parse a YAML file; any problem becomes a ContentError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ContentError(path, line, "the file is not valid UTF-8 text") from exc
    except OSError as exc:
        raise ContentError(path, None, f"cannot read the file ({exc.strerror})") from exc
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: Path | str = "<text>") -> Any:
    """Parse YAML text as load_yaml does."""
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except ContentError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, line, f"YAML error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"YAML error: {exc}") from exc
    finally:
        loader.dispose()
