"""Meta's rules for a template create request, checked before it is sent (and by the simulator).

A `POST /{WABA-ID}/message_templates` body is `{name, language, category,
components}`; the BODY component carries `text` with `{{1}}`, `{{2}}` … and
`example.body_text` (one list of example values, one per parameter). Meta
refuses, with error 100 and a subcode:
- a name that is not lowercase letters, digits and underscores, or over 512 chars;
- a category other than UTILITY, MARKETING or AUTHENTICATION;
- a body over 1024 characters, without text, with parameters not numbered
  1, 2, 3 … in order of first use, starting or ending with a parameter, or with
  two parameters side by side (`{{1}}{{2}}`);
- a parameter without an example value (or a count of examples that differs);
- more than 10 quick-reply buttons, or a button text empty or over 25 characters;
- a footer over 60 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

NAME = re.compile(r"^[a-z0-9_]+$")
NAME_MAX = 512
BODY_MAX = 1024
FOOTER_MAX = 60
BUTTONS_MAX = 10
BUTTON_TEXT_MAX = 25
CATEGORIES = frozenset({"UTILITY", "MARKETING", "AUTHENTICATION"})
_PARAM = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_ADJACENT = re.compile(r"\}\}\s*\{\{")

# The error subcodes Meta answers with (error code 100, "Invalid parameter").
SUBCODE_BAD_NAME = 2388001
SUBCODE_MISSING_EXAMPLE = 2388043
SUBCODE_INVALID_FORMAT = 2388040
SUBCODE_EXISTS = 2388024


@dataclass(frozen=True, slots=True)
class Problem:
    """Why Meta would refuse the request: its subcode and a sentence."""

    subcode: int
    message: str


def parameters(text: str) -> list[int]:
    """The parameter numbers of a body in order of appearance (`{{2}} {{1}}` → [2, 1])."""
    return [int(n) for n in _PARAM.findall(text)]


def problems(request: Any) -> list[Problem]:
    """Everything Meta would refuse in one create request; empty when it is valid."""
    if not isinstance(request, dict):
        return [Problem(SUBCODE_INVALID_FORMAT, "body must be a JSON object")]
    out: list[Problem] = []
    name = request.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name) or len(name) > NAME_MAX:
        out.append(Problem(SUBCODE_BAD_NAME, "Name can only have lowercase letters, numbers "
                                             f"and underscores, at most {NAME_MAX} characters"))
    if not isinstance(request.get("language"), str) or not request["language"]:
        out.append(Problem(SUBCODE_INVALID_FORMAT, "language is required"))
    if request.get("category") not in CATEGORIES:
        out.append(Problem(SUBCODE_INVALID_FORMAT,
                           "category must be UTILITY, MARKETING or AUTHENTICATION"))
    components = request.get("components")
    if not isinstance(components, list):
        return [*out, Problem(SUBCODE_INVALID_FORMAT, "components must be a list")]
    bodies = [c for c in components if isinstance(c, dict) and str(c.get("type")).upper() == "BODY"]
    if len(bodies) != 1:
        out.append(Problem(SUBCODE_INVALID_FORMAT, "exactly one BODY component is required"))
    for body in bodies[:1]:
        out.extend(_body_problems(body))
    for c in components:
        if not isinstance(c, dict):
            out.append(Problem(SUBCODE_INVALID_FORMAT, "each component must be an object"))
            continue
        kind = str(c.get("type")).upper()
        if kind == "FOOTER" and not (isinstance(c.get("text"), str)
                                     and 0 < len(c["text"]) <= FOOTER_MAX):
            out.append(Problem(SUBCODE_INVALID_FORMAT, f"footer: 1-{FOOTER_MAX} characters"))
        if kind == "BUTTONS":
            out.extend(_button_problems(c.get("buttons")))
    return out


def _body_problems(body: dict[str, Any]) -> list[Problem]:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return [Problem(SUBCODE_INVALID_FORMAT, "the BODY needs text")]
    out: list[Problem] = []
    if len(text) > BODY_MAX:
        out.append(Problem(SUBCODE_INVALID_FORMAT, f"body over {BODY_MAX} characters"))
    found = parameters(text)
    first_use = list(dict.fromkeys(found))
    if first_use != list(range(1, len(first_use) + 1)):
        out.append(Problem(SUBCODE_INVALID_FORMAT,
                           "parameters must be numbered {{1}}, {{2}} … in sequence"))
    stripped = text.strip()
    if found and (_PARAM.match(stripped) or re.search(r"\{\{\s*\d+\s*\}\}[.!?।]?$", stripped)):
        out.append(Problem(SUBCODE_INVALID_FORMAT,
                           "the body cannot start or end with a parameter"))
    if _ADJACENT.search(text):
        out.append(Problem(SUBCODE_INVALID_FORMAT,
                           "parameters placed next to each other need text between them"))
    if first_use:
        example = body.get("example")
        rows = example.get("body_text") if isinstance(example, dict) else None
        values = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], list) \
            else None
        if values is None:
            out.append(Problem(SUBCODE_MISSING_EXAMPLE,
                               "Missing sample parameter values: example.body_text is required"))
        elif len(values) != len(first_use) or not all(
                isinstance(v, str) and v.strip() for v in values):
            out.append(Problem(SUBCODE_MISSING_EXAMPLE,
                               f"{len(first_use)} parameters need {len(first_use)} non-empty "
                               f"example values, got {len(values)}"))
    return out


def _button_problems(buttons: Any) -> list[Problem]:
    if not isinstance(buttons, list) or not buttons:
        return [Problem(SUBCODE_INVALID_FORMAT, "BUTTONS needs at least one button")]
    out: list[Problem] = []
    if len(buttons) > BUTTONS_MAX:
        out.append(Problem(SUBCODE_INVALID_FORMAT, f"at most {BUTTONS_MAX} buttons"))
    for b in buttons:
        text = b.get("text") if isinstance(b, dict) else None
        if not isinstance(text, str) or not 0 < len(text) <= BUTTON_TEXT_MAX:
            out.append(Problem(SUBCODE_INVALID_FORMAT,
                               f"button text: 1-{BUTTON_TEXT_MAX} characters"))
    return out
