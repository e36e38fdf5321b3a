"""A workspace: one negotiation on disk, found from any folder inside it, as git finds its repository.

`tracker init DIR` makes one: `tracker.toml` names the negotiation (its title,
and an id made then, which its database remembers), its corpus folders and its
database. Run inside it, or in any folder below, every command uses its corpus
and database with no flags; `--workspace DIR` or `TRACKER_WORKSPACE` name one
explicitly, and `--db`, `--seeds` and `--fixtures` still win. Outside any
workspace the bundled corpus is the demo.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tracker.domain.errors import UsageError, display_path

WORKSPACE_FILE = "tracker.toml"
WORKSPACE_VARIABLE = "TRACKER_WORKSPACE"
DEFAULT_DATABASE = "tracker.db"


@dataclass(frozen=True)
class Workspace:
    """A negotiation's folder, as its `tracker.toml` describes it (folders resolved against the workspace)."""

    root: Path
    title: str
    negotiation: str
    seeds: Path
    fixtures: Path
    database: str  # a SQLite file's path (resolved) or an SQLAlchemy URL

    @property
    def file(self) -> Path:
        return self.root / WORKSPACE_FILE


def find(start: Path) -> Path | None:
    """The folder of the nearest `tracker.toml` at `start` or above it (None: not inside a workspace)."""
    try:
        folder = start.resolve()
    except (OSError, RuntimeError):
        return None
    for candidate in (folder, *folder.parents):
        if (candidate / WORKSPACE_FILE).is_file():
            return candidate
    return None


def load(root: Path) -> Workspace:
    """Read `root/tracker.toml`; `UsageError` naming the file, line and field of anything wrong with it."""
    path = root / WORKSPACE_FILE
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise UsageError(f"{where}:{found.group(1) if found else 1}: file: not TOML: {exc}") from None

    def text_at(section: dict[str, object], key: str, default: str | None, dotted: str) -> str:
        value = section.get(key, default)
        if not isinstance(value, str) or not value.strip():
            line = next((n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith(key)), 1)
            raise UsageError(f"{where}:{line}: {dotted}: must be text")
        return value

    corpus = document.get("corpus", {})
    database = document.get("database", {})
    if not isinstance(corpus, dict) or not isinstance(database, dict):
        raise UsageError(f"{where}:1: file: [corpus] and [database] must be tables")
    unknown = sorted(set(document) - {"title", "negotiation", "corpus", "database"})
    if unknown:
        raise UsageError(f"{where}:1: {unknown[0]}: unknown field")
    url = text_at(database, "url", DEFAULT_DATABASE, "database.url")
    return Workspace(
        root=root,
        title=text_at(document, "title", None, "title"),
        negotiation=text_at(document, "negotiation", None, "negotiation"),
        seeds=root / text_at(corpus, "seeds", "seeds", "corpus.seeds"),
        fixtures=root / text_at(corpus, "fixtures", "fixtures", "corpus.fixtures"),
        database=url if "://" in url else str((root / os.path.expanduser(url)).resolve()),
    )


def negotiation_id(title: str) -> str:
    """An id for a new negotiation: its title's words and a random suffix, so that two of one name differ."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    stem = "-".join(words)[:40].rstrip("-") or "negotiation"
    return f"{stem}-{secrets.token_hex(3)}"


def toml_text(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


WORKSPACE_TEMPLATE = """\
# A negotiation tracked with `tracker`. Every command run in this folder, or in a folder below it, uses the
# corpus and the database named here (`tracker where` says so); --db, --seeds and --fixtures still win.
title = {title}
# Made by `tracker init`. The database remembers it: a corpus of another negotiation is never ingested into it.
negotiation = {negotiation}

[corpus]
seeds = "seeds"        # the articles: each text, and articles.yaml listing them
fixtures = "fixtures"  # the coded evidence, one file per article, and catalog.yaml

[database]
# A SQLite file inside this folder (.gitignore leaves it out), or an SQLAlchemy URL for a team's server
# (postgresql+psycopg://USER:PASSWORD@HOST/DBNAME).
url = "{database}"
"""

GITIGNORE = """\
# The database is made from the corpus by `tracker ingest`: the corpus is the record, the database is not.
/{database}
/{database}-wal
/{database}-shm
/{database}-journal
# Held only while the tracker writes to a corpus folder.
.tracker.lock
"""

ARTICLES_TEMPLATE = """\
# The articles of this negotiation. Add one with
#   tracker article add TEXT_FILE --title "..." --published-on YYYY-MM-DD [--outlet ...] [--url ...]
# which copies its text here byte for byte and adds its entry below. An entry looks like this:
#
#   - id: 2026-03-01-harbour-council-vote   # what fixtures name it by
#     file: 2026-03-01-harbour-council-vote.txt
#     title: Harbour council votes on the water tariff
#     outlet: Example Gazette               # where it was published, when known
#     url: https://example.org/council-vote
#     published_on: 2026-03-01
#     date_basis: stated                    # or inferred, with date_evidence saying how
articles: []
"""

CATALOG_TEMPLATE = """\
# yaml-language-server: $schema=../catalog.schema.json
# The catalogue of this negotiation (its JSON Schema: catalog.schema.json, `tracker schema catalog`; `tracker catalog`
# lists it):
# the issues under negotiation, each stated as one proposition that every party's stance is about, and the
# parties whose positions are tracked. Ids are lower-case words joined by _; fixtures and filters may also use
# a title, a name or an alias. Replace the examples below with your own.
title: {title}

issues:
  - id: water_tariff
    title: Water tariff
    proposition: The town raises the water tariff by 10%
    aliases: [tariff, water price]
    keywords: [price rise, bills]   # words that signal it without naming it (for `tracker suggest`)
  - id: tariff_relief
    title: Relief for low incomes
    proposition: Households on low incomes are exempt from the rise
    parent: water_tariff            # a sub-proposal: shown under its parent, and a filter on the parent takes it
    aliases: [relief, exemption]

parties:
  - id: council
    name: Town council
    aliases: [the council, councillors]
  - id: residents
    name: Residents' association
    aliases: [residents]
"""


def new_workspace_files(title: str, negotiation: str, database: str = DEFAULT_DATABASE) -> dict[str, str]:
    """The files `tracker init` writes, by their path inside the workspace (an empty catalogue and index)."""
    return {
        WORKSPACE_FILE: WORKSPACE_TEMPLATE.format(
            title=toml_text(title), negotiation=toml_text(negotiation), database=database
        ),
        ".gitignore": GITIGNORE.format(database=database),
        "seeds/articles.yaml": ARTICLES_TEMPLATE,
        "fixtures/catalog.yaml": CATALOG_TEMPLATE.format(title=_yaml_text(title)),
    }


def _yaml_text(value: str) -> str:
    """A YAML double-quoted string (JSON's escapes are YAML's)."""
    import json

    return json.dumps(value, ensure_ascii=False)
