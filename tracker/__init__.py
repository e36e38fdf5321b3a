"""Negotiation-position tracker: where each party stands on each issue, with a verbatim source."""

__version__ = "0.1.0"
