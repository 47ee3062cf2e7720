"""The retailer conversation as a `transitions` state machine, built once at import.

The machine is declarative (the tables below); a conversation is restored onto
it for the length of one message with `attached(session)` — the documented
`add_model(model, initial=saved_state)` pattern, one machine and many models —
and detached afterwards, so no `Machine` is ever built per message and nothing
per-retailer lingers in the process (any web instance can serve the next one).

The machine answers every trigger: `fire` records each state change and each
trigger the machine refused (no transition from this state, or its conditions
said no) on the model, the flow hands them back with its replies, and the
shell logs and counts them (a refusal means the flow and the table disagree).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from flows.session import Session

ONBOARDING_SHOP = "onboarding_shop"
ONBOARDING_AREA = "onboarding_area"
IDLE = "idle"
COLLECTING = "collecting"
RESOLVING = "resolving"
REVIEWING = "reviewing"
EDITING = "editing"
ADJUSTING = "adjusting"
PLACED = "placed"

STATES: tuple[str, ...] = (
    ONBOARDING_SHOP, ONBOARDING_AREA, IDLE, COLLECTING, RESOLVING, REVIEWING, EDITING,
    ADJUSTING, PLACED,
)

_SHOPPING = [IDLE, COLLECTING, RESOLVING, REVIEWING, EDITING, ADJUSTING, PLACED]

# State groups the flow decides by.
ONBOARDING: tuple[str, ...] = (ONBOARDING_SHOP, ONBOARDING_AREA)
# A cart summary (with its buttons) is on screen and edits apply to it.
CART_SHOWN: tuple[str, ...] = (REVIEWING, COLLECTING, EDITING, ADJUSTING)
# "confirm" places the cart as it stands (in ADJUSTING it takes the offer instead).
CONFIRMABLE: tuple[str, ...] = (REVIEWING, COLLECTING, EDITING)

# trigger, source(s), dest, and optional conditions (methods of RetailerModel).
TRANSITIONS: tuple[dict[str, Any], ...] = (
    # An unknown number is asked who they are, from wherever a lost session left them.
    {"trigger": "meet", "source": "*", "dest": ONBOARDING_SHOP},
    {"trigger": "name_shop", "source": ONBOARDING_SHOP, "dest": ONBOARDING_AREA},
    {"trigger": "register", "source": ONBOARDING_AREA, "dest": IDLE},
    # Order lines land in the cart; questions about ambiguous lines come first.
    {"trigger": "add_items", "source": _SHOPPING, "dest": RESOLVING,
     "conditions": "has_questions"},
    {"trigger": "add_items", "source": _SHOPPING, "dest": COLLECTING, "conditions": "has_items"},
    {"trigger": "add_items", "source": _SHOPPING, "dest": IDLE},
    {"trigger": "answer", "source": RESOLVING, "dest": RESOLVING, "conditions": "has_questions"},
    {"trigger": "answer", "source": RESOLVING, "dest": COLLECTING, "conditions": "has_items"},
    {"trigger": "answer", "source": RESOLVING, "dest": IDLE},
    {"trigger": "review", "source": [COLLECTING, REVIEWING, EDITING, ADJUSTING, IDLE, PLACED],
     "dest": REVIEWING, "conditions": "has_items", "unless": "has_questions"},
    {"trigger": "edit", "source": [REVIEWING, COLLECTING, ADJUSTING, EDITING], "dest": EDITING,
     "conditions": "has_items"},
    # Confirm: placed, or short of credit/stock and offered a smaller order.
    {"trigger": "placed", "source": [REVIEWING, EDITING, ADJUSTING], "dest": PLACED},
    {"trigger": "short", "source": [REVIEWING, EDITING, ADJUSTING], "dest": ADJUSTING},
    # Cancel (or a cart emptied by an edit) returns to idle from anywhere in shopping.
    {"trigger": "cancel", "source": _SHOPPING, "dest": IDLE},
    {"trigger": "emptied", "source": _SHOPPING, "dest": IDLE},
)


@dataclass(frozen=True, slots=True)
class Step:
    """A state change the machine made."""

    trigger: str
    source: str
    dest: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A trigger the machine refused in `state`."""

    trigger: str
    state: str


class RetailerModel:
    """The model the machine drives: a thin view over one `Session`, and what happened."""

    state: str
    # Set by the machine when the model is attached.
    trigger: Callable[[str], bool]
    may_trigger: Callable[[str], bool]

    def __init__(self, session: Session) -> None:
        self.session = session
        self.steps: list[Step] = []
        self.refused: list[Refusal] = []

    def has_items(self) -> bool:
        return bool(self.session.cart)

    def has_questions(self) -> bool:
        return bool(self.session.questions)

    # transitions calls this after every state change.
    def on_state_changed(self) -> None:
        self.session.state = self.state


MACHINE = Machine(
    model=None,
    states=list(STATES),
    transitions=[dict(t) for t in TRANSITIONS],
    initial=IDLE,
    auto_transitions=False,
    ignore_invalid_triggers=False,
    after_state_change="on_state_changed",
    model_attribute="state",
)


@contextlib.contextmanager
def attached(session: Session) -> Iterator[RetailerModel]:
    """Put `session` onto the shared machine at its saved state for one message."""
    state = session.state if session.state in STATES else IDLE
    session.state = state
    model = RetailerModel(session)
    MACHINE.add_model(model, initial=state)
    try:
        yield model
    finally:
        MACHINE.remove_model(model)


def fire(model: RetailerModel, trigger: str) -> bool:
    """Fire `trigger`: True when the state changed, False (recorded as refused) when not."""
    source = model.state
    try:
        changed = bool(model.trigger(trigger))
    except MachineError:
        changed = False
    if changed:
        model.steps.append(Step(trigger, source, model.state))
    else:
        model.refused.append(Refusal(trigger, source))
    return changed


def may(model: RetailerModel, trigger: str) -> bool:
    """Whether the machine would take `trigger` now (conditions included)."""
    return bool(model.may_trigger(trigger))


def mermaid() -> str:
    """The retailer flow as a Mermaid state diagram (the same tables the machine uses).

    Edges between the same two states are merged into one, labelled with every
    trigger that takes it, so the picture stays readable.
    """
    edges: dict[tuple[str, str], list[str]] = {}
    for tr in TRANSITIONS:
        sources = [IDLE] if tr["source"] == "*" else (
            [tr["source"]] if isinstance(tr["source"], str) else tr["source"])
        label = tr["trigger"]
        if tr.get("conditions"):
            label += f" [{tr['conditions']}]"
        for src in sources:
            labels = edges.setdefault((src, tr["dest"]), [])
            if label not in labels:
                labels.append(label)
    lines = ["stateDiagram-v2", f"    [*] --> {IDLE}: known retailer",
             f"    [*] --> {ONBOARDING_SHOP}: unknown number"]
    lines += [f"    {src} --> {dest}: {', '.join(labels)}" for (src, dest), labels in edges.items()]
    return "\n".join(lines) + "\n"
