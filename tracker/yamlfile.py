"""Safe YAML reading that remembers where every value came from.

Fixtures and the catalogue are typed by people, so every error must point at a
line. PyYAML's safe composer gives nodes with positions; this module turns them
into plain dicts and lists that also carry the line of each key and item.
Anchors and aliases are refused (they buy nothing in a fixture and open the door
to alias bombs), as are documents nested deeper than any fixture needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tracker.errors import Problem, display_path

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 20


class Located(dict[str, Any]):
    """A mapping read from YAML, with the line of the mapping and of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str | int | None) -> int:
        if key is None:
            return self.line
        return self.key_lines.get(str(key), self.line)


class LocatedList(list[Any]):
    """A sequence read from YAML, with the line of the sequence and of each item."""

    line: int
    item_lines: list[int]


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in tracker files", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in tracker files", event.start_mark
            )
        return super().compose_node(parent, index)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError):
        # An implicit type that does not construct (2026-02-30 looks like a date):
        # keep the text, let validation say what is wrong with it.
        return node.value


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{kind}" for kind in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}


def _convert(loader: yaml.SafeLoader, node: yaml.Node, depth: int, where: str) -> Any:
    if depth > MAX_DEPTH:
        raise YamlProblem(Problem(where, node.start_mark.line + 1, "file", f"nested deeper than {MAX_DEPTH} levels"))
    if node.tag not in _PLAIN_TAGS:  # `!!python/object/apply:...` and the like: nothing but plain data
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(Problem(where, node.start_mark.line + 1, "file", f"the tag {shown} is not allowed"))
    if isinstance(node, yaml.MappingNode):
        out = Located()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, depth + 1, where)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise YamlProblem(Problem(where, key_node.start_mark.line + 1, "file", "a key must be plain text"))
            key = str(key)
            if key in out:
                raise YamlProblem(Problem(where, key_node.start_mark.line + 1, key, "key appears twice in one mapping"))
            out[key] = _convert(loader, value_node, depth + 1, where)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocatedList(_convert(loader, item, depth + 1, where) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    assert isinstance(node, yaml.ScalarNode)
    value = _scalar(loader, node)
    if isinstance(value, str) and "\x00" in value:
        # YAML's "\0" escape: no PostgreSQL text can hold it, so it is refused on every backend alike.
        raise YamlProblem(
            Problem(where, node.start_mark.line + 1, "file", "text must not contain a NUL character (\\0)")
        )
    return value


def read_yaml(path: Path) -> Any:
    """Read one YAML document from `path`; raise `YamlProblem` with its location if it is bad."""
    where = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlProblem(Problem(where, 0, "file", f"cannot read file: {exc.strerror}")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(Problem(where, 0, "file", f"file is larger than {MAX_FILE_BYTES} bytes"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(Problem(where, line, "file", "file is not valid UTF-8 text")) from None
    try:
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a file (NUL, most controls)
        line = text[: exc.position].count("\n") + 1
        raise YamlProblem(
            Problem(where, line, "file", f"character U+{exc.character:04X} is not allowed in a YAML file")
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, 0, where)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        detail = exc.problem or exc.context or "unreadable"
        if "expected <block end>" in detail or "mapping values are not allowed" in detail:
            detail += " (check the indentation of this line and the one before)"
        raise YamlProblem(Problem(where, line, "file", f"malformed YAML: {detail}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(where, 0, "file", f"malformed YAML: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(where, 0, "file", "nested too deeply to read")) from None
    finally:
        loader.dispose()
