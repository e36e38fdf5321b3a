"""Pydantic's validation errors, told as located problems in the words of a person fixing a file.

Fixtures, article metadata and the catalogue all report through here, so a
misspelt field or a bad date reads the same wherever it is.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from tracker.domain.errors import Problem
from tracker.domain.machines import KNOWN_STANCES
from tracker.domain.yamlfile import Located


def _shown(value: Any) -> str:
    """A typed value as the person typed it, never as a Python repr."""
    if value is None:
        return "nothing"
    if isinstance(value, (date, datetime)):
        return f"'{value.isoformat()}'"
    if isinstance(value, bool):
        return "true" if value else "false"  # as YAML and JSON spell it
    if isinstance(value, (list, dict)):
        return "a " + ("list" if isinstance(value, list) else "mapping")
    return repr(str(value)) if not isinstance(value, (int, float, bool)) else str(value)


_DATE_ERRORS = {"date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"}
_SHOW_INPUT = {"literal_error", "enum", "string_pattern_mismatch", "string_type", "int_type", "int_parsing"}


def located_problems(
    exc: ValidationError, where: str, node: Located, model: type[BaseModel] | None = None, prefix: str = ""
) -> list[Problem]:
    """Pydantic's errors as located problems, in the words of a person fixing a file."""
    errors = exc.errors()
    missing = {str(e["loc"][0]) for e in errors if e["type"] == "missing" and e["loc"]}
    known_fields = list(model.model_fields) if model else []
    explained: set[str] = set()
    problems = []
    for err in errors:
        loc = [str(part) for part in err["loc"]]
        message = str(err["msg"]).removeprefix("Value error, ")
        field_name = ".".join(loc)
        if not loc and ": " in message:
            field_name, message = message.split(": ", 1)
        kind = err["type"]
        given = _shown(err.get("input"))
        if kind in _DATE_ERRORS and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(err.get("input"))):
            message = f"{given} is not a day of the calendar"
        elif kind in _DATE_ERRORS:
            message = f"not a date in the form YYYY-MM-DD, got {given}"
        elif kind == "int_type":
            message = f"must be a whole number, got {given}"
        elif kind == "string_type":
            message = f"must be text, got {given}"
        elif kind == "string_too_short" and err.get("ctx", {}).get("min_length") == 1:
            message = "is empty"
        elif field_name.endswith("stance") and kind == "enum":
            message = f"{given} is not a stance; one of: {', '.join(s.value for s in KNOWN_STANCES)}"
        elif kind == "enum":
            message = f"{given} is not one of: {str(err.get('ctx', {}).get('expected', '')).replace(' or ', ', ')}"
        elif kind in _SHOW_INPUT:
            message = f"{message}, got {given}"
        elif kind == "extra_forbidden":
            close = difflib.get_close_matches(field_name, known_fields, n=1)
            message = f"unknown field (did you mean '{close[0]}'?)" if close else "unknown field"
            if close and close[0] in missing:
                explained.add(close[0])
        elif kind == "missing":
            message = "required field is missing"
        line = node.line_of(field_name.split(".")[0] if field_name else None)
        problems.append(Problem(where, line, field_name, message))
    # A misspelt required field is one mistake: keep "did you mean", drop "missing".
    kept = [p for p in problems if not (p.field in explained and p.message == "required field is missing")]
    return [Problem(p.path, p.line, prefix + p.field, p.message) for p in kept]
