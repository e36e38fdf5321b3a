"""Negotiation-position tracker: where each party stands on each issue, with a verbatim source.

From Python: `tracker.open(db)` gives the answers the command line prints, as typed models, and
`tracker.records(...)` turns a list of them into rows a DataFrame takes. Both load on first use, so that
`tracker --version` loads nothing more than this line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.api import Tracker

__version__ = "0.1.0"
__all__ = ["Tracker", "__version__", "open", "records"]


def open(db: str | None = None, **options: Any) -> Tracker:
    """The tracker database `db`: a SQLite file path or an SQLAlchemy URL; None, the default one."""
    from tracker.api import Tracker

    return Tracker(db, **options)


def records(items: Any) -> list[dict[str, Any]]:
    """Answers (a list of models, such as `state.positions`) as plain dicts with JSON's names: a DataFrame's rows."""
    from tracker.read.models import records as as_records

    return as_records(list(items))


def __getattr__(name: str) -> Any:
    if name == "Tracker":
        from tracker.api import Tracker

        return Tracker
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
