"""The order-status state machine: which change is allowed, from where, by whom.

pending ──accept──▶ accepted ──dispatch──▶ dispatched ──deliver──▶ delivered
pending ──reroute──▶ pending          (rejected or timed out; offered to the next vendor)
pending ──give_up──▶ unroutable       (no vendor left; operators act)
pending/accepted ──cancel──▶ cancelled   (unroutable too, by an operator)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    UNROUTABLE = "unroutable"


class Action(StrEnum):
    ACCEPT = "accept"
    REROUTE = "reroute"
    GIVE_UP = "give_up"
    DISPATCH = "dispatch"
    DELIVER = "deliver"
    CANCEL = "cancel"


class Role(StrEnum):
    """Who asks: the vendor assigned to the order, the retailer who placed it,
    an operator, or the system (the worker's time-out job, routing)."""

    VENDOR = "vendor"
    RETAILER = "retailer"
    OPERATOR = "operator"
    SYSTEM = "system"


FINAL: frozenset[Status] = frozenset({Status.DELIVERED, Status.CANCELLED})
# SQL asks these through order_is_open() / order_is_void() in schema.sql
# (tests/domain/test_rules_in_sql.py keeps the two definitions alike).
#: On their way to the shop: they hold the retailer's credit and the vendor's attention.
OPEN: frozenset[Status] = frozenset({Status.PENDING, Status.ACCEPTED, Status.DISPATCHED})
#: Never became a sale: no figure (sales, scores, buying habits) counts them.
VOID: frozenset[Status] = frozenset({Status.CANCELLED, Status.UNROUTABLE})


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    source: Status
    dest: Status
    roles: frozenset[Role]


_V, _R, _O, _S = Role.VENDOR, Role.RETAILER, Role.OPERATOR, Role.SYSTEM

RULES: tuple[Rule, ...] = (
    Rule(Action.ACCEPT, Status.PENDING, Status.ACCEPTED, frozenset({_V, _O})),
    # A vendor's reject re-routes; so does the system's time-out and an operator.
    Rule(Action.REROUTE, Status.PENDING, Status.PENDING, frozenset({_V, _O, _S})),
    # A vendor who accepted may still give it back before dispatch (the truck broke
    # down): it is pending again and offered to the next vendor.
    Rule(Action.REROUTE, Status.ACCEPTED, Status.PENDING, frozenset({_V, _O})),
    Rule(Action.GIVE_UP, Status.PENDING, Status.UNROUTABLE, frozenset({_O, _S})),
    Rule(Action.DISPATCH, Status.ACCEPTED, Status.DISPATCHED, frozenset({_V, _O})),
    Rule(Action.DELIVER, Status.DISPATCHED, Status.DELIVERED, frozenset({_V, _O})),
    Rule(Action.CANCEL, Status.PENDING, Status.CANCELLED, frozenset({_R, _O})),
    # Once a vendor has accepted, goods may be packed: only an operator cancels.
    Rule(Action.CANCEL, Status.ACCEPTED, Status.CANCELLED, frozenset({_O})),
    Rule(Action.CANCEL, Status.UNROUTABLE, Status.CANCELLED, frozenset({_O})),
    # An operator who finds a supplier offers an unroutable order again (issue 14).
    Rule(Action.REROUTE, Status.UNROUTABLE, Status.PENDING, frozenset({_O})),
)

_BY_KEY: dict[tuple[Action, Status], Rule] = {(r.action, r.source): r for r in RULES}


class TransitionError(Exception):
    """A change the state machine does not allow; `code` says which kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def transition(current: Status, action: Action, role: Role) -> Status:
    """The status after `action` by `role` on an order in `current`, or TransitionError.

    Codes: `final` (the order is delivered or cancelled), `not_allowed` (this
    role may not do that), `wrong_status` (not from this status).
    """
    rule = _BY_KEY.get((action, current))
    if rule is None:
        if current in FINAL:
            raise TransitionError("final", f"order is already {current.value}")
        raise TransitionError("wrong_status", f"cannot {action.value} an order that is "
                                              f"{current.value}")
    if role not in rule.roles:
        raise TransitionError("not_allowed", f"a {role.value} may not {action.value} an order "
                                             f"that is {current.value}")
    return rule.dest


def allowed_actions(current: Status, role: Role) -> tuple[Action, ...]:
    """Every action `role` may take on an order in `current`."""
    return tuple(r.action for r in RULES if r.source is current and role in r.roles)


def mermaid() -> str:
    """The machine as a Mermaid state diagram."""
    lines = ["stateDiagram-v2", f"    [*] --> {Status.PENDING.value}"]
    for r in RULES:
        who = "/".join(sorted(role.value for role in r.roles))
        lines.append(f"    {r.source.value} --> {r.dest.value}: {r.action.value} ({who})")
    lines.extend(f"    {s.value} --> [*]" for s in sorted(FINAL))
    return "\n".join(lines)
