"""Scores parse_message on a labelled set exactly as ../shared/eval/score_parse.py does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from domain.ordertext import Intent, parse_message
from domain.resolver import CatalogIndex


@dataclass
class Score:
    right: int = 0
    total: int = 0
    wrong: int = 0
    picks: int = 0
    false_orders: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.picks if self.picks else 0.0

    def summary(self) -> str:
        return (f"lines right {self.right}/{self.total} = {self.accuracy:.3f}; "
                f"wrong picks {self.wrong}/{self.picks} = {self.wrong_rate:.3f}; "
                f"false orders {self.false_orders}")


def score(index: CatalogIndex, orders: Path) -> Score:
    result = Score()
    for raw in orders.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        case = json.loads(raw)
        msg = parse_message(case["text"], index)
        if case["intent"] == "other":
            bad = msg.intent is Intent.ORDER or any(ln.sku for ln in msg.lines)
            result.false_orders += bad
            if bad:
                result.misses.append(f"{case['text']!r}: not an order, got {msg}")
            continue
        used: set[int] = set()
        for expect in case["expect"]:
            qty = Decimal(str(expect["qty"]))
            ok = False
            for i, ln in enumerate(msg.lines):
                if i in used or ln.qty is None or ln.qty != qty:
                    continue
                if "sku" in expect:
                    ok = ln.sku == expect["sku"]
                else:
                    ok = ln.sku is None and set(expect["ask"]) <= {c.sku for c in ln.candidates}
                if ok:
                    used.add(i)
                    break
            result.right += ok
            result.total += 1
            if not ok:
                result.misses.append(f"{case['text']!r}: expected {expect}, got {msg.lines}")
        result.picks += sum(1 for ln in msg.lines if ln.sku)
        result.wrong += sum(1 for i, ln in enumerate(msg.lines) if ln.sku and i not in used)
    return result
