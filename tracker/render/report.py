"""A briefing in the format asked for: Markdown, self-contained HTML, or JSON (the report model itself)."""

from __future__ import annotations

from tracker.read.briefing import Report
from tracker.render.html import render_html
from tracker.render.markdown import render_markdown
from tracker.render.output import to_json


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return to_json(report) + "\n"
    if fmt == "html":
        return render_html(report)
    return render_markdown(report)
