"""A briefing in the format asked for: Markdown, self-contained HTML, or JSON (the report model itself)."""

from __future__ import annotations

from tracker.output import to_json
from tracker.report import Report
from tracker.report_html import render_html
from tracker.report_markdown import render_markdown

REPORT_FORMATS = ("md", "html", "json")


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return to_json(report) + "\n"
    if fmt == "html":
        return render_html(report)
    return render_markdown(report)
