"""Edits to a YAML file a person keeps, made as splices of its text: every byte outside the edit stays.

Fixtures and the article index are written by hand in many styles: comments,
blank lines between items, quotes or none, folded notes, flow style on one
line, CRLF line endings, a byte-order mark, `---` and `...` markers. A round
trip through a YAML library rewrites what it does not understand (it
re-indents, refolds and drops markers), so the tracker never re-emits a file.
It composes the document with PyYAML (which marks where every node starts and
ends), and changes only the characters of what it means to change: an item
appended after the last one, in the indentation and spacing of its siblings;
an item removed with its own lines; a key's value replaced within its own
span, so a comment after it stays. New values are written in the style of the
value they replace, and quoted wherever a YAML reader (1.1, as PyYAML, or 1.2)
would read them as anything but text (`no`, `On`, `1e3`, `12:30`).

Callers read the result back and compare it with what they meant
(`tracker.ingest.authoring`), so a layout this module does not foresee is
refused, never written wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import yaml

from tracker.domain.errors import Problem
from tracker.domain.yamlfile import YamlProblem

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"

# What YAML 1.2 (core schema) reads as other than text, beside YAML 1.1's implicit types that PyYAML knows.
_YAML_12_TYPED = re.compile(
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
        |0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |null|Null|NULL|~|true|True|TRUE|false|False|FALSE
        |y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF
        |[0-9][0-9_:.+\-\sTtZz]*)$""",
    re.X,
)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_PLAIN_START = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`]")


class Edit:
    """A YAML text and the changes to splice into it; `text()` applies them."""

    def __init__(self, text: str, where: str) -> None:
        self.original = text
        self.where = where
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
        odd = re.search("\r(?!\n)|[\u0085\u2028\u2029]", text)
        if odd is not None:  # line breaks YAML counts that a splice by lines would not
            line = text.count("\n", 0, odd.start()) + 1
            raise YamlProblem(
                Problem(
                    where,
                    line,
                    "file",
                    "a line break other than LF or CRLF (a lone CR, U+0085, U+2028 or "
                    "U+2029); the tracker edits only files whose lines end in LF or CRLF: change it by hand",
                )
            )
        self.splices: list[tuple[int, int, str]] = []
        try:
            self.root = _compose(text)
        except yaml.YAMLError as exc:
            raise YamlProblem(Problem(where, 1, "file", f"malformed YAML: {exc}")) from None
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    # -- reading the document ------------------------------------------------------------------------------------

    def problem(self, line: int, field: str, message: str) -> YamlProblem:
        return YamlProblem(Problem(self.where, line, field, message))

    @staticmethod
    def value_of(mapping: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        """The key and value nodes of `key` in a mapping node (None: not a mapping, or no such key)."""
        if not isinstance(mapping, yaml.MappingNode):
            return None
        for key_node, value_node in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
        return None

    @staticmethod
    def scalar(node: yaml.Node | None) -> str | None:
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def _line_of(self, index: int) -> int:
        """The 0-based line holding character `index`."""
        low, high = 0, len(self._line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._line_starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low

    def _line_start(self, index: int) -> int:
        return self._line_starts[self._line_of(index)]

    def _line_end(self, index: int) -> int:
        """Just after the line break of the line holding `index` (or the end of the text)."""
        line = self._line_of(index)
        return self._line_starts[line + 1] if line + 1 < len(self._line_starts) else len(self.original)

    def _content_end(self, node: yaml.Node) -> int:
        """Where the last character of a node's own content is (before comments and blank lines after it)."""
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):  # a block scalar's span takes in its line breaks
                while end > node.start_mark.index and self.original[end - 1] in "\r\n":
                    end -= 1
            return end
        if getattr(node, "flow_style", False):
            return int(node.end_mark.index)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                children += [key_node, value_node]
        else:
            children = list(node.value)
        return max((self._content_end(child) for child in children), default=int(node.start_mark.index))

    def _dash(self, sequence: yaml.SequenceNode, item: yaml.Node) -> int:
        """Where the `- ` of a block sequence's item is."""
        column = sequence.start_mark.column
        index = item.start_mark.index
        line = self._line_of(index)
        while line >= 0:
            start = self._line_starts[line]
            at = start + column
            if at < len(self.original) and self.original[at] == "-" and not self.original[start:at].strip():
                if line != self._line_of(index) or at < index:
                    return at
            line -= 1
        raise self.problem(item.start_mark.line + 1, "file", "an item of a list without its '-'")

    # -- rendering new text --------------------------------------------------------------------------------------

    def render(self, value: Any, flow: bool, like: yaml.ScalarNode | None = None) -> str:
        """A value as YAML text on one line (`render_value`)."""
        return render_value(value, flow, like)

    def _block_item(self, item: dict[str, Any], dash_column: int, key_column: int) -> str:
        """A mapping as a block sequence item: `- key: value`, one key a line."""
        lines = []
        for number, (key, value) in enumerate(item.items()):
            indent = " " * dash_column + "-" + " " * (key_column - dash_column - 1) if number == 0 else " " * key_column
            lines.append(f"{indent}{key}: {self.render(value, flow=False)}")
        return self.newline.join(lines) + self.newline

    def _flow_item(self, item: dict[str, Any]) -> str:
        return "{" + ", ".join(f"{key}: {self.render(value, flow=True)}" for key, value in item.items()) + "}"

    # -- changes -------------------------------------------------------------------------------------------------

    def append(self, owner: yaml.MappingNode, key: str, item: dict[str, Any]) -> None:
        """Add `item` at the end of the list under `key` of `owner` (made if the list is empty)."""
        self.append_all(owner, key, [item])

    def append_all(self, owner: yaml.MappingNode, key: str, items: list[dict[str, Any]]) -> None:
        """Add `items` at the end of the list under `key` of `owner`, in one splice."""
        if not items:
            return
        found = self.value_of(owner, key)
        if found is None:
            raise self.problem(owner.start_mark.line + 1, key, "required field is missing")
        key_node, sequence = found
        if isinstance(sequence, yaml.ScalarNode) and sequence.value == "" and sequence.tag.endswith(":null"):
            raise self.problem(key_node.start_mark.line + 1, key, "has no value: give it a list (`[]`) to add to")
        if not isinstance(sequence, yaml.SequenceNode):
            raise self.problem(key_node.start_mark.line + 1, key, "must be a list")
        if sequence.flow_style and sequence.value:
            last = sequence.value[-1]
            at = last.end_mark.index
            text = "".join(", " + self._flow_item(item) for item in items)
            self.splices.append((at, at, text))
            return
        if sequence.flow_style or not sequence.value:
            # `key: []`: a block list in its place, under the key, indented as the bundled files are.
            if owner.flow_style:
                text = "[" + ", ".join(self._flow_item(item) for item in items) + "]"
                self.splices.append((sequence.start_mark.index, sequence.end_mark.index, text))
                return
            key_column = key_node.start_mark.column
            blocks = "".join(self._block_item(item, key_column + 2, key_column + 4) for item in items)
            start, end = sequence.start_mark.index, sequence.end_mark.index
            line_end = self._line_end(end)
            after = self.original[end:line_end]
            if not after.strip():  # nothing after `[]` on its line: no space left before the line break
                while start > 0 and self.original[start - 1] in " \t":
                    start -= 1
            self.splices.append((start, end, ""))
            at_end = line_end == len(self.original) and not after.endswith("\n")
            self.splices.append((line_end, line_end, (self.newline if at_end else "") + blocks))
            return
        first = sequence.value[0]
        dash_column = sequence.start_mark.column
        key_column = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash_column + 2
        if isinstance(first, yaml.MappingNode) and first.flow_style:
            key_column = dash_column + 2
        spaced = len(sequence.value) > 1 and self._blank_between(
            self._content_end(sequence.value[0]), self._dash(sequence, sequence.value[1])
        )
        last_end = self._line_end(max(self._content_end(sequence.value[-1]) - 1, 0))
        if last_end == len(self.original) and not self.original.endswith("\n"):
            prefix = self.newline
        else:
            prefix = ""
        separator = self.newline if spaced else ""
        text = prefix + "".join(separator + self._block_item(item, dash_column, key_column) for item in items)
        self.splices.append((last_end, last_end, text))

    def _blank_between(self, start: int, end: int) -> bool:
        """Whether a blank line lies between two places of the text."""
        return any(
            not line.strip() for line in self.original[self._line_end(start) : self._line_start(end)].splitlines()
        )

    def _blank_before(self, index: int) -> bool:
        line = self._line_of(index)
        if line == 0:
            return False
        start = self._line_starts[line - 1]
        return not self.original[start : self._line_starts[line]].strip()

    def remove(self, sequence: yaml.SequenceNode, position: int, owner: yaml.MappingNode, key: str) -> None:
        """Take the item at `position` out of `sequence` (the list under `key` of `owner`)."""
        item = sequence.value[position]
        if sequence.flow_style:
            if len(sequence.value) == 1:
                self.splices.append((sequence.start_mark.index, sequence.end_mark.index, "[]"))
            elif position == 0:
                self.splices.append((item.start_mark.index, sequence.value[1].start_mark.index, ""))
            else:
                before = sequence.value[position - 1]
                self.splices.append((before.end_mark.index, item.end_mark.index, ""))
            return
        dash = self._dash(sequence, item)
        start = self._line_start(dash)
        end = self._line_end(max(self._content_end(item) - 1, dash))
        # The blank line that kept it apart from its neighbours goes with it: the one after it, or for the last
        # item the one before.
        if position + 1 < len(sequence.value):
            if end < len(self.original) and not self.original[end : self._line_end(end)].strip():
                end = self._line_end(end)
        elif position > 0 and self._blank_before(start):
            start = self._line_starts[self._line_of(start) - 1]
        if len(sequence.value) == 1:
            key_node = self.value_of(owner, key)
            assert key_node is not None
            colon = self.original.index(":", key_node[0].end_mark.index)
            self.splices.append((colon + 1, colon + 1, " []"))
        self.splices.append((start, end, ""))

    def set_values(self, mapping: yaml.MappingNode, changes: dict[str, Any | None], order: tuple[str, ...]) -> None:
        """Give the keys of `changes` their new values in `mapping` (None: take the key out); a key it lacks is
        added after the key before it in `order`."""
        present = [(k.value, k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode)]
        names = [name for name, _, _ in present]
        for key, value in changes.items():
            if key in names:
                position = names.index(key)
                _, key_node, value_node = present[position]
                if value is None:
                    self._remove_key(mapping, present, position)
                elif isinstance(value_node, yaml.ScalarNode):
                    self._replace_scalar(value_node, self.render(value, bool(mapping.flow_style), value_node))
                else:
                    raise self.problem(key_node.start_mark.line + 1, key, "is not a single value; edit it by hand")
            elif value is not None:
                kept = [entry for entry in present if changes.get(entry[0], True) is not None]
                self._add_key(mapping, kept or present[:1], key, value, order)

    def _replace_scalar(self, node: yaml.ScalarNode, text: str) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">"):
            end = self._content_end(node)
        if node.value == "" and node.tag.endswith(":null") and start == end:
            text = " " + text if start > 0 and self.original[start - 1] == ":" else text
        self.splices.append((start, end, text))

    def _remove_key(self, mapping: yaml.MappingNode, present: list[tuple[str, Any, Any]], position: int) -> None:
        _, key_node, value_node = present[position]
        own_line = not self.original[self._line_start(key_node.start_mark.index) : key_node.start_mark.index].strip()
        if not mapping.flow_style and own_line:
            # Its own lines go (a comment on them with it); comment lines after them belong to what follows.
            start = self._line_start(key_node.start_mark.index)
            end = self._line_end(max(self._content_end(value_node) - 1, key_node.start_mark.index))
            self.splices.append((start, end, ""))
        elif position + 1 < len(present):
            self.splices.append((key_node.start_mark.index, present[position + 1][1].start_mark.index, ""))
        elif mapping.flow_style:
            before_end = present[position - 1][2].end_mark.index if position else key_node.start_mark.index
            self.splices.append((before_end, value_node.end_mark.index, ""))
        elif position == 0:
            raise self.problem(key_node.start_mark.line + 1, key_node.value, "the only key of an item cannot go")
        else:
            start = self._line_start(key_node.start_mark.index)
            end = self._line_end(max(self._content_end(value_node) - 1, key_node.start_mark.index))
            self.splices.append((start, end, ""))

    def _add_key(
        self,
        mapping: yaml.MappingNode,
        present: list[tuple[str, Any, Any]],
        key: str,
        value: Any,
        order: tuple[str, ...],
    ) -> None:
        wanted = order.index(key) if key in order else len(order)
        after = None
        for number, (name, _, _) in enumerate(present):
            if (order.index(name) if name in order else len(order)) <= wanted:
                after = number
        if mapping.flow_style:
            text = f"{key}: {self.render(value, flow=True)}"
            if after is None:
                at = present[0][1].start_mark.index
                self.splices.append((at, at, text + ", "))
            else:
                at = present[after][2].end_mark.index
                self.splices.append((at, at, ", " + text))
            return
        column = mapping.start_mark.column
        line = " " * column + f"{key}: {self.render(value, flow=False)}" + self.newline
        if after is None:  # before the first key: the item's first line is `- key`, so it goes after it instead
            after = 0
        value_node = present[after][2]
        at = self._line_end(max(self._content_end(value_node) - 1, present[after][1].start_mark.index))
        if at == len(self.original) and not self.original.endswith("\n"):
            line = self.newline + line.rstrip("\r\n")
        self.splices.append((at, at, line))

    def text(self) -> str:
        """The text with every change spliced in."""
        pieces, at = [], 0
        for start, end, replacement in sorted(self.splices, key=lambda s: (s[0], s[1])):
            if start < at:
                raise self.problem(self._line_of(start) + 1, "file", "two changes to one place of the file")
            pieces += [self.original[at:start], replacement]
            at = end
        pieces.append(self.original[at:])
        return "".join(pieces)


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_RESOLVER = yaml.resolver.Resolver()


def _resolves_to_text(text: str) -> bool:
    resolver = _RESOLVER
    resolved: str = resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return resolved == _STR and not _YAML_12_TYPED.match(text)


def _plain_is_text(text: str, flow: bool) -> bool:
    """Whether `text` written plain reads back as this very text in any YAML reader, in block or flow context."""
    if not text or text != text.strip() or not _PLAIN_START.match(text):
        return False
    if _UNPRINTABLE.search(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in text for c in ",[]{}?:#"):
        return False
    return _resolves_to_text(text)


def _single_quotable(text: str) -> bool:
    return bool(text) and text == text.strip() and not _UNPRINTABLE.search(text)


def _double_quoted(text: str) -> str:
    """YAML's double-quoted style, every character that is not printable escaped."""
    out = []
    for character in text:
        code = ord(character)
        if character in '"\\':
            out.append("\\" + character)
        elif code < 0x20 or 0x7F <= code < 0xA0 or character in "\u2028\u2029\ufeff":
            out.append(json.dumps(character)[1:-1] if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Layout:
    """How a file is kept on disk, beyond its YAML: restored around the text an edit works on."""

    bom: bool

    @staticmethod
    def of(raw: bytes) -> tuple[Layout, str]:
        bom = raw.startswith(b"\xef\xbb\xbf")
        return Layout(bom), raw[3 if bom else 0 :].decode("utf-8")

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def render_value(value: Any, flow: bool, like: yaml.ScalarNode | None = None) -> str:
    """A value as YAML text on one line, read back as the same value: plain where that is safe (in the style
    of `like`, the value it replaces), else quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"'{value.isoformat(timespec='minutes' if not value.second else 'seconds')}'"
    text = str(value)
    style = like.style if like is not None else None
    if style not in ("'", '"') and _plain_is_text(text, flow):
        return text
    if style != '"' and _single_quotable(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)
