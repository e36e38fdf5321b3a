"""EDTF, the Library of Congress Extended Date/Time Format, levels 0 and 1: a date as written, and the days it spans.

Level 0 is ISO 8601's calendar date at the precision known (`1985-04-12`,
`1985-04`, `1985`), a date and time (`1985-04-12T23:20:30`, with `Z` or an
offset) and an interval of two dates (`2004-02-01/2005-02`). Level 1 adds a
qualifier at the end of a date (`?` uncertain, `~` approximate, `%` both),
unspecified digits from the right (`201X`, `20XX`, `2004-XX`, `1985-04-XX`,
`1985-XX-XX`), seasons (`2001-21` to `2001-24`), negative years (`-1985`),
years of more than four digits (`Y170000002`), and intervals whose dates are
qualified or whose start or end is unknown (`/1985`, `1985/`) or open
(`../1985`, `1985/..`). Level 2 (partial qualification, sets, `X` inside a
component...) is refused.

A parse gives the first and last day a value covers, as (year, month, day)
numbers, since EDTF's years run past what `datetime.date` holds. A qualifier
leaves the span as written: `2004-06~` covers June 2004. A season covers the
meteorological season of the northern hemisphere (spring March to May, summer
June to August, autumn September to November, winter December to February of
the next year). Hand-written, as one regular expression per form: the `edtf`
package on PyPI raises on the open intervals of level 1, accepts level 2
unasked, and takes milliseconds a value where an ingest reads a million.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

Day = tuple[int, int, int]  # (year, month, day); a year may be 0, negative or past 9999

SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# The months a season covers: (first month, last month, the last month's year after the season's).
_SEASON_MONTHS = {21: (3, 5, 0), 22: (6, 8, 0), 23: (9, 11, 0), 24: (12, 2, 1)}

_QUALIFIER = r"(?P<q>[?~%])?"
# A date of level 0 or 1 (no time): its year, then a month (or season) and a day, each of them maybe unspecified.
_DATE = re.compile(
    r"(?P<year>-?[0-9]{4}|[0-9]{3}X|[0-9]{2}XX)(?:-(?P<month>[0-9]{2}|XX)(?:-(?P<day>[0-9]{2}|XX))?)?" + _QUALIFIER
)
_LONG_YEAR = re.compile(r"Y(?P<year>-?[1-9][0-9]{4,})")
_TIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})"
    r"(?:Z|[+-](?P<oh>[0-9]{2})(?::(?P<om>[0-9]{2}))?)?"
)


class EdtfError(ValueError):
    """Not an EDTF value of levels 0 and 1; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Span:
    """An EDTF value: as written, and the first and last day it covers (None: an unknown or open end)."""

    text: str
    first: Day | None
    last: Day | None
    level: int  # 0 or 1: the lowest level that has every feature the value uses
    interval: bool = False
    qualified: bool = False  # uncertain, approximate or both (`?`, `~`, `%`) somewhere in it
    season: bool = False
    time: bool = False  # a date and time of day (level 0): its span is that day

    def last_date(self) -> date | None:
        """The last day as a `datetime.date`, where it has one; EdtfError where it is outside the years 1 to 9999."""
        return None if self.last is None else _as_date(self.last)


def parse(text: str) -> Span:
    """The EDTF value `text` (levels 0 and 1), exactly as written: no space around it, no lower-case letters."""
    if "/" in text:
        return _interval(text)
    timed = _TIME.fullmatch(text)
    if timed is not None:
        _check_time(timed)
        first, last, _ = _date(timed["date"], text)
        return Span(text, first, last, level=0, time=True)
    first, last, level = _date(text, text)
    return Span(text, first, last, level, qualified=text[-1] in "?~%", season=_is_season(text))


def _interval(text: str) -> Span:
    start, _, end = text.partition("/")
    if "/" in end:
        raise EdtfError(f"{text!r} has more than one '/': an interval is START/END")
    if start in ("", "..") and end in ("", ".."):
        raise EdtfError(f"{text!r} has neither a start nor an end: an interval needs at least one date")
    level = 0
    first: Day | None = None
    last: Day | None = None
    if "X" in text:
        raise EdtfError(f"{text!r}: an interval of dates with unspecified digits (X) is level 2, not levels 0 and 1")
    if start in ("", ".."):
        level = 1
    else:
        first, _, start_level = _date(start, text)
        level = max(level, start_level)
    if end in ("", ".."):
        level = 1
    else:
        _, last, end_level = _date(end, text)
        level = max(level, end_level)
    if first is not None and last is not None and first > last:
        raise EdtfError(f"{text!r} ends before it starts")
    return Span(text, first, last, level, interval=True, qualified=any(c in text for c in "?~%"))


def _date(text: str, whole: str) -> tuple[Day, Day, int]:
    """The first and last day of one date of an interval or of a whole value, and its level."""
    long_year = _LONG_YEAR.fullmatch(text)
    if long_year is not None:
        year = int(long_year["year"])
        return (year, 1, 1), (year, 12, 31), 1
    found = _DATE.fullmatch(text)
    if found is None:
        raise EdtfError(_why_not(text, whole))
    year_text, month_text, day_text = found["year"], found["month"], found["day"]
    level = 1 if found["q"] or year_text.startswith("-") or "X" in text else 0
    if "X" in year_text and month_text is not None:
        raise EdtfError(f"{whole!r}: a year with unspecified digits (level 1) has no month or day")
    if year_text == "-0000":
        raise EdtfError(f"{whole!r}: the year -0000 is written 0000")
    if "X" in year_text:
        known = year_text.rstrip("X")
        unknown = len(year_text) - len(known)
        low = int(known) * 10**unknown
        return (low, 1, 1), (low + 10**unknown - 1, 12, 31), 1
    year = int(year_text)
    if month_text is None:
        return (year, 1, 1), (year, 12, 31), level
    if month_text == "XX":
        if day_text is not None and day_text != "XX":
            raise EdtfError(f"{whole!r}: a day under an unspecified month is level 2, not levels 0 and 1")
        return (year, 1, 1), (year, 12, 31), 1
    month = int(month_text)
    if month in SEASONS:
        if day_text is not None:
            raise EdtfError(f"{whole!r}: a season ({month}: {SEASONS[month]}) has no day")
        first_month, last_month, next_year = _SEASON_MONTHS[month]
        last_year = year + next_year
        return (year, first_month, 1), (last_year, last_month, _days_in(last_year, last_month)), 1
    if not 1 <= month <= 12:
        raise EdtfError(f"{whole!r}: month {month_text} is not a month (01 to 12, or a season 21 to 24)")
    days = _days_in(year, month)
    if day_text is None or day_text == "XX":
        return (year, month, 1), (year, month, days), level if day_text is None else 1
    day = int(day_text)
    if not 1 <= day <= days:
        raise EdtfError(f"{whole!r}: {text.rstrip('?~%')} is not a day of the calendar")
    return (year, month, day), (year, month, day), level


def _why_not(text: str, whole: str) -> str:
    shown = repr(whole)
    if text != text.strip():
        return f"{shown} has a space in it"
    if re.fullmatch(r"-?[0-9]{1,3}(-.*)?", text):
        return f"{shown}: a year has four digits (0 to 9999), or more after a 'Y' (Y12000)"
    if re.fullmatch(r"[0-9]{4}-[0-9](-.*)?|[0-9]{4}-[0-9]{2}-[0-9]", text):
        return f"{shown}: a month and a day have two digits each (2026-02-07)"
    if re.search(r"[?~%].", text):
        return f"{shown}: a qualifier (?, ~, %) comes at the end of a date (qualifying a part of it is level 2)"
    if re.fullmatch(r"[0-9X]{4}(-[0-9X]{2}){0,2}[?~%]?", text):
        return f"{shown}: digits may be unspecified (X) only from the right: 201X, 20XX, 2004-XX, 2004-06-XX"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T.*", text):
        return f"{shown}: a time of day is hh:mm:ss, then Z or an offset (+04, -04:30) if any"
    return f"{shown} is not an EDTF date"


def _check_time(found: re.Match[str]) -> None:
    hour, minute, second = int(found["h"]), int(found["m"]), int(found["s"])
    offset_hour = int(found["oh"] or 0)
    offset_minute = int(found["om"] or 0)
    if hour > 23 or minute > 59 or second > 59 or offset_hour > 23 or offset_minute > 59:
        raise EdtfError(f"{found.string!r}: {found.string[11:]} is not a time of day")


def _is_season(text: str) -> bool:
    found = _DATE.fullmatch(text)
    return found is not None and found["month"] is not None and found["month"] != "XX" and int(found["month"]) > 12


def _days_in(year: int, month: int) -> int:
    """Days in a month of the proleptic Gregorian calendar, in any year (year 0 is a leap year, as 2000 is)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return monthrange(2001, month)[1]


def _as_date(day: Day) -> date:
    year, month, number = day
    if not 1 <= year <= 9999:
        raise EdtfError(f"the year {year} is outside the years 1 to 9999")
    return date(year, month, number)


# What `said_on` takes, as a coder reads it in a message.
SAID_ON_FORMS = (
    "a day (2026-02-17), a month (2026-02), a year (2026), an interval (2026-02-17/2026-02-18, or ../2026-02-18 "
    "ending then), uncertain (2026-02-17?), approximate (2026-02~) or both (2026-02-17%)"
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SaidOn(NamedTuple):
    """When evidence was said: the last day of its span, and the EDTF as written where it is not that plain day."""

    end: date  # evidence counts from here in as-of answers, and is replayed on this day
    written: str | None = None  # None: a plain day, `end` itself

    @property
    def shown(self) -> str:
        return self.written if self.written is not None else self.end.isoformat()


def said_on(value: object) -> SaidOn:
    """A `said_on` as a fixture (YAML: a day comes as a date, a year as a number) or a feed (JSON text) gives it.

    ValueError, naming the accepted forms, for anything else: a time of day (said_at has it), a season (its months
    depend on the hemisphere), or a span without an end (evidence counts from the end of its span).
    """
    if isinstance(value, datetime):
        raise ValueError(f'a time of day goes in said_at ("14:30"), not in said_on; said_on is {SAID_ON_FORMS}')
    if isinstance(value, date):
        return SaidOn(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)  # YAML reads `said_on: 2026` as a number
    elif isinstance(value, str):
        text = value
    else:
        raise ValueError(f"must be an EDTF date: {SAID_ON_FORMS}")
    if _DAY.fullmatch(text):
        try:
            return SaidOn(date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"{text!r} is not a day of the calendar; said_on is {SAID_ON_FORMS}") from None
    try:
        span = parse(text)
        end = span.last_date()
    except EdtfError as exc:
        raise ValueError(f"{exc}; said_on is {SAID_ON_FORMS}") from None
    if span.time:
        raise ValueError(f'{text!r}: a time of day goes in said_at ("14:30"); said_on is {SAID_ON_FORMS}')
    if span.season:
        raise ValueError(
            f"{text!r} is a season, whose months depend on the hemisphere: give them as an interval "
            f"(2026-03/2026-05); said_on is {SAID_ON_FORMS}"
        )
    if end is None:
        raise ValueError(
            f"{text!r} has no end: evidence counts from the end of its span, so give the end "
            f"(../2026-02-18 is 'by 18 February'); said_on is {SAID_ON_FORMS}"
        )
    return SaidOn(end, None if text == end.isoformat() else text)
