"""The EDTF parser (levels 0 and 1) against the examples of the Library of Congress specification, and `said_on`.

Each example of levels 0 and 1 parses, at its level, to the days it covers;
the examples of level 2 and malformed values are refused with a reason.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.domain.edtf import SAID_ON_FORMS, EdtfError, SaidOn, parse, said_on

# The specification's examples of level 0, with the first and last day each covers.
LEVEL_0 = {
    # Date: complete, reduced to a month, reduced to a year
    "1985-04-12": ((1985, 4, 12), (1985, 4, 12)),
    "1985-04": ((1985, 4, 1), (1985, 4, 30)),
    "1985": ((1985, 1, 1), (1985, 12, 31)),
    # Date and time: local, UTC, with a shift of hours, with a shift of hours and minutes
    "1985-04-12T23:20:30": ((1985, 4, 12), (1985, 4, 12)),
    "1985-04-12T23:20:30Z": ((1985, 4, 12), (1985, 4, 12)),
    "1985-04-12T23:20:30-04": ((1985, 4, 12), (1985, 4, 12)),
    "1985-04-12T23:20:30+04:30": ((1985, 4, 12), (1985, 4, 12)),
    # Time interval
    "1964/2008": ((1964, 1, 1), (2008, 12, 31)),
    "2004-06/2006-08": ((2004, 6, 1), (2006, 8, 31)),
    "2004-02-01/2005-02-08": ((2004, 2, 1), (2005, 2, 8)),
    "2004-02-01/2005-02": ((2004, 2, 1), (2005, 2, 28)),
    "2004-02-01/2005": ((2004, 2, 1), (2005, 12, 31)),
    "2005/2006-02": ((2005, 1, 1), (2006, 2, 28)),
}

# The specification's examples of level 1.
LEVEL_1 = {
    # Letter-prefixed calendar year
    "Y170000002": ((170000002, 1, 1), (170000002, 12, 31)),
    "Y-170000002": ((-170000002, 1, 1), (-170000002, 12, 31)),
    # Seasons (spring 2001; the others of the year)
    "2001-21": ((2001, 3, 1), (2001, 5, 31)),
    "2001-22": ((2001, 6, 1), (2001, 8, 31)),
    "2001-23": ((2001, 9, 1), (2001, 11, 30)),
    "2001-24": ((2001, 12, 1), (2002, 2, 28)),
    # Qualification of a date: uncertain, approximate, both
    "1984?": ((1984, 1, 1), (1984, 12, 31)),
    "2004-06~": ((2004, 6, 1), (2004, 6, 30)),
    "2004-06-11%": ((2004, 6, 11), (2004, 6, 11)),
    # Unspecified digits from the right
    "201X": ((2010, 1, 1), (2019, 12, 31)),
    "20XX": ((2000, 1, 1), (2099, 12, 31)),
    "2004-XX": ((2004, 1, 1), (2004, 12, 31)),
    "1985-04-XX": ((1985, 4, 1), (1985, 4, 30)),
    "1985-XX-XX": ((1985, 1, 1), (1985, 12, 31)),
    # Extended interval: open end, unknown end, unknown start, open start
    "1985-04-12/..": ((1985, 4, 12), None),
    "1985-04/..": ((1985, 4, 1), None),
    "1985/..": ((1985, 1, 1), None),
    "/1985-04-12": (None, (1985, 4, 12)),
    "/1985-04": (None, (1985, 4, 30)),
    "/1985": (None, (1985, 12, 31)),
    "1985-04-12/": ((1985, 4, 12), None),
    "1985-04/": ((1985, 4, 1), None),
    "1985/": ((1985, 1, 1), None),
    "../1985-04-12": (None, (1985, 4, 12)),
    "../1985-04": (None, (1985, 4, 30)),
    "../1985": (None, (1985, 12, 31)),
    # ... with qualified dates
    "1984~/2004-06": ((1984, 1, 1), (2004, 6, 30)),
    "1984/2004-06~": ((1984, 1, 1), (2004, 6, 30)),
    "1984~/2004~": ((1984, 1, 1), (2004, 12, 31)),
    "-1984?/2004%": ((-1984, 1, 1), (2004, 12, 31)),
    "1984?/2004-06~": ((1984, 1, 1), (2004, 6, 30)),
    "1984-06?/2004-08?": ((1984, 6, 1), (2004, 8, 31)),
    "1984-06-02?/2004-08-08~": ((1984, 6, 2), (2004, 8, 8)),
    "1984-06-02?/..": ((1984, 6, 2), None),
    # Negative calendar year
    "-1985": ((-1985, 1, 1), (-1985, 12, 31)),
}

# The specification's examples of level 2: not levels 0 and 1.
LEVEL_2 = [
    "Y-17E7",  # exponential year
    "1950S2",  # significant digits
    "2001-25",  # sub-year groupings past the seasons
    "2001-33",
    "[1667,1668,1670..1672]",  # one of a set
    "{1667,1668,1670..1672}",  # all of a set
    "2004-06-~11",  # qualification of a component
    "?2004-06-~11",
    "2004-?06-11",
    "156X-12-25",  # unspecified digits within a component
    "15XX-12-25",
    "1XXX-XX",
    "1984-1X",
    "2004-06-~01/2004-06-~20",  # interval with qualified components
    "2004-06-XX/2004-07-03",
]

MALFORMED = [
    "",
    " 2026-02-17",
    "2026-02-17 ",
    "2026-2-17",
    "26-02-17",
    "2026-13",
    "2026-00",
    "2026-02-30",
    "2023-02-29",
    "2026-02-17??",
    "2026-02?-17",
    "2026/02/17",
    "17/02/2026",
    "2026-02-18/2026-02-17",  # ends before it starts
    "2026/2025",
    "/",
    "../..",
    "../",
    "2026-02-17/2026-02-18/2026-02-19",
    "-0000",
    "Y2026",  # a Y-year has more than four digits
    "y170000002",
    "2026-02-17t10:00:00",
    "2026-02-17T24:00:00",
    "2026-02-17T10:00",
    "2026-02-17T10:00:00/2026-02-18",  # level 0 intervals are of dates
    "XXXX",
    "201X-05",
    "February 2026",
    "2026-02-17 to 2026-02-18",
]


@pytest.mark.parametrize("text", LEVEL_0)
def test_level_0_examples(text: str) -> None:
    span = parse(text)
    assert (span.first, span.last) == LEVEL_0[text]
    assert span.level == 0
    assert span.text == text


@pytest.mark.parametrize("text", LEVEL_1)
def test_level_1_examples(text: str) -> None:
    span = parse(text)
    assert (span.first, span.last) == LEVEL_1[text]
    assert span.level == 1


@pytest.mark.parametrize("text", LEVEL_2)
def test_level_2_examples_are_refused(text: str) -> None:
    with pytest.raises(EdtfError):
        parse(text)


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_values_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(EdtfError, match=r"\S"):
        parse(text)


def test_features_are_told() -> None:
    assert parse("2026-02-17?").qualified and not parse("2026-02-17").qualified
    assert parse("2026-02-17/2026-02-18").interval and not parse("2026-02").interval
    assert parse("2026-21").season and not parse("2026-12").season
    assert parse("2026-02-17T10:00:00Z").time


def test_leap_days() -> None:
    assert parse("2024-02").last == (2024, 2, 29)
    assert parse("2000-02-29").last == (2000, 2, 29)
    assert parse("0000-02-29").first == (0, 2, 29)  # year 0 is a leap year, as 2000 is
    with pytest.raises(EdtfError, match="not a day of the calendar"):
        parse("1900-02-29")


def test_reasons_point_at_the_mistake() -> None:
    def reason(text: str) -> str:
        with pytest.raises(EdtfError) as caught:
            parse(text)
        return str(caught.value)

    assert "two digits" in reason("2026-2-17")
    assert "ends before it starts" in reason("2026-02-18/2026-02-17")
    assert "at the end of a date" in reason("2004-?06-11")
    assert "unspecified digits" in reason("156X-12-25")
    assert "only from the right" in reason("2004-X6")
    assert "level 2" in reason("2004-06-XX/2004-07-03")
    assert "not a month" in reason("2026-13")
    assert "neither a start nor an end" in reason("../..")


# said_on: what a fixture or a feed may give, and the end evidence counts from.
SAID_ON = {
    "2026-02-17": SaidOn(date(2026, 2, 17)),
    "2026-02": SaidOn(date(2026, 2, 28), "2026-02"),
    "2024-02": SaidOn(date(2024, 2, 29), "2024-02"),
    "2026": SaidOn(date(2026, 12, 31), "2026"),
    "2026-02-17/2026-02-18": SaidOn(date(2026, 2, 18), "2026-02-17/2026-02-18"),
    "../2026-02-18": SaidOn(date(2026, 2, 18), "../2026-02-18"),
    "/2026-02-18": SaidOn(date(2026, 2, 18), "/2026-02-18"),
    "2026-02-17?": SaidOn(date(2026, 2, 17), "2026-02-17?"),
    "2026-02~": SaidOn(date(2026, 2, 28), "2026-02~"),
    "2026-02-17%": SaidOn(date(2026, 2, 17), "2026-02-17%"),
    "2026-02-XX": SaidOn(date(2026, 2, 28), "2026-02-XX"),
    "202X": SaidOn(date(2029, 12, 31), "202X"),
}


@pytest.mark.parametrize("text", SAID_ON)
def test_said_on_counts_from_the_end_of_its_span(text: str) -> None:
    assert said_on(text) == SAID_ON[text]
    assert said_on(text).shown == text


def test_said_on_as_yaml_reads_it() -> None:
    assert said_on(date(2026, 2, 17)) == SaidOn(date(2026, 2, 17))  # an unquoted day is a date
    assert said_on(2026) == SaidOn(date(2026, 12, 31), "2026")  # an unquoted year is a number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-02-17/..", "has no end"),
        ("2026-02-17/", "has no end"),
        ("2026-21", "season"),
        ("2026-02-17T10:00:00", "said_at"),
        (datetime(2026, 2, 17, 10), "said_at"),
        ("2026-02-30", "not a day of the calendar"),
        ("-1985", "outside the years 1 to 9999"),
        ("Y170000002", "outside the years 1 to 9999"),
        ("Feb 2026", "not an EDTF date"),
        (True, "must be an EDTF date"),
        (2026.5, "must be an EDTF date"),
        ([2026], "must be an EDTF date"),
    ],
)
def test_said_on_refuses_with_the_accepted_forms(value: object, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        said_on(value)
    assert reason in str(caught.value)
    assert SAID_ON_FORMS in str(caught.value)
