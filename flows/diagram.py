"""Every conversation flow as a Mermaid state diagram, from the tables the machines run on."""

from __future__ import annotations

from collections.abc import Callable

from domain import order_status
from flows import machine as retailer_machine

FLOWS: dict[str, tuple[str, Callable[[], str]]] = {
    "retailer": ("Retailer conversation: onboarding, cart, questions, review, confirm",
                 retailer_machine.mermaid),
    # The vendor conversation keeps no state of its own: it drives the order's
    # status machine, so that is its diagram.
    "vendor": ("Vendor side: an order offered, accepted or rejected, dispatched, delivered",
               order_status.mermaid),
}


def diagram(name: str) -> str:
    """One flow's Mermaid text (raises KeyError for an unknown flow)."""
    return FLOWS[name][1]().rstrip("\n") + "\n"


def markdown(names: list[str] | None = None) -> str:
    """The flows as Markdown sections with ```mermaid blocks (what the README shows)."""
    parts = []
    for name in names or list(FLOWS):
        title = FLOWS[name][0]
        parts.append(f"### {name}\n\n{title}.\n\n```mermaid\n{diagram(name)}```\n")
    return "\n".join(parts)
