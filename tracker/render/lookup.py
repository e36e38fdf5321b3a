"""What `tracker search` and `tracker show` print: hits as a table, one piece of evidence or one article as a
card. Text from articles is shown inert, as everywhere."""

from __future__ import annotations

from typing import Any

from tracker.domain.untrusted import safe_text
from tracker.read.lookup import ArticleDetail, EvidenceDetail, SearchResult
from tracker.read.models import said_on_shown
from tracker.render.output import Column, Table, _csv, _markdown, _plain, to_json, who

SEARCH_COLUMNS = [
    Column("kind", "kind"),
    Column("id", "id"),
    Column("date", "date"),
    Column("issue", "issue"),
    Column("party", "party"),
    Column("source", "source", shrinks=2, table_only=True, drops=1),
    Column("speaker", csv_only=True),
    Column("attribution", csv_only=True),
    Column("text", "quote or title", shrinks=3, floor=20),
]


def search_table(result: SearchResult) -> Table:
    records: list[dict[str, Any]] = []
    for hit in result.evidence:
        ref = hit.evidence
        records.append(
            {
                "kind": "evidence",
                "id": ref.id,
                "date": said_on_shown(ref),
                "issue": hit.issue,
                "party": hit.party or "(issue)",
                "source": who(ref, hit.party),
                "speaker": ref.speaker,
                "attribution": ref.attribution,
                "text": ref.quote,
            }
        )
    for article in result.articles:
        records.append({"kind": "article", "id": article.id, "date": article.published_on, "text": article.title})
    caption = f"Found {result.evidence_total} piece(s) of evidence and {result.articles_total} article(s)"
    shown = len(result.evidence) + len(result.articles)
    if shown < result.evidence_total + result.articles_total:
        caption += f", the newest {shown} shown (--all lists every one)"
    return Table(caption, SEARCH_COLUMNS, records)


def render_search(result: SearchResult, fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return to_json(result) + "\n"
    table = search_table(result)
    if fmt == "csv":
        return _csv(table)
    if fmt == "md":
        return _markdown(table)
    return _plain(table, width)


def _lines(pairs: list[tuple[str, Any]]) -> list[str]:
    return [f"{label + ':':<16}{safe_text(str(value))}" for label, value in pairs if value not in (None, "")]


def _flat(text: str) -> str:
    """Words around a quote on one line: its line breaks read as spaces."""
    return safe_text(" ".join(text.split()))


def render_show(detail: EvidenceDetail | ArticleDetail, fmt: str) -> str:
    if fmt == "json":
        return to_json(detail) + "\n"
    if isinstance(detail, EvidenceDetail):
        ref = detail.evidence
        made = (
            f"{detail.move}: {detail.stance_from} → {detail.stance_to}"
            if detail.move
            else f"moved nothing ({detail.not_applied or ref.mode})"
            if detail.party
            else "issue-level: names the issue, moves no position"
        )
        lines = [f"Evidence {safe_text(ref.id)}", ""]
        lines += _lines(
            [
                ("position", f"{detail.party} on {detail.issue}" if detail.party else f"{detail.issue} (the issue)"),
                ("stance", ref.stance),
                ("made", made),
                ("said on", said_on_shown(ref) if ref.said_at is None else f"{said_on_shown(ref)} {ref.said_at}"),
                ("source", who(ref, detail.party)),
                ("mode", ref.mode),
                ("kind", ref.kind),  # issue-level evidence's: sticking point, progress, (partly) implemented
                ("condition", ref.condition),
                ("article", f"{ref.article}: {ref.article_title}"),
                ("outlet", detail.outlet),
                ("published", detail.published_on),
                ("url", detail.url),
                ("characters", f"{ref.start}-{ref.end}"),
                ("note", ref.note),
            ]
        )
        lines += [
            "",
            "In its article:",
            "",
            f"  …{_flat(detail.before)} [{_flat(ref.quote)}] {_flat(detail.after)}…",
        ]
        return "\n".join(lines) + "\n"
    lines = [f"Article {safe_text(detail.id)}", ""]
    lines += _lines(
        [
            ("title", detail.title),
            ("outlet", detail.outlet),
            ("published", f"{detail.published_on} ({detail.date_basis})"),
            ("date evidence", detail.date_evidence),
            ("url", detail.url),
            ("file", detail.file),
        ]
    )
    lines += ["", f"Evidence coded from it ({len(detail.evidence)}):", ""]
    for hit in detail.evidence:
        ref = hit.evidence
        position = f"{hit.party} on {hit.issue}" if hit.party else f"{hit.issue} (issue)"
        lines.append(safe_text(f"  {ref.id}  {position}: {ref.stance or '-'} ({ref.mode}, {who(ref, hit.party)})"))
        lines.append(safe_text(f"      “{ref.quote}”"))
    return "\n".join(lines) + "\n"
