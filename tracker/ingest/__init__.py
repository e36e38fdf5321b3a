"""Ingest: reading a corpus (folders of YAML, or a JSONL feed), checking it, and bringing it into the store."""
