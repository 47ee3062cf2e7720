"""Every conversation flow as a Mermaid state diagram, from the tables the machines run on."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from flows import machine as retailer_machine


def _vendor() -> str:
    # The vendor conversation drives the order's status machine; when the vendor
    # flow module exposes its own diagram, that one is the more specific.
    try:
        vendor = importlib.import_module("flows.vendor")
    except ModuleNotFoundError:
        vendor = None
    render = getattr(vendor, "mermaid", None) if vendor is not None else None
    if callable(render):
        return str(render())
    from domain.order_status import mermaid

    return mermaid()


FLOWS: dict[str, tuple[str, Callable[[], str]]] = {
    "retailer": ("Retailer conversation: onboarding, cart, questions, review, confirm",
                 retailer_machine.mermaid),
    "vendor": ("Vendor side: an order offered, accepted or rejected, dispatched, delivered",
               _vendor),
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
