"""Rendering results for people and scripts: tables, JSON, CSV and Markdown, and briefings in Markdown and HTML."""
