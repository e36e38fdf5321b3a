"""Dates and recorded times as analysts type them, parsed one way for every front end.

A date is `YYYY-MM-DD` and only that (Python alone would also take 20260206).
A recorded time (`--known-at`) is a date, meaning the end of that day in UTC,
or an ISO datetime; without a zone it is UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date, "T" (or a space), a time to the minute or finer, and a zone if any: nothing Python would merely put up with.
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD; `ValueError` naming the form otherwise."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None


def parse_recorded_time(text: str) -> datetime:
    """A recorded time in UTC: an ISO date (the end of that day) or an ISO datetime (UTC unless zoned).

    It must fall within the years 1 to 9999 once in UTC (`0001-01-01T00:00:00+05:00` does not).
    """
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(parse_date(text), time.max, tzinfo=UTC)
        parse_date(text[:10])
        if not ISO_DATETIME.fullmatch(text):
            raise ValueError(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date or datetime (2026-02-06 or 2026-02-06T12:00:00Z)") from None
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError(
            f"{text!r} is outside the times the tracker reads: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        ) from None


def shifted(day: date, days: int) -> date:
    """`day` moved by `days`, held within the calendar (0001-01-01 to 9999-12-31): dates typed may be either end."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def moment(value: datetime) -> str:
    """A recorded time as typed: a date when it is the end of a day, else an ISO datetime in UTC."""
    if value.time() == time.max:
        return value.date().isoformat()
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def since_words(since: date | None, exact: bool = True) -> str | date | None:
    """A stance's since as shown: the day, or "by DAY" where it is known held only by then (a recap entered it)."""
    if since is None or exact:
        return since
    return f"by {since.isoformat()}"


def since_phrase(since: date | None, exact: bool = True) -> str:
    """ "since DAY", or "by DAY" where the stance is known held only by then (a recap entered it)."""
    if since is None:
        return ""
    return f"since {since.isoformat()}" if exact else f"by {since.isoformat()}"
