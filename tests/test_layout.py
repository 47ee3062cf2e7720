"""Imports run one way: domain ← flows ← bot and jobs, with dev tooling apart.

The rules are read off the sources with `ast`, so an import inside a function
(or under `TYPE_CHECKING`) counts like any other: no import can hide a
dependency. Tests are exempt.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "flows", "bot", "jobs")
STDLIB = frozenset(sys.stdlib_module_names)
# Third-party libraries each pure layer may use (declared in pyproject.toml).
DOMAIN_LIBS = frozenset({"rapidfuzz", "nepali_datetime"})
FLOWS_LIBS = DOMAIN_LIBS | {"transitions", "pydantic", "orjson"}
# The one production module that may name dev tooling: the CLI's command list.
DEV_REGISTRY = "bot.cli.main"


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the module importing
    target: str  # the module imported (absolute)
    line: int


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    where: Import

    def __str__(self) -> str:
        return (f"{self.where.module}:{self.where.line} imports {self.where.target}: "
                f"{self.rule}")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(module: str, source: str, *, is_package: bool = False) -> Iterator[Import]:
    """Every import in `source`, wherever it is (functions, TYPE_CHECKING blocks …)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from flows import replies` imports flows.replies, not all of flows.
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}" if alias.name != "*" else base,
                             node.lineno)


def _top(name: str) -> str:
    return name.split(".")[0]


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def check(imp: Import) -> list[Violation]:
    """The layout rules one import breaks."""
    src, dst = imp.module, imp.target
    out = []
    if _top(dst) in STDLIB or _top(dst) == "__future__":
        return out
    if _under(src, "domain") and not (_under(dst, "domain") or _top(dst) in DOMAIN_LIBS):
        out.append(Violation("domain imports only domain", imp))
    if _under(src, "flows") and not (_under(dst, "domain") or _under(dst, "flows")
                                      or _top(dst) in FLOWS_LIBS):
        out.append(Violation("flows imports only domain and flows", imp))
    if (_under(src, "bot.services") or _under(src, "bot.store")) and _under(dst, "flows") \
            and not _under(dst, "flows.replies"):
        out.append(Violation("services and stores import nothing from flows but replies", imp))
    if _under(src, "jobs") and (_under(dst, "bot.web") or _under(dst, "bot.dev")):
        out.append(Violation("jobs never import the web app or dev tooling", imp))
    if _under(dst, "bot.dev") and not _under(src, "bot.dev") and src != DEV_REGISTRY:
        out.append(Violation("only the CLI's command list names dev tooling", imp))
    return out


def project_imports() -> Iterator[Import]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield from imports_in(module_name(path), path.read_text(encoding="utf-8"),
                                  is_package=path.name == "__init__.py")


# ---------------------------------------------------------------- the rules hold

def _broken(rule: str) -> list[str]:
    return [str(v) for imp in project_imports() for v in check(imp) if v.rule == rule]


@pytest.mark.parametrize("rule", [
    "domain imports only domain",
    "flows imports only domain and flows",
    "services and stores import nothing from flows but replies",
    "jobs never import the web app or dev tooling",
    "only the CLI's command list names dev tooling",
])
def test_the_layout_rule_holds(rule: str) -> None:
    assert _broken(rule) == []


def test_the_checker_reads_every_package() -> None:
    modules = {imp.module for imp in project_imports()}
    assert {"domain.ordering", "flows.retailer", "bot.services.orders", "jobs.runner"} <= modules


# ---------------------------------------------------------------- the checker catches


def _violations(module: str, source: str) -> list[str]:
    return [v.rule for imp in imports_in(module, source) for v in check(imp)]


def test_a_domain_module_reaching_for_the_database_is_caught() -> None:
    assert _violations("domain.pricing", "import asyncpg\nfrom bot.store import orders\n") == [
        "domain imports only domain", "domain imports only domain"]


def test_an_import_hidden_in_a_function_counts() -> None:
    source = "def later():\n    from bot.metrics import FLOW_TRANSITIONS\n"
    assert _violations("flows.machine", source) == ["flows imports only domain and flows"]


def test_an_import_only_for_type_checking_counts() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bot.runtime\n"
    assert _violations("flows.vendor", source) == ["flows imports only domain and flows"]


def test_a_relative_import_is_read_as_the_module_it_names() -> None:
    assert _violations("flows.retailer.cart", "from ...bot import kv\n") == [
        "flows imports only domain and flows"]
    assert _violations("flows.retailer.cart", "from .review import show_review\n") == []


def test_services_may_use_reply_values_but_not_wording() -> None:
    assert _violations("bot.services.orders", "from flows.replies import Outgoing\n") == []
    assert _violations("bot.services.ledger", "from flows import order_notices\n") == [
        "services and stores import nothing from flows but replies"]


def test_jobs_reaching_into_the_web_app_is_caught() -> None:
    assert _violations("jobs.health", "from bot.web.ops import metrics\n") == [
        "jobs never import the web app or dev tooling"]


def test_dev_tooling_named_outside_the_cli_command_list_is_caught() -> None:
    assert _violations("bot.web.app", "from bot.dev import simulator\n") == [
        "only the CLI's command list names dev tooling"]
    assert _violations("bot.cli.main", "from bot.dev import simulator\n") == []
    assert _violations("bot.dev.demo", "from bot.dev import simulator\n") == []


def test_the_standard_library_and_declared_libraries_are_always_fine() -> None:
    assert _violations("domain.areas", "import re\nfrom rapidfuzz import fuzz\n") == []
    assert _violations("flows.session", "import orjson\nfrom pydantic import BaseModel\n") == []
