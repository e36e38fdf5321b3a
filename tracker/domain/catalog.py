"""The catalogue: which issues are negotiated and which parties take positions.

It is data, read from a YAML file a user can replace for another negotiation;
nothing in the code knows about any particular one. Parties and issues have
aliases (Kremlin, Kyiv, ...) so fixtures and command-line filters can use the
names analysts actually write.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tracker.domain.errors import CatalogError, Problem, display_path
from tracker.domain.names import Names, name_key
from tracker.domain.problems import located_problems
from tracker.domain.yamlfile import Located, LocatedList, YamlProblem, read_yaml

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Entry(BaseModel):
    """What issues and parties share: an id and the other names people use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    aliases: tuple[str, ...] = ()
    # Words that signal it in an article without naming it (`withdraw`, `Peskov`): what `tracker suggest` looks
    # for beside its names. Not names: a filter does not take them, and the store does not keep them.
    keywords: tuple[str, ...] = ()

    @field_validator("aliases", "keywords")
    @classmethod
    def _aliases_not_blank(cls, aliases: tuple[str, ...]) -> tuple[str, ...]:
        if any(not a.strip() for a in aliases):
            raise ValueError("must not be empty")
        return aliases


class Issue(_Entry):
    title: str = Field(min_length=1, max_length=200)
    proposition: str = Field(min_length=1, max_length=500)
    # A sub-proposal's issue (a free economic zone under a withdrawal): views group it under its parent, and a
    # filter on the parent includes it. One level: a parent has no parent.
    parent: str | None = Field(default=None, pattern=ID_PATTERN, max_length=64)


class Role(StrEnum):
    """What a party is to the deal: only negotiators' stances make an issue's status."""

    NEGOTIATOR = "negotiator"  # a side whose agreement the deal needs (the default)
    MEDIATOR = "mediator"  # brokers and proposes: tracked and shown, never makes or blocks a status
    OBSERVER = "observer"  # comments, votes, funds: tracked and shown likewise


ROLE_ORDER = tuple(Role)  # views list the negotiators first, then mediators, then observers


class Party(_Entry):
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.NEGOTIATOR

    @property
    def label(self) -> str:
        """The name as views head a column or a section: marked with the role unless a negotiator."""
        return role_label(self.name, self.role)


def role_label(name: str, role: str) -> str:
    """`name`, marked `(mediator)` or `(observer)` for a party that is not a negotiator."""
    return name if role == Role.NEGOTIATOR else f"{name} ({role})"


def _display_name(entry: Issue | Party) -> str:
    return entry.name if isinstance(entry, Party) else entry.title


def _names(entry: Issue | Party) -> tuple[str, ...]:
    """Everything a user may call an entry: its id, its name or title, its aliases."""
    return (entry.id, _display_name(entry), *entry.aliases)


class Catalog(BaseModel):
    """Issues and parties, in the order they are shown."""

    model_config = ConfigDict(frozen=True)

    title: str = "Negotiation"
    issues: tuple[Issue, ...]
    parties: tuple[Party, ...]
    # Where the catalogue was read from, and the line of each section, to locate problems it causes
    # (None for a catalogue read back from the store).
    source: str | None = Field(default=None, exclude=True)
    section_lines: dict[str, int] = Field(default_factory=dict, exclude=True)

    def line_of(self, section: str) -> int:
        return self.section_lines.get(section, 1)

    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def party_ids(self) -> list[str]:
        return [p.id for p in self.parties]

    def issue(self, issue_id: str) -> Issue:
        return next(i for i in self.issues if i.id == issue_id)

    def with_children(self, issue_ids: list[str]) -> list[str]:
        """The issues named and their sub-issues, in catalogue order."""
        named = set(issue_ids)
        return [i.id for i in self.issues if i.id in named or i.parent in named]

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def negotiator_ids(self) -> list[str]:
        """The parties whose stances make an issue's status (mediators and observers never do)."""
        return [p.id for p in self.parties if p.role is Role.NEGOTIATOR]

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Each party's role, by id."""
        return {p.id: p.role for p in self.parties}

    @cached_property
    def _names(self) -> dict[str, Names]:
        """For each kind, every name people use -> id; built once per catalogue."""
        return {
            "issue": Names("issue", ((i.id, _names(i)) for i in self.issues)),
            "party": Names("party", ((p.id, _names(p)) for p in self.parties)),
        }

    def names(self, kind: str) -> Names:
        return self._names[kind]

    def resolve(self, kind: str, name: str) -> str | None:
        """The id of the issue or party that `name` (an id or an alias, any case) names."""
        return self._names[kind].resolve(name)

    def suggestion(self, kind: str, name: str) -> str:
        return self._names[kind].suggestion(name)


def _claim_problems(where: str, section: str, entries: list[tuple[int, Issue | Party]]) -> list[Problem]:
    """Ids and aliases must name one entry each, so a fixture's "Kremlin" is never ambiguous."""
    kind = "issue" if section == "issues" else "party"
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for line, entry in entries:
        if name_key(entry.id) in owners and owners[name_key(entry.id)] == entry.id:
            problems.append(Problem(where, line, f"{section}.id", f"duplicate {kind} id '{entry.id}'"))
            continue
        for name in _names(entry):
            owner = owners.setdefault(name_key(name), entry.id)
            if owner != entry.id:
                what = "id" if name == entry.id else "name" if name in (_display_name(entry),) else "alias"
                message = f"{what} '{name}' is already claimed by {kind} '{owner}'"
                problems.append(Problem(where, line, f"{section}.aliases", message))
    return problems


def _parent_problems(where: str, issues: list[tuple[int, Issue | Party]]) -> list[Problem]:
    """A parent must be another issue of the catalogue, itself without a parent."""
    by_id = {entry.id: entry for _, entry in issues if isinstance(entry, Issue)}
    problems = []
    for line, entry in issues:
        if not isinstance(entry, Issue) or entry.parent is None:
            continue
        parent = by_id.get(entry.parent)
        if parent is None:
            message = f"'{entry.parent}' is not an issue of this catalogue; known issues: {', '.join(by_id)}"
        elif parent.id == entry.id:
            message = "an issue cannot be its own parent"
        elif parent.parent is not None:
            message = f"'{parent.id}' is itself a sub-issue of '{parent.parent}'; sub-issues go one level deep"
        else:
            continue
        problems.append(Problem(where, line, "issues.parent", message))
    return problems


def grouped(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    """The issues in catalogue order, each sub-issue moved to follow its parent (and its elder siblings)."""
    children: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.parent is not None:
            children.setdefault(issue.parent, []).append(issue)
    ordered: list[Issue] = []
    for issue in issues:
        if issue.parent is None or issue.parent not in {i.id for i in issues}:
            ordered.append(issue)
            ordered.extend(children.get(issue.id, []))
    return tuple(ordered)


def by_role(parties: tuple[Party, ...]) -> tuple[Party, ...]:
    """The parties in catalogue order within each role, negotiators first, then mediators, then observers."""
    return tuple(sorted(parties, key=lambda p: ROLE_ORDER.index(p.role)))


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalogue file; raise `CatalogError` listing every problem."""
    where = display_path(path)
    try:
        doc = read_yaml(path)
    except YamlProblem as exc:
        raise CatalogError([exc.problem]) from None
    if not isinstance(doc, Located):
        raise CatalogError([Problem(where, 1, "file", "a catalogue must be a mapping with 'issues' and 'parties'")])
    problems: list[Problem] = []
    unknown = set(doc) - {"title", "issues", "parties"}
    for key in sorted(unknown):
        problems.append(Problem(where, doc.line_of(key), key, "unknown field"))
    entries: dict[str, list[tuple[int, Issue | Party]]] = {"issues": [], "parties": []}
    for section, model in (("issues", Issue), ("parties", Party)):
        items = doc.get(section)
        if not isinstance(items, LocatedList) or not items:
            problems.append(Problem(where, doc.line_of(section), section, "must be a non-empty list"))
            continue
        for index, item in enumerate(items):
            line = items.item_lines[index]
            if not isinstance(item, Located):
                problems.append(Problem(where, line, f"{section}[{index}]", "must be a mapping"))
                continue
            try:
                entries[section].append((line, model.model_validate(dict(item))))
            except ValidationError as exc:
                problems.extend(located_problems(exc, where, item, model, prefix=f"{section}[{index}]."))
        problems.extend(_claim_problems(where, section, entries[section]))
    problems.extend(_parent_problems(where, entries["issues"]))
    if problems:
        raise CatalogError(problems)
    title = doc.get("title", "Negotiation")
    return Catalog(
        source=where,
        section_lines={section: doc.line_of(section) for section in ("issues", "parties")},
        title=str(title),
        issues=grouped(tuple(e for _, e in entries["issues"] if isinstance(e, Issue))),
        parties=by_role(tuple(e for _, e in entries["parties"] if isinstance(e, Party))),
    )
