"""A stateful property (issue 19, item 4): any sequence of a user's operations on a corpus folder and a database
ends where one ingest of the final corpus into a fresh database ends, and `tracker check` stays clean throughout.

The rules are the user's operations, each through the real code path: `tracker ingest` (the command line,
in-process) of the corpus, or of a fixtures folder holding only the catalogue (a new workspace's first ingest),
and re-ingesting unchanged; evidence added, edited and removed through the coding layer
(`tracker.ingest.authoring`), a save on the coding screen's layer (`tracker.coding.Coding.save`, which ingests
too), a fixture emptied by hand (`evidence: []`), `article add`, `import` of W3C annotations (JSON Lines), and a
catalogue alias added or taken out by hand. A refused operation (a `TrackerError`) must leave every file of the
corpus byte for byte as it was, and the database as it was.

The invariants, after every step:

- `tracker check --format json` is sound, with no findings (once there is a database);
- right after each ingest (a rule that ingests, and succeeded), every answer of the working database equals the
  answer of one ingest into a new database of the corpus it holds: `state --as-of D --evidence all` at dates
  before, within and after the corpus's, `history --all`, and `diff D1 D2` over several spans, all as JSON, with
  the keys that legitimately differ between two databases taken out (`known_at`, times of recording: none differ
  between two fresh ingests, `test_the_corpus_written_here_ingests`). Between ingests the corpus is ahead of the
  database by design, so the answers are compared only right after one. The corpus the database holds is the
  seeds, the catalogue last ingested and, for each article, its fixture as last ingested: an ingest leaves an
  article with no fixture in its folder as it is (README, "A fixture states the full evidence of its article"), so
  after an ingest of the catalogue-only folder the database still holds the evidence ingested before it. A refused
  ingest must leave the database as it was and be refused by one ingest of that corpus too.

`TRACKER_STATEFUL_EXAMPLES` sets the number of examples of the suite's run; `-m slow` runs the long one
(`TRACKER_STATEFUL_SLOW_EXAMPLES`, 300 by default) and prints its tally. With `TRACKER_TEST_DB` set, every
database (the working one and each fresh one) is a new database on that PostgreSQL server.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, create_engine, make_url

from tests.conftest import ON_POSTGRESQL, TEST_DB, _create_database, _drop_database, db_digest
from tests.helpers import write_trade_talks
from tracker.cli import main
from tracker.coding import Coding, Draft
from tracker.domain.errors import StoreError, TrackerError
from tracker.ingest.annotations import ARTICLE_URN, EVIDENCE_URN, import_annotations
from tracker.ingest.authoring import add_article, add_evidence, edit_evidence, remove_evidence
from tracker.read.opening import Database

# -- the corpus the test writes itself ----------------------------------------------------------------------------

CATALOG: dict[str, Any] = {
    "title": "Steel trade talks",
    "issues": [
        {
            "id": "steel_tariffs",
            "title": "Steel tariffs",
            "proposition": "Tariffs on steel are removed",
            "aliases": ["steel"],
        },
        {
            "id": "rare_earths",
            "title": "Rare earths",
            "proposition": "Export quotas on rare earths are lifted",
            "aliases": ["minerals"],
        },
    ],
    "parties": [
        {"id": "eu", "name": "European Union", "aliases": ["Brussels"]},
        {"id": "china", "name": "China", "aliases": ["Beijing"]},
        {"id": "us", "name": "United States", "aliases": ["Washington"]},
    ],
}

TALKS = (
    "Beijing is open to lowering steel tariffs if quotas are agreed. Brussels supports an accord on rare earths. "
    "Washington opposes any accord on rare earths. Officials said rare earths are now on the table.\n"
)
SUMMIT = (
    "China agreed to remove steel tariffs under the draft deal. The European Union now merely supports removing "
    "steel tariffs. Beijing rejects the plan for rare earths. Washington demands concessions on rare earths.\n"
)
MORE_ARTICLES = """\
  - id: talks
    file: talks.txt
    title: Talks resume
    published_on: 2030-05-10
    date_basis: stated
  - id: summit
    file: summit.txt
    title: Summit draft
    published_on: 2030-05-20
    date_basis: stated
"""
TALKS_FIXTURE = """\
article: talks
evidence:
  - id: t1
    issue: steel
    party: Beijing
    stance: open
    quote: Beijing is open to lowering steel tariffs if quotas are agreed
    attribution: direct
  - id: t2
    issue: rare_earths
    party: eu
    stance: supports
    quote: Brussels supports an accord on rare earths
    attribution: reported
  - id: t3
    issue: minerals
    party: us
    stance: opposes
    quote: Washington opposes any accord on rare earths
    attribution: analysis
  - id: t4
    issue: rare_earths
    quote: Officials said rare earths are now on the table
    attribution: analysis
"""
SUMMIT_FIXTURE = """\
article: summit
evidence:
  - id: s1
    issue: steel_tariffs
    party: china
    stance: agreed
    quote: China agreed to remove steel tariffs under the draft deal
    attribution: direct
  - id: s2
    issue: steel_tariffs
    party: eu
    stance: supports
    move: soften
    quote: The European Union now merely supports removing steel tariffs
    attribution: analysis
  - id: s3
    issue: rare_earths
    party: china
    stance: opposes
    quote: Beijing rejects the plan for rare earths
    attribution: direct
"""

# Sentences an added article is made of (each one a quote a coder may take).
SENTENCES = [
    "Brussels demands an end to steel tariffs.",
    "Beijing supports a rare earths accord.",
    "Washington is open to a deal on steel tariffs.",
    "China opposes lifting steel tariffs.",
    "The European Union agreed to the rare earths accord.",
    "Washington proposed a quota swap instead of lifting steel tariffs.",
    "Beijing walked back its agreement on steel tariffs.",
]
NEW_ARTICLES = ["early-news", "mid-news", "late-news"]
PUBLISHED = ["2030-04-25", "2030-05-12", "2030-06-01"]

ISSUES = ["steel_tariffs", "steel", "rare_earths", "minerals"]
PARTIES = ["eu", "Brussels", "china", "Beijing", "us", "Washington"]
STANCES = ["demands", "supports", "open", "counter_proposal", "opposes", "agreed"]
MOVES = ["first_statement", "reaffirm", "soften", "harden", "accept", "renege", "reopen"]
ATTRIBUTIONS = ["direct", "reported", "analysis"]
SAID_ON = ["2030-04-28", "2030-05-05", "2030-05-12", "2030-05-20"]
LATER = "2030-06-02"  # after every article's date but one added: refused (said after it was published)
NEW_ALIASES = {"eu": "Commission", "china": "PRC", "us": "Washington DC"}

# Where the answers are compared: before, within and after the corpus's dates.
AS_OF = ["2030-04-01", "2030-05-01", "2030-05-12", "2030-05-20", "2031-01-01"]
SPANS = [("2030-04-01", "2031-01-01"), ("2030-05-01", "2030-05-12"), ("2030-05-12", "2030-06-15")]

# Keys whose values legitimately differ between two databases of one corpus: when things were recorded.
VOLATILE = re.compile(r"known_at|recorded(_at|_on)?|ingested(_at|_on)?|superseded(_at|_on)?|.*_recorded")


def write_corpus(root: Path) -> tuple[Path, Path]:
    """The steel trade talks of `tests.helpers`, with a second issue, a third party and two more articles."""
    seeds, fixtures = write_trade_talks(root)
    (fixtures / "catalog.yaml").write_text(yaml.safe_dump(CATALOG, sort_keys=False), encoding="utf-8")
    (seeds / "talks.txt").write_text(TALKS, encoding="utf-8")
    (seeds / "summit.txt").write_text(SUMMIT, encoding="utf-8")
    index = seeds / "articles.yaml"
    index.write_text(index.read_text(encoding="utf-8") + MORE_ARTICLES, encoding="utf-8")
    (fixtures / "talks.yaml").write_text(TALKS_FIXTURE, encoding="utf-8")
    (fixtures / "summit.yaml").write_text(SUMMIT_FIXTURE, encoding="utf-8")
    return seeds, fixtures


def sentences_of(text: str) -> list[str]:
    """The sentences of an article's text, without their full stops: quotes a coder may take."""
    return [s.strip() for s in re.split(r"\.\s*", text) if s.strip()]


# -- the command line, in-process ---------------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    """Run the real command line in-process: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
    return code, out.getvalue(), err.getvalue()


def ingest(db: str, seeds: Path, fixtures: Path) -> tuple[int, str]:
    code, _, err = cli("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    return code, err


def without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if not VOLATILE.fullmatch(k)}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def answers(db: str) -> dict[str, Any]:
    """Every answer compared, as JSON without the keys that differ between two databases of one corpus."""
    queries = [(f"state {d}", ["state", "--as-of", d, "--evidence", "all"]) for d in AS_OF]
    queries.append(("history", ["history", "--all"]))
    queries += [(f"diff {a} {b}", ["diff", a, b]) for a, b in SPANS]
    found: dict[str, Any] = {}
    for name, args in queries:
        code, out, err = cli("--db", db, *args, "--format", "json")
        assert code == 0, f"{name}: exit {code}: {err}"
        found[name] = without_volatile(json.loads(out))
    return found


def check_report(db: str) -> dict[str, Any]:
    code, out, err = cli("--db", db, "check", "--format", "json")
    report: dict[str, Any] = json.loads(out) if out.strip() else {"sound": None, "findings": [], "stderr": err}
    assert code == 0 and report["sound"] is True and report["findings"] == [], (
        f"tracker check is not clean (exit {code}): {json.dumps(report, indent=1)[:4000]} {err}"
    )
    return report


def first_difference(ours: dict[str, Any], fresh: dict[str, Any]) -> str:
    for name in fresh:
        if ours.get(name) != fresh[name]:
            lines = difflib.unified_diff(
                json.dumps(fresh[name], indent=1, sort_keys=True).splitlines(),
                json.dumps(ours.get(name), indent=1, sort_keys=True).splitlines(),
                "fresh ingest",
                "working database",
                lineterm="",
            )
            return f"{name}:\n" + "\n".join(list(lines)[:80])
    return "(none)"


def files_of(*folders: Path) -> dict[str, bytes]:
    """Every file of the folders, by path, with its bytes (the corpus lock, there only while held, left out)."""
    return {
        str(path): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".tracker.lock"
    }


# -- databases of the backend under test --------------------------------------------------------------------------


class Databases:
    """New databases for one example: SQLite files in its folder, or new databases on the PostgreSQL server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.server: Engine | None = create_engine(TEST_DB, isolation_level="AUTOCOMMIT") if ON_POSTGRESQL else None
        self.made: list[str] = []

    def new(self, label: str) -> str:
        self.count += 1
        if self.server is None:
            return str(self.folder / f"{label}-{self.count}.db")
        self.made.append(_create_database(self.server, label))
        return make_url(TEST_DB).set(database=self.made[-1]).render_as_string(hide_password=False)

    def drop(self, db: str) -> None:
        if self.server is None:
            Path(db).unlink(missing_ok=True)
            return
        name = make_url(db).database
        if name in self.made:
            _drop_database(self.server, name)
            self.made.remove(name)

    def close(self) -> None:
        if self.server is not None:
            for name in list(self.made):
                _drop_database(self.server, name)
            self.server.dispose()


# -- the machine --------------------------------------------------------------------------------------------------

FRESH: dict[str, dict[str, Any] | None] = {}  # a corpus's digest -> the answers of a fresh ingest (None: refused)
TALLY: Counter[str] = Counter()
REASONS: Counter[str] = Counter()

ids_of_items = st.sampled_from(["t1", "t2", "t3", "t4", "s1", "s2", "s3", "b1", "b2", "zz-01"])


class CorpusMachine(RuleBasedStateMachine):
    """A user's operations on a corpus folder and a database; after each ingest, the answers of a fresh one."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="tracker-stateful-"))
        self.seeds, self.fixtures = write_corpus(self.root)
        self.catalog_only = self.root / "catalog-only"
        self.databases = Databases(self.root)
        self.db = self.databases.new("working")
        self.ingested = False  # the working database has had an ingest
        self.synced_with: Path | None = None  # the fixtures folder last ingested, if unchanged since
        self.compare = False  # an ingest has just succeeded: compare its answers with a fresh ingest's
        # What the database holds, as a corpus: the catalogue last ingested, and each article's fixture as last
        # ingested (an ingest leaves an article with no fixture in its folder as it is: README, "A fixture states
        # the full evidence of its article").
        self.held_catalog = b""
        self.held_fixtures: dict[str, bytes] = {}
        self.catalog: dict[str, Any] = json.loads(json.dumps(CATALOG))
        TALLY["examples"] += 1

    def teardown(self) -> None:
        self.databases.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers --

    def articles(self) -> list[str]:
        listed = yaml.safe_load((self.seeds / "articles.yaml").read_text(encoding="utf-8"))
        return [str(a["id"]) for a in listed["articles"]]

    def published(self, article: str) -> str:
        listed = yaml.safe_load((self.seeds / "articles.yaml").read_text(encoding="utf-8"))
        return next(str(a["published_on"]) for a in listed["articles"] if str(a["id"]) == article)

    def quotes(self, article: str) -> list[str]:
        listed = yaml.safe_load((self.seeds / "articles.yaml").read_text(encoding="utf-8"))
        name = next(str(a["file"]) for a in listed["articles"] if str(a["id"]) == article)
        return sentences_of((self.seeds / name).read_text(encoding="utf-8"))

    def evidence_ids(self) -> list[tuple[str, str]]:
        """(article, evidence id) of every item of every fixture."""
        found = []
        for path in sorted(self.fixtures.glob("*.yaml")):
            if path.name == "catalog.yaml":
                continue
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item in document.get("evidence") or []:
                found.append((str(document["article"]), str(item["id"])))
        return found

    def corpus_changed(self) -> None:
        self.synced_with = None

    def ingested_now(self, fixtures: Path) -> None:
        self.ingested = True
        self.synced_with = fixtures
        self.compare = True
        self.held_catalog, self.held_fixtures = self.held_after(fixtures)

    def held_after(self, fixtures: Path) -> tuple[bytes, dict[str, bytes]]:
        """What the database holds once `fixtures` is ingested: its catalogue, its fixtures over those held."""
        held = dict(self.held_fixtures)
        for path in sorted(fixtures.glob("*.yaml")):
            if path.name != "catalog.yaml":
                held[str(yaml.safe_load(path.read_bytes())["article"])] = path.read_bytes()
        return (fixtures / "catalog.yaml").read_bytes(), held

    def one_folder(self, catalog: bytes, held: dict[str, bytes]) -> Path:
        """The fixtures folder whose one ingest into a fresh database gives what the database should hold."""
        folder = self.root / "as-one-ingest"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "catalog.yaml").write_bytes(catalog)
        for article, data in held.items():
            (folder / f"{article}.yaml").write_bytes(data)
        return folder

    @staticmethod
    def refused_why(exc: TrackerError) -> None:
        """Why the operations were refused, in the tally (without paths, lines, ids and dates)."""
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        REASONS[re.sub(r"'[^']*'|\S*/\S*|\b\d[\d-]*\b|\b[a-z]+\d*-\d+\b", "_", first)[:90]] += 1

    def refused(self, what: str, before: dict[str, bytes], digest: str | None) -> None:
        """A refused operation: every corpus file as it was, and the database as it was."""
        TALLY[f"refused {what}"] += 1
        assert files_of(self.seeds, self.fixtures) == before, f"a refused {what} changed the corpus's files"
        if digest is not None:
            assert db_digest(self.db) == digest, f"a refused {what} changed the database"

    def digest(self) -> str | None:
        return db_digest(self.db) if self.ingested else None

    def fresh(self, fixtures: Path) -> dict[str, Any] | None:
        """The answers of one ingest of the seeds and `fixtures` into a new database (None: it was refused)."""
        files = files_of(self.seeds, fixtures)
        key = hashlib.sha256(
            repr(sorted((Path(p).relative_to(self.root).as_posix(), b) for p, b in files.items())).encode()
        ).hexdigest()
        if key not in FRESH:
            TALLY["fresh ingests"] += 1
            db = self.databases.new("fresh")
            try:
                code, _ = ingest(db, self.seeds, fixtures)
                FRESH[key] = answers(db) if code == 0 else None
            finally:
                self.databases.drop(db)
        return FRESH[key]

    def ingest_from(self, fixtures: Path, what: str) -> None:
        TALLY[what] += 1
        synced = self.synced_with == fixtures
        before = self.digest()
        code, err = ingest(self.db, self.seeds, fixtures)
        if code == 0:
            self.ingested_now(fixtures)
            return
        TALLY[f"refused {what}"] += 1
        assert not synced, f"ingesting the corpus the database holds, unchanged, was refused: {err}"
        as_one = self.one_folder(*self.held_after(fixtures))
        assert self.fresh(as_one) is None, f"an ingest was refused that a fresh ingest makes: {err}"
        if before is not None:
            assert db_digest(self.db) == before, "a refused ingest changed the database"
        self.synced_with = None

    # -- rules: ingests --

    @rule()
    def ingest_corpus(self) -> None:
        """`tracker ingest --seeds S --fixtures F`."""
        self.ingest_from(self.fixtures, "ingest")

    @rule()
    def ingest_catalogue_only(self) -> None:
        """An ingest whose fixtures folder holds only the catalogue (a new workspace's first ingest)."""
        shutil.rmtree(self.catalog_only, ignore_errors=True)
        self.catalog_only.mkdir()
        shutil.copy2(self.fixtures / "catalog.yaml", self.catalog_only / "catalog.yaml")
        self.ingest_from(self.catalog_only, "ingest catalogue only")

    @rule()
    def reingest_unchanged(self) -> None:
        """The last ingest again, nothing changed since (or the corpus, if nothing was ingested yet)."""
        self.ingest_from(self.synced_with or self.fixtures, "re-ingest")

    # -- rules: the coding layer --

    def draw_values(self, data: st.DataObject, article: str) -> dict[str, Any]:
        quotes = [*self.quotes(article), "words the article never had"]
        said_on = [None] * 3 + [d for d in SAID_ON if d <= self.published(article)] + [LATER]
        values: dict[str, Any] = {
            "issue": data.draw(st.sampled_from(ISSUES), label="issue"),
            "party": data.draw(st.sampled_from([*PARTIES, None]), label="party"),
            "stance": data.draw(st.sampled_from(STANCES), label="stance"),
            "quote": data.draw(st.sampled_from(quotes), label="quote"),
            "attribution": data.draw(st.sampled_from(ATTRIBUTIONS), label="attribution"),
        }
        extra = {
            "move": data.draw(st.sampled_from([None] * 10 + MOVES), label="move"),
            "said_on": data.draw(st.sampled_from(said_on), label="said_on"),
            "mode": data.draw(st.sampled_from([None, None, None, None, "hypothetical", "background"]), label="mode"),
        }
        if values["party"] is None:  # issue-level evidence: no stance, no move
            del values["party"], values["stance"], extra["move"]
        return {**values, **{k: v for k, v in extra.items() if v is not None}}

    @rule(data=st.data())
    def add_evidence_item(self, data: st.DataObject) -> None:
        """A piece of evidence added through the coding layer (`add_evidence`)."""
        TALLY["add evidence"] += 1
        article = data.draw(st.sampled_from(self.articles()), label="article")
        values = self.draw_values(data, article)
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        try:
            add_evidence(self.seeds, self.fixtures, article, values)
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("add evidence", before, digest)
            return
        self.corpus_changed()

    @rule(data=st.data())
    def coding_save(self, data: st.DataObject) -> None:
        """A save on the coding screen's layer: written into the fixture and ingested, or neither."""
        TALLY["coding save"] += 1
        article = data.draw(st.sampled_from(self.articles()), label="article")
        values = self.draw_values(data, article)
        draft = Draft(
            issue=values["issue"],
            party=values.get("party") or "",
            stance=values.get("stance") or "",
            move=values.get("move") or "",
            quote=values["quote"],
            attribution=values["attribution"],
            said_on=values.get("said_on") or "",
            mode=values.get("mode") or "asserted",
        )
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        database = Database(self.db)
        try:
            Coding(self.seeds, self.fixtures, article, database).save(draft)
        except StoreError:
            raise  # written into the fixture but not ingested: never, with nothing else writing
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("coding save", before, digest)
            return
        finally:
            database.close()
        self.ingested_now(self.fixtures)

    @rule(data=st.data(), stance=st.sampled_from(STANCES), move=st.sampled_from(["kept"] * 5 + [None, *MOVES]))
    def edit_item(self, data: st.DataObject, stance: str, move: str | None) -> None:
        """An item's stance (and move) edited through the coding layer (`edit_evidence`)."""
        TALLY["edit evidence"] += 1
        items = self.evidence_ids()
        if not items:
            return
        article, evidence_id = data.draw(st.sampled_from(items), label="item")
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        try:
            changes = {"stance": stance} if move == "kept" else {"stance": stance, "move": move}
            edit_evidence(self.seeds, self.fixtures, article, evidence_id, changes)
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("edit evidence", before, digest)
            return
        self.corpus_changed()

    @rule(data=st.data())
    def remove_item(self, data: st.DataObject) -> None:
        """An item removed through the coding layer (`remove_evidence`)."""
        TALLY["remove evidence"] += 1
        items = self.evidence_ids()
        if not items:
            return
        article, evidence_id = data.draw(st.sampled_from(items), label="item")
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        try:
            remove_evidence(self.seeds, self.fixtures, article, evidence_id)
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("remove evidence", before, digest)
            return
        self.corpus_changed()

    @rule(data=st.data())
    def empty_fixture(self, data: st.DataObject) -> None:
        """A fixture set to `evidence: []` by hand (unchecked: the next ingest may refuse the corpus)."""
        TALLY["evidence: []"] += 1
        paths = [p for p in sorted(self.fixtures.glob("*.yaml")) if p.name != "catalog.yaml"]
        if not paths:
            return
        path = data.draw(st.sampled_from(paths), label="fixture")
        article = (yaml.safe_load(path.read_text(encoding="utf-8")) or {})["article"]
        path.write_text(f"article: {article}\nevidence: []\n", encoding="utf-8")
        self.corpus_changed()

    # -- rules: articles, import, catalogue --

    @rule(
        article=st.sampled_from(NEW_ARTICLES),
        published=st.sampled_from(PUBLISHED),
        sentences=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3, unique=True),
    )
    def article_add(self, article: str, published: str, sentences: list[str]) -> None:
        """`article add`: a text and its entry in `articles.yaml` (refused when the id is taken)."""
        TALLY["article add"] += 1
        text = (" ".join(sentences) + "\n").encode()
        meta = {"title": article.replace("-", " ").title(), "published_on": published, "date_basis": "stated"}
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        try:
            add_article(self.seeds, text, {**meta, "id": article})
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("article add", before, digest)
            return
        self.corpus_changed()

    @rule(data=st.data(), count=st.integers(1, 2))
    def import_annotations_file(self, data: st.DataObject, count: int) -> None:
        """`import` of a W3C annotation JSON Lines file (new ids, or an item's id: replaced)."""
        TALLY["import"] += 1
        lines = []
        items = self.evidence_ids()
        for n in range(count):
            article = data.draw(st.sampled_from(self.articles()), label="article")
            known = [evidence_id for coded, evidence_id in items if coded == article]
            values = self.draw_values(data, article)
            body: dict[str, Any] = {"type": "TextualBody", "purpose": "tagging"}
            body.update({k: v for k, v in values.items() if k != "quote"})
            annotation: dict[str, Any] = {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": f"urn:example:annotation:{n}",
                "type": "Annotation",
                "body": body,
                "target": {
                    "source": f"{ARTICLE_URN}{article}",
                    "selector": {"type": "TextQuoteSelector", "exact": values["quote"]},
                },
            }
            replaces: bool = bool(known) and data.draw(st.booleans(), label="replaces an item")
            if replaces:
                annotation["id"] = f"{EVIDENCE_URN}{data.draw(st.sampled_from(known), label='evidence id')}"
            lines.append(json.dumps(annotation))
        path = self.root / "annotations.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        before, digest = files_of(self.seeds, self.fixtures), self.digest()
        try:
            import_annotations(path, self.seeds, self.fixtures)
        except TrackerError as exc:
            self.refused_why(exc)
            self.refused("import", before, digest)
            return
        if files_of(self.seeds, self.fixtures) != before:
            self.corpus_changed()

    @rule(party=st.sampled_from(sorted(NEW_ALIASES)))
    def catalogue_alias(self, party: str) -> None:
        """A party's alias added to `catalog.yaml` by hand, or taken out again."""
        TALLY["catalogue alias"] += 1
        entry = next(p for p in self.catalog["parties"] if p["id"] == party)
        alias = NEW_ALIASES[party]
        if alias in entry["aliases"]:
            entry["aliases"].remove(alias)
        else:
            entry["aliases"].append(alias)
        (self.fixtures / "catalog.yaml").write_text(yaml.safe_dump(self.catalog, sort_keys=False), encoding="utf-8")
        self.corpus_changed()

    # -- invariants --

    @invariant()
    def check_is_clean(self) -> None:
        if self.ingested:
            check_report(self.db)

    @invariant()
    def answers_equal_a_fresh_ingest(self) -> None:
        if not self.compare:
            return
        self.compare = False
        TALLY["comparisons"] += 1
        fresh = self.fresh(self.one_folder(self.held_catalog, self.held_fixtures))
        assert fresh is not None, "a fresh ingest refused the corpus the working database ingested"
        ours = answers(self.db)
        assert ours == fresh, (
            "the working database's answers differ from a fresh ingest of the same corpus; first difference, "
            + first_difference(ours, fresh)
        )


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_the_corpus_written_here_ingests() -> None:
    """The starting corpus is valid, and two fresh ingests of it give the same answers (nothing left volatile)."""
    root = Path(tempfile.mkdtemp(prefix="tracker-stateful-"))
    databases = Databases(root)
    try:
        seeds, fixtures = write_corpus(root)
        first, second = databases.new("first"), databases.new("second")
        assert ingest(first, seeds, fixtures)[0] == 0
        assert ingest(second, seeds, fixtures)[0] == 0
        assert answers(first) == answers(second)
        check_report(first)
    finally:
        databases.close()
        shutil.rmtree(root, ignore_errors=True)


def test_any_sequence_of_operations_ends_as_a_fresh_ingest() -> None:
    # Fewer on PostgreSQL, where each example creates its databases on the server.
    examples = int(os.environ.get("TRACKER_STATEFUL_EXAMPLES", "10" if ON_POSTGRESQL else "20"))
    run_state_machine_as_test(CorpusMachine, settings=_settings(examples))


@pytest.mark.slow
def test_any_sequence_of_operations_ends_as_a_fresh_ingest_long(request: pytest.FixtureRequest) -> None:
    """The long run: `pytest -n 0 -m slow -s tests/test_stateful_corpus.py`; prints its tally."""
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("the long run: select it with -m slow")
    TALLY.clear()
    REASONS.clear()
    examples = int(os.environ.get("TRACKER_STATEFUL_SLOW_EXAMPLES", "300"))
    try:
        run_state_machine_as_test(CorpusMachine, settings=_settings(examples))
    finally:
        print("\nwhy operations were refused:", json.dumps(REASONS.most_common(12), indent=1))
        rules = {what: n for what, n in TALLY.items() if what not in ("examples", "comparisons", "fresh ingests")}
        steps = sum(n for what, n in rules.items() if not what.startswith("refused"))
        refused = sum(n for what, n in rules.items() if what.startswith("refused"))
        summary = {"steps": steps, "refused steps": refused}
        print("\nstateful tally:", json.dumps({**dict(sorted(TALLY.items())), **summary}, indent=1))
