"""Safe YAML reading that remembers where every value came from.

Fixtures and the catalogue are typed by people, so every error must point at a
line. The document is read event by event from PyYAML's parser (libyaml's, in
C, where PyYAML has it: a fixture of sixty thousand items reads in a second or
two), and built here into plain dicts and lists that also carry the line of
each key and item. Anchors and aliases are refused (they buy nothing in a
fixture and open the door to alias bombs), as are tags other than plain data
and documents nested deeper than any fixture needs; nothing is ever
constructed but text, numbers, booleans, dates and null.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tracker.domain.errors import Problem, display_path
from tracker.domain.files import FileRefused, read_regular_file

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


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


# libyaml's parser where PyYAML was built with it; the same events from PyYAML's own otherwise.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML = "tag:yaml.org,2002:"
_STR = f"{_YAML}str"
_SEXAGESIMAL = {f"{_YAML}int", f"{_YAML}float"}
_PLAIN_TAGS = {f"{_YAML}{kind}" for kind in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


class _Document:
    """One YAML document built from the parser's events, every value located."""

    def __init__(self, loader: yaml.SafeLoader, where: str) -> None:
        self.loader: Any = loader  # the parser's event methods are untyped in PyYAML's stubs
        self.where = where

    def problem(self, event: yaml.Event, message: str) -> YamlProblem:
        return YamlProblem(Problem(self.where, _line(event), "file", message))

    def read(self) -> Any:
        loader = self.loader
        loader.get_event()  # the start of the stream
        if loader.check_event(yaml.StreamEndEvent):
            return None  # nothing but comments
        loader.get_event()  # the start of the document
        value = self.value(0)
        loader.get_event()  # its end
        if not loader.check_event(yaml.StreamEndEvent):
            raise self.problem(loader.peek_event(), "malformed YAML: a second document in one file ('---')")
        return value

    def _tag(self, event: yaml.NodeEvent, kind: type[yaml.Node], value: str | None) -> str:
        tag = getattr(event, "tag", None)
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, value, getattr(event, "implicit", (True, True)))
        if tag not in _PLAIN_TAGS:  # `!!python/object/apply:...` and the like: nothing but plain data
            shown = str(tag).replace(_YAML, "!!")
            raise self.problem(event, f"the tag {shown} is not allowed")
        return str(tag)

    def value(self, depth: int) -> Any:
        event = self.loader.get_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise self.problem(event, "anchors and aliases are not allowed in tracker files")
        if depth > MAX_DEPTH:
            raise self.problem(event, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event)
        if isinstance(event, yaml.SequenceStartEvent):
            self._tag(event, yaml.SequenceNode, None)
            return self.sequence(event, depth)
        if isinstance(event, yaml.MappingStartEvent):
            self._tag(event, yaml.MappingNode, None)
            return self.mapping(event, depth)
        raise self.problem(event, "malformed YAML: a value was expected here")

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = self._tag(event, yaml.ScalarNode, event.value)
        if tag == _STR or (tag in _SEXAGESIMAL and ":" in event.value):
            value: Any = event.value  # YAML 1.1 reads 14:30 as the number 870; a time of day is meant
        else:
            node = yaml.ScalarNode(tag, event.value, style=event.style)
            try:
                value = self.loader.yaml_constructors[tag](self.loader, node)
            except (ValueError, OverflowError, yaml.constructor.ConstructorError):
                # An implicit type that does not construct (2026-02-30 looks like a date):
                # keep the text, let validation say what is wrong with it.
                value = event.value
        if isinstance(value, str) and "\x00" in value:
            # YAML's "\0" escape: no PostgreSQL text can hold it, so it is refused on every backend alike.
            raise self.problem(event, "text must not contain a NUL character (\\0)")
        return value

    def sequence(self, start: yaml.Event, depth: int) -> LocatedList:
        seq = LocatedList()
        seq.line = _line(start)
        seq.item_lines = []
        while not self.loader.check_event(yaml.SequenceEndEvent):
            seq.item_lines.append(_line(self.loader.peek_event()))
            seq.append(self.value(depth + 1))
        self.loader.get_event()
        return seq

    def mapping(self, start: yaml.Event, depth: int) -> Located:
        out = Located()
        out.line = _line(start)
        out.key_lines = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            key_event = self.loader.peek_event()
            key = self.value(depth + 1)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise self.problem(key_event, "a key must be plain text")
            key = str(key)
            if key in out:
                raise YamlProblem(Problem(self.where, _line(key_event), key, "key appears twice in one mapping"))
            out[key] = self.value(depth + 1)
            out.key_lines[key] = _line(key_event)
        self.loader.get_event()
        return out


def _parse(text: str, where: str, loader_class: type[yaml.SafeLoader]) -> Any:
    loader = None
    try:
        loader = loader_class(text)
        return _Document(loader, where).read()
    finally:
        if loader is not None:
            loader.dispose()


def _parser_problem(where: str, text: str, exc: yaml.YAMLError) -> YamlProblem:
    """What PyYAML's parser found wrong, at its line."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow in a file (NUL, most controls)
        line = text[: exc.position].count("\n") + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return YamlProblem(Problem(where, line, "file", f"character U+{character:04X} is not allowed in a YAML file"))
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = exc.problem or exc.context or "unreadable"
        if "expected <block end>" in detail or "mapping values are not allowed" in detail:
            detail += " (check the indentation of this line and the one before)"
        return YamlProblem(Problem(where, line, "file", f"malformed YAML: {detail}"))
    return YamlProblem(Problem(where, 1, "file", f"malformed YAML: {exc}"))


def read_file_for_yaml(path: Path) -> bytes:
    """The bytes of a YAML file the tracker reads (a regular file, not too big); `YamlProblem` otherwise."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise YamlProblem(Problem(display_path(path), 1, "file", exc.about("file"))) from None


def read_yaml(path: Path, raw: bytes | None = None) -> Any:
    """Read one YAML document from `path`; raise `YamlProblem` with its location if it is bad.

    A document libyaml cannot read is read again by PyYAML's own parser, whose messages say what it
    found where (libyaml's say less, and count in bytes): the same file gets the same message on any
    installation.
    """
    where = display_path(path)
    if raw is None:  # (given when the caller has read the file already)
        raw = read_file_for_yaml(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(Problem(where, line, "file", "file is not valid UTF-8 text")) from None
    try:
        return _parse(text, where, _Loader)
    except yaml.YAMLError as exc:
        if _Loader is yaml.SafeLoader:
            raise _parser_problem(where, text, exc) from None
        try:
            _parse(text, where, yaml.SafeLoader)
        except yaml.YAMLError as explained:
            raise _parser_problem(where, text, explained) from None
        raise _parser_problem(where, text, exc) from None
