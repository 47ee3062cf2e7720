"""What Meta's refusal of one message says about the recipient or the template.

Meta refuses a message either in the answer to the send call (jobs/dispatcher.py)
or later, in a `failed` status webhook (`statuses[].errors[].code`, applied by
bot/store/outbox.py). Either way the consequence is the same, recorded here once:
131050 (the user stopped marketing messages) is an opt-out for that number
(bot/store/consent.py); 132001, 132015 and 132016 record the template as missing,
paused or disabled in that language (bot/store/templates.py), so the next sends
wait for it (bot/whatsapp/template_gate.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from bot.store import consent as consent_store
from bot.store import templates as template_store
from bot.whatsapp.errors import MARKETING_OPTED_OUT_CODE, TEMPLATE_STATUS_OF_CODE

OPTED_OUT = "opted_out"
# The codes that say something beyond the one message.
CODES: frozenset[int] = frozenset({MARKETING_OPTED_OUT_CODE, *TEMPLATE_STATUS_OF_CODE})


def template_of(payload: Mapping[str, Any]) -> tuple[str | None, str]:
    """The template name and language code of a template payload (None for other kinds)."""
    template = payload.get("template") if payload.get("type") == "template" else None
    if not isinstance(template, dict) or not isinstance(template.get("name"), str):
        return None, ""
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    return template["name"], str(code or "en")


async def record_refusal(conn: asyncpg.Connection, *, recipient: str,
                         payload: Mapping[str, Any], code: int | None,
                         title: str | None) -> str | None:
    """Record what refusal `code` of `payload` to `recipient` means, in the caller's
    transaction: "opted_out", the template status recorded, or None (nothing to record)."""
    if code == MARKETING_OPTED_OUT_CODE:
        await consent_store.set_opt_out(conn, recipient, True, f"meta:{code}")
        return OPTED_OUT
    status = TEMPLATE_STATUS_OF_CODE.get(code) if code is not None else None
    name, language = template_of(payload)
    if status is None or name is None:
        return None
    await template_store.store_status(conn, name, language, status=status, reason=title)
    return status
