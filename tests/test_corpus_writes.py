"""The write side never loses a person's work: every change to a fixture or the article index keeps every byte it
does not mean to change, is checked before it is written, and is written whole, once, over what it read."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
import yaml

from tests.conftest import Run
from tracker.domain.errors import CorpusError, UsageError, WriteRefused
from tracker.ingest import authoring
from tracker.ingest.annotations import import_annotations
from tracker.ingest.authoring import add_article, add_evidence, edit_evidence, remove_evidence

KCS = "kremlin-constructive-spirit"
QUOTE = "Russia had not dropped its insistence on Ukraine withdrawing from its eastern area of Donbas"
SPANS = (
    "Russia had not dropped its insistence",
    "its insistence on Ukraine withdrawing",
    "Ukraine withdrawing from its eastern area of Donbas",
    "the industrial heartland consisting of the regions of Donetsk and Luhansk",
)
NEW = {"issue": "donetsk", "party": "Kremlin", "stance": "demands", "quote": QUOTE, "attribution": "reported"}


def inserted_once(original: bytes, after: bytes) -> bool:
    """Whether `after` is `original` with bytes inserted at one place, and nothing else changed."""
    head = 0
    while head < len(original) and head < len(after) and original[head] == after[head]:
        head += 1
    return after.endswith(original[head:]) and len(after) >= len(original)


def items(path: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8-sig"))["evidence"])


def restyle(path: Path, text: str) -> bytes:
    path.write_bytes(text.encode())
    return text.encode()


def _kcs_items(fixtures: Path) -> list[dict[str, object]]:
    return items(fixtures / f"{KCS}.yaml")


@pytest.mark.parametrize(
    "style",
    ["quoted key", "flow style on one line", "article key after 4 KB", "CRLF, BOM and markers", "four spaces"],
)
def test_a_save_keeps_every_item_and_byte_of_a_fixture_in_any_style(corpus: tuple[Path, Path], style: str) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = document["evidence"]
    if style == "quoted key":
        text = path.read_text(encoding="utf-8").replace("\narticle: ", '\n"article": ')
    elif style == "flow style on one line":
        text = yaml.safe_dump(document, default_flow_style=True, width=1 << 20, allow_unicode=True)
    elif style == "article key after 4 KB":
        body = path.read_text(encoding="utf-8").replace(f"article: {KCS}\n", "")
        text = "# " + "x" * 5000 + "\n" + body + f"article: {KCS}\n"
    elif style == "CRLF, BOM and markers":
        text = "\ufeff---\r\n" + path.read_text(encoding="utf-8").replace("\n", "\r\n") + "...\r\n"
    else:
        text = path.read_text(encoding="utf-8").replace("\n  - ", "\n    -   ").replace("\n    ", "\n        ")
        text = text.replace("\n        -   ", "\n    -   ")
    original = restyle(path, text)
    assert _kcs_items(fixtures) == before
    evidence_id = add_evidence(seeds, fixtures, KCS, NEW)
    after = path.read_bytes()
    assert _kcs_items(fixtures) == [*before, {**NEW, "id": evidence_id, "issue": "donetsk", "party": "Kremlin"}]
    assert inserted_once(original, after), "every byte but the new item's is kept"
    remove_evidence(seeds, fixtures, KCS, evidence_id)
    assert path.read_bytes() == original, "adding then removing gives back the very bytes"


def test_a_refused_save_leaves_the_fixture_byte_for_byte_and_never_deletes_it(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    restyle(path, path.read_text(encoding="utf-8").replace("\narticle: ", '\n"article": '))
    original = path.read_bytes()
    with pytest.raises(CorpusError):
        add_evidence(seeds, fixtures, KCS, {**NEW, "quote": "words that are not in the article"})
    with pytest.raises(CorpusError) as illegal:
        add_evidence(seeds, fixtures, KCS, {**NEW, "stance": "agreed", "attribution": "direct"})
    assert "agreed" in str(illegal.value)
    assert path.read_bytes() == original
    assert not [p for p in fixtures.iterdir() if p.name.endswith(".partial")]


def test_editing_one_field_keeps_the_others_their_comments_and_their_folding(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    evidence_id = add_evidence(seeds, fixtures, KCS, {**NEW, "note": "first"})
    text = path.read_text(encoding="utf-8")
    head, tail = text.split(f"id: {evidence_id}")
    tail = tail.replace(
        "    note: first\n", "    said_at: '09:30'  # the wire's time\n    note: >-\n      folded\n      note\n"
    )
    tail = tail.replace("attribution: reported", "attribution: reported  # as the wire put it")
    path.write_text(head + f"id: {evidence_id}" + tail, encoding="utf-8")
    edit_evidence(seeds, fixtures, KCS, evidence_id, {"speaker": "Dmitry Peskov"})
    edited = path.read_text(encoding="utf-8")
    assert edited == (head + f"id: {evidence_id}" + tail).replace(
        "  # as the wire put it\n", "  # as the wire put it\n", 1
    ).replace("    attribution: reported", "    speaker: Dmitry Peskov\n    attribution: reported", 1)


def test_an_edit_made_meanwhile_is_kept_and_the_stale_one_refused(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    evidence_id = add_evidence(seeds, fixtures, KCS, NEW)
    loaded = next(item for item in items(path) if item["id"] == evidence_id)
    path.write_text(path.read_text(encoding="utf-8").replace("attribution: reported", "attribution: analysis"))
    changed = path.read_bytes()
    with pytest.raises(WriteRefused, match=r"changed .* since it was opened"):
        edit_evidence(seeds, fixtures, KCS, evidence_id, {"speaker": "X"}, expected=loaded)
    assert path.read_bytes() == changed


def test_a_file_changed_between_the_check_and_the_write_is_never_overwritten(
    corpus: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    other = fixtures / "no-lasting-peace-without-territory.yaml"
    check = authoring.CorpusChange.check

    def meanwhile(self: authoring.CorpusChange, store: object = None) -> object:
        found = check(self, store)
        with path.open("a", encoding="utf-8") as out:
            out.write("# an editor's comment\n")
        with other.open("a", encoding="utf-8") as out:
            out.write("# another one\n")
        return found

    monkeypatch.setattr(authoring.CorpusChange, "check", meanwhile)
    with pytest.raises(WriteRefused, match="changed by another program"):
        add_evidence(seeds, fixtures, KCS, NEW)
    assert path.read_text(encoding="utf-8").endswith("# an editor's comment\n")
    assert other.read_text(encoding="utf-8").endswith("# another one\n")


def test_a_full_disk_writes_nothing(corpus: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    original = path.read_bytes()
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteRefused, match="No space left"):
        add_evidence(seeds, fixtures, KCS, NEW)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == original
    assert not [p for p in fixtures.iterdir() if p.name.endswith(".partial")]


def test_a_symlinked_fixture_is_written_through_and_keeps_its_mode(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    seeds, fixtures = corpus
    kept = tmp_path / "elsewhere.yaml"
    (fixtures / f"{KCS}.yaml").rename(kept)
    (fixtures / f"{KCS}.yaml").symlink_to(kept)
    os.chmod(kept, 0o644)
    evidence_id = add_evidence(seeds, fixtures, KCS, NEW)
    assert (fixtures / f"{KCS}.yaml").is_symlink()
    assert evidence_id in kept.read_text(encoding="utf-8")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644


def _save(args: tuple[str, str, int]) -> str:
    seeds, fixtures, n = args
    quote = SPANS[n]
    return add_evidence(Path(seeds), Path(fixtures), KCS, {**NEW, "quote": quote, "note": f"save {n}"})


def test_concurrent_saves_to_one_article_keep_every_item(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    before = len(_kcs_items(fixtures))
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        made = pool.map(_save, [(str(seeds), str(fixtures), n) for n in range(len(SPANS))])
    assert len(set(made)) == len(made)
    assert len(_kcs_items(fixtures)) == before + len(made)


def _add(args: tuple[str, str, int]) -> str:
    seeds, text, n = args
    return add_article(
        Path(seeds),
        text.encode(),
        {"id": f"added-{n}", "title": f"Added {n}", "published_on": "2026-03-01", "date_basis": "stated"},
    ).id


def test_concurrent_article_adds_keep_every_entry(corpus: tuple[Path, Path]) -> None:
    seeds, _ = corpus
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        made = pool.map(_add, [(str(seeds), f"Text {n} of an article.\n", n) for n in range(8)])
    listed = [a["id"] for a in yaml.safe_load((seeds / "articles.yaml").read_text())["articles"]]
    assert set(made) <= set(listed) and len(listed) == 5 + 8


@pytest.mark.parametrize("value", ["no", "yes", "On", "Off", "1e3", "12:30", "null", "~"])
def test_article_add_quotes_what_would_read_as_another_type(corpus: tuple[Path, Path], run: Run, value: str) -> None:
    seeds, fixtures = corpus
    (seeds / "t.txt").parent.mkdir(exist_ok=True)
    text = seeds.parent / "text.txt"
    text.write_text("An article about nothing much.\n")
    added = run("article", "add", str(text), "--seeds", str(seeds), "--id", value if value[0].isalpha() else "x",
                "--title", value, "--published-on", "2026-03-01")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    validated = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert validated.exit_code == 0, validated.stdout + validated.stderr


def test_article_add_to_a_comment_only_index_keeps_the_comments(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "articles.yaml").write_text("# The articles of my corpus.\n# One entry each.\n")
    add_article(seeds, b"Some text.\n", {"title": "A title", "published_on": "2026-03-01", "date_basis": "stated"})
    text = (seeds / "articles.yaml").read_text()
    assert text.startswith("# The articles of my corpus.\n# One entry each.\narticles:\n  - id: 2026-03-01-title\n")


@pytest.mark.parametrize("index", ["articles: {a: 1}\n", "articles: text\n", "- a\n- b\n"])
def test_article_add_to_a_malformed_index_is_a_located_problem(tmp_path: Path, index: str) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "articles.yaml").write_text(index)
    with pytest.raises(CorpusError) as refused:
        add_article(seeds, b"Some text.\n", {"title": "A title", "published_on": "2026-03-01", "date_basis": "stated"})
    assert "articles.yaml:1" in str(refused.value)
    assert (seeds / "articles.yaml").read_text() == index and sorted(p.name for p in seeds.iterdir()) == [
        "articles.yaml"
    ]


def test_a_fifo_in_the_corpus_is_never_waited_on(corpus: tuple[Path, Path], never_waits_for_ever: None) -> None:
    seeds, fixtures = corpus
    os.mkfifo(fixtures / "aaa-first.yaml")
    with pytest.raises(CorpusError, match="FIFO"):
        add_evidence(seeds, fixtures, KCS, NEW)
    os.unlink(fixtures / "aaa-first.yaml")
    os.rename(seeds / "articles.yaml", seeds / "index.yaml")
    os.mkfifo(seeds / "articles.yaml")
    with pytest.raises(UsageError, match="FIFO"):
        add_article(seeds, b"Some text.\n", {"title": "A title", "published_on": "2026-03-01", "date_basis": "stated"})


def test_report_never_overwrites_a_corpus_file(corpus: tuple[Path, Path], run: Run, db: str) -> None:
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    for target in (seeds / "articles.yaml", fixtures / f"{KCS}.yaml", fixtures / "catalog.yaml"):
        before = target.read_bytes()
        refused = run("--db", db, "report", "-o", str(target))
        assert refused.exit_code == 2 and "corpus" in refused.stderr
        assert target.read_bytes() == before


def test_new_ids_never_collide_across_articles_and_a_coder_may_choose_one(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    for n, title in enumerate(("Kyiv says peace near", "Kremlin signals patience now")):
        add_article(seeds, f"Russia demands that Ukraine withdraws, text {n}.\n".encode(), {
            "id": f"k-s-p-n-{n}", "title": title, "published_on": "2026-03-01", "date_basis": "stated"})  # fmt: skip
    quote = "Russia demands that Ukraine withdraws"
    values = {"issue": "donetsk", "party": "russia", "stance": "demands", "quote": quote, "attribution": "direct"}
    first = add_evidence(seeds, fixtures, "k-s-p-n-0", values)
    second = add_evidence(seeds, fixtures, "k-s-p-n-1", values)
    assert first != second
    chosen = add_evidence(seeds, fixtures, "k-s-p-n-1", {**values, "id": "my-own-1", "quote": "Ukraine withdraws"})
    assert chosen == "my-own-1"
    with pytest.raises(UsageError, match="taken by another article"):
        add_evidence(seeds, fixtures, "k-s-p-n-0", {**values, "id": second, "attribution": "reported"})


def test_a_quote_that_occurs_twice_is_saved_with_its_occurrence(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    meta = {"id": "twice", "title": "Twice", "published_on": "2026-03-01", "date_basis": "stated"}
    add_article(seeds, b"Russia demands it. Later: Russia demands it.\n", meta)
    values = {"issue": "donetsk", "party": "russia", "stance": "demands", "quote": "Russia demands it",
              "occurrence": 2, "attribution": "direct"}  # fmt: skip
    evidence_id = add_evidence(seeds, fixtures, "twice", values)
    assert items(fixtures / "twice.yaml") == [{"id": evidence_id, **values}]


def _annotation(ident: str, article: str, quote: str, **body: object) -> dict[str, object]:
    coding = {"issue": "donetsk_withdrawal", "party": "russia", "stance": "demands", "attribution": "reported"}
    return {
        "type": "Annotation",
        "id": f"urn:negotiation-tracker:evidence:{ident}",
        "body": {**coding, **body},
        "target": {"source": f"urn:negotiation-tracker:article:{article}",
                   "selector": {"type": "TextQuoteSelector", "exact": quote}},
    }  # fmt: skip


def test_import_writes_only_the_fixtures_it_changes_and_refuses_illegal_moves(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    seeds, fixtures = corpus
    originals = {p.name: p.read_bytes() for p in fixtures.iterdir()}
    file = tmp_path / "a.jsonl"
    file.write_text(json.dumps(_annotation("new-1", KCS, QUOTE, speaker="No")) + "\n")
    done = import_annotations(file, seeds, fixtures)
    assert done["added"] == ["new-1"]
    changed = [name for name, data in originals.items() if (fixtures / name).read_bytes() != data]
    assert changed == [f"{KCS}.yaml"]
    assert {"id": "new-1", "speaker": "No"}.items() <= next(
        i for i in _kcs_items(fixtures) if i["id"] == "new-1"
    ).items()
    again = import_annotations(file, seeds, fixtures)
    assert again["unchanged"] == ["new-1"], "its own output is taken back as it is"
    before = (fixtures / f"{KCS}.yaml").read_bytes()
    file.write_text(json.dumps(_annotation("new-2", KCS, QUOTE, stance="agreed", attribution="direct")) + "\n")
    with pytest.raises(CorpusError, match=r"a\.jsonl:1"):
        import_annotations(file, seeds, fixtures)
    assert (fixtures / f"{KCS}.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{"type": "Annotation"}\n' * 3 + "{not json\n", 4, "not JSON"),
        (json.dumps({"type": "AnnotationCollection", "first": "https://example.org/page1"}), 1, "first"),
        (json.dumps({"type": "AnnotationPage", "items": 3}), 1, "items"),
        (json.dumps([_annotation("x1", KCS, QUOTE) | {"body": {"issue": "donetsk", "article": ["a"]}}]), 1, "article"),
        (json.dumps([_annotation("x1", KCS, QUOTE, evidence_id=5)]), 1, "evidence_id"),
        (json.dumps([_annotation("x1", KCS, QUOTE), _annotation("x1", KCS, QUOTE)], indent=1), 21, "twice"),
        ('[{"target": {"selector": {"type": "TextPositionSelector", "start": ' + "9" * 5000 + "}}}]", 1, "JSON"),
    ],
)
def test_import_tells_a_bad_file_at_its_line(
    corpus: tuple[Path, Path], tmp_path: Path, content: str, line: int, message: str
) -> None:
    seeds, fixtures = corpus
    originals = {p.name: p.read_bytes() for p in fixtures.iterdir()}
    file = tmp_path / "bad.json"
    file.write_text(content)
    with pytest.raises(CorpusError) as refused:
        import_annotations(file, seeds, fixtures)
    assert f"bad.json:{line}:" in str(refused.value) and message in str(refused.value)
    assert {p.name: p.read_bytes() for p in fixtures.iterdir()} == originals


KILLED_SAVE = """
import sys, time
from pathlib import Path
from tracker.ingest import authoring
import tracker.domain.files as files

seeds, fixtures, where, signal_file = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
stop = authoring.CorpusChange.check if where == "check" else files._check_unchanged

def stopped(*args, **kwargs):
    signal_file.write_text("here")
    time.sleep(60)

if where == "check":
    authoring.CorpusChange.check = stopped
else:
    files._check_unchanged = stopped
authoring.add_evidence(seeds, fixtures, sys.argv[5], {
    "issue": "donetsk", "party": "russia", "stance": "demands", "attribution": "reported",
    "quote": "Russia had not dropped its insistence"})
"""


@pytest.mark.parametrize("where", ["check", "write"])
def test_a_save_killed_halfway_leaves_the_fixture_as_it_was(
    corpus: tuple[Path, Path], tmp_path: Path, where: str
) -> None:
    import signal
    import subprocess
    import sys
    import time

    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    original = path.read_bytes()
    reached = tmp_path / "reached"
    script = tmp_path / "save.py"
    script.write_text(KILLED_SAVE)
    process = subprocess.Popen(
        [sys.executable, str(script), str(seeds), str(fixtures), where, str(reached), KCS],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    deadline = time.monotonic() + 30
    while not reached.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert reached.exists(), "the save reached the point where it is killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert path.read_bytes() == original
    assert not [p for p in fixtures.iterdir() if p.suffix in (".yaml", ".yml") and p.name.startswith(".")]
    again = add_evidence(seeds, fixtures, KCS, NEW)  # the lock a killed save held is free
    assert evidence_id_in(path, again)


def evidence_id_in(path: Path, evidence_id: str) -> bool:
    return any(item["id"] == evidence_id for item in items(path))


# -- found in review: every byte kept, every refusal located -----------------------------------------------------


def test_removing_a_key_keeps_the_comment_lines_after_it(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    evidence_id = add_evidence(seeds, fixtures, KCS, {**NEW, "speaker": "A Spokesman"})
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    speaker: A Spokesman\n", "    speaker: A Spokesman  # the spokesman\n    # checked twice\n"
    )
    path.write_text(text, encoding="utf-8")
    edit_evidence(seeds, fixtures, KCS, evidence_id, {"speaker": None})
    assert path.read_text(encoding="utf-8") == text.replace("    speaker: A Spokesman  # the spokesman\n", "")


def test_an_edit_leaves_a_field_that_says_the_same_as_written(corpus: tuple[Path, Path]) -> None:
    """An explicit said_on of the article's date, a folded note, a time of day however spelt: unchanged."""
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    evidence_id = add_evidence(seeds, fixtures, KCS, NEW)
    text = path.read_text(encoding="utf-8").replace(
        "    attribution: reported\n",
        "    attribution: reported\n    said_on: 2026-01-26  # the article's own date, checked\n"
        "    said_at: '09:00'\n    note: >\n      folded\n      note\n",
    )
    path.write_text(text, encoding="utf-8")
    edit_evidence(
        seeds, fixtures, KCS, evidence_id,
        {"said_on": None, "said_at": "09:00:00", "note": "folded note", "speaker": "A Spokesman"},
    )  # fmt: skip
    assert path.read_text(encoding="utf-8") == text.replace(
        "    attribution: reported\n    said_on", "    speaker: A Spokesman\n    attribution: reported\n    said_on"
    )


@pytest.mark.parametrize("breaks", ["\r", "\u2028"])
def test_a_file_with_other_line_breaks_is_refused_at_its_line(corpus: tuple[Path, Path], breaks: str) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    text = path.read_text(encoding="utf-8")
    odd = text.replace("\n", "\r") if breaks == "\r" else text.replace("evidence:\n", "evidence: # pasted\u2028\n")
    path.write_text(odd, encoding="utf-8", newline="")
    before = path.read_bytes()
    with pytest.raises(CorpusError, match="line break"):
        add_evidence(seeds, fixtures, KCS, NEW)
    assert path.read_bytes() == before


@pytest.mark.parametrize("index", ["---\n...\n", "~\n", "null # none yet\n"])
def test_article_add_to_an_empty_document_is_a_located_problem(tmp_path: Path, index: str) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "articles.yaml").write_text(index)
    with pytest.raises(CorpusError, match="articles: \\[\\]"):
        add_article(seeds, b"Some text.\n", {"title": "A title", "published_on": "2026-03-01", "date_basis": "stated"})
    assert (seeds / "articles.yaml").read_text() == index


def test_an_article_id_that_reads_as_another_type_is_coded_in_a_fixture_that_names_it(
    corpus: tuple[Path, Path],
) -> None:
    seeds, fixtures = corpus
    add_article(seeds, b"Russia demands it.\n", {"id": "no", "title": "No", "published_on": "2026-03-01",
                                                   "date_basis": "stated"})  # fmt: skip
    values = {"issue": "donetsk", "party": "russia", "stance": "demands", "quote": "Russia demands it"}
    add_evidence(seeds, fixtures, "no", {**values, "attribution": "direct"})
    assert (fixtures / "no.yaml").read_text(encoding="utf-8").startswith("article: 'no'\n")


def test_a_seeds_folder_that_cannot_be_made_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder\n")
    with pytest.raises(UsageError, match="cannot make the folder"):
        add_article(tmp_path / "file" / "sub", b"Text.\n", {"title": "T", "published_on": "2026-03-01",
                                                              "date_basis": "stated"})  # fmt: skip


def test_a_question_in_a_flow_style_fixture_is_quoted(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / f"{KCS}.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(document, default_flow_style=True, width=1 << 20), encoding="utf-8")
    evidence_id = add_evidence(seeds, fixtures, KCS, {**NEW, "note": "Who proposed them? Not said"})
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)  # the pure-Python reader takes it too
    assert any(item["id"] == evidence_id and item["note"] == "Who proposed them? Not said" for item in items(path))
