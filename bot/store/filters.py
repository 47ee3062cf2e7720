"""A WHERE clause of only the filters a list was given.

One statement with `($n IS NULL OR …)` for every optional filter keeps the
planner from walking an index newest first and stopping at the page (a
generic plan cannot know which filters are off), so a list over a year of
orders sorts the year. Here each filter given adds a fixed condition with its
value as a parameter; values are never formatted into the SQL.
"""

from __future__ import annotations


class Where:
    """The conditions given so far and their parameters, numbered `$1…` in order."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.args: list[object] = []

    def add(self, condition: str, value: object) -> None:
        """Add `condition`, whose `{}` is this value's parameter."""
        self.conditions.append(condition.format(self.param(value)))

    def param(self, value: object) -> str:
        """A parameter for `value` (a LIMIT, say) that is not a condition."""
        self.args.append(value)
        return f"${len(self.args)}"

    @property
    def sql(self) -> str:
        """`WHERE a AND b …`, or nothing when no filter was given."""
        return "WHERE " + " AND ".join(self.conditions) if self.conditions else ""
