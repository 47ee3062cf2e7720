"""JSON text for operators' tools (admin API bodies, `--json` CLI output).

Money (`Decimal`) is written as a string so no float ever touches it;
datetimes and dates are ISO 8601; dataclasses and pydantic models as objects.
"""

from __future__ import annotations

import datetime as dt
import decimal

import orjson
from pydantic import BaseModel


def _default(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: object, *, indent: bool = False) -> str:
    """`value` as JSON text."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, default=_default, option=option).decode()
