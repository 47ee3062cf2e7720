"""Each rule is written in one place: a second copy in the sources fails here.

The copies this finds once drifted apart (a fixed +05:45 beside the named zone,
western digit grouping beside lakhs, three digit tables), so they are not let
back in. Each rule's own behaviour is tested beside it in tests/domain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "domain", "flows", "jobs")

# Copies other helpers of issue 12 are replacing on their branches (core: flows/retailer.py,
# dev: bot/dev/*). They use domain.digits once merged; then this set is empty.
_NOT_YET = {"bot/dev/parse_bench.py", "bot/dev/bench/messages.py"}

# The load bench reports engineering figures (requests per second) the western way.
_ENGINEERING = ("bot/dev/bench/",)

RULES = {
    # rule: (its one home, a pattern no other module may contain, modules it does not cover)
    "the business timezone": ("domain/business_time.py",
                              re.compile(r"Asia/Kathmandu|minutes\s*=\s*45|[+]05:?45"), ()),
    "the Devanagari digit table": ("domain/digits.py", re.compile("०१२३४५६७८९"), ()),
    "digit grouping for people": ("domain/money.py", re.compile(r":,(\.\d+)?[fdg]?\}"),
                                  _ENGINEERING),
    "the overdue block threshold": ("domain/dues.py",
                                    re.compile(r"[<>]=?\s*block_after|block_after\w*\s*[<>]"), ()),
}


def _sources() -> list[tuple[str, str]]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            out.append((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")))
    return out


SOURCES = _sources()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_rule_is_written_only_in_its_home(rule: str) -> None:
    home, pattern, exempt = RULES[rule]
    copies = [name for name, text in SOURCES
              if name != home and name not in _NOT_YET and not name.startswith(exempt)
              and pattern.search(text)]
    assert copies == [], f"{rule} belongs in {home}"


def test_sql_takes_the_zone_as_a_parameter_not_a_literal() -> None:
    literal = re.compile(r"AT TIME ZONE\s+'")
    assert [name for name, text in SOURCES if literal.search(text)] == []
    assert not literal.search((ROOT / "schema.sql").read_text(encoding="utf-8"))
