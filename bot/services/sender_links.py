"""Link a sender WhatsApp names only by a business-scoped user id to a retailer (issue 19).

WhatsApp may leave out a sender's phone number (`wa_id`) and send a
business-scoped `user_id` instead; such a sender is asked for their number
(`need_phone`) and never onboarded under the id. An operator who knows who it
is links the id to the retailer's account here; the router then serves the id
as that retailer. One statement pair in the caller's transaction, audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from bot.services import parties
from bot.services.operator_actions import audit
from bot.store import parties as party_store
from bot.store import sender_links as store

# What WhatsApp's user ids look like (`NP.1234567890abcdef`): bounded, no spaces,
# not all digits (that is a phone number). The admin API states the same pattern.
USER_ID_PATTERN = r"^[A-Za-z0-9._:-]*[A-Za-z._:-][A-Za-z0-9._:-]*$"
USER_ID_MAX = 256
_USER_ID = re.compile(USER_ID_PATTERN)


class LinkError(Exception):
    """A link that cannot be made (one clear line for the operator); `missing`: no retailer."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True, slots=True)
class Linked:
    """What a link did."""

    user_id: str
    phone: str
    shop_name: str
    previous_phone: str | None
    changed: bool


def user_id_arg(text: str) -> str:
    """A business-scoped user id as an operator types it, or LinkError."""
    value = text.strip()
    if value.isdigit():
        raise LinkError("that is a phone number: a sender with a number is served by it")
    if len(value) > USER_ID_MAX or not _USER_ID.match(value):
        raise LinkError(f"not a WhatsApp user id (letters, digits and . : _ - only, "
                        f"at most {USER_ID_MAX})")
    return value


async def link_sender(conn: asyncpg.Connection, user_id: str, phone: str, *,
                      actor: str) -> Linked:
    """Link `user_id` to the retailer with `phone` (audited), in one transaction."""
    user_id = user_id_arg(user_id)
    async with conn.transaction():
        try:
            retailer = await parties.find_retailer(conn, phone)
        except parties.PartyError as exc:
            raise LinkError(str(exc), missing=str(exc).startswith("no ")) from None
        if await party_store.vendor_by_phone(conn, user_id) is not None:
            raise LinkError("that id is a vendor's")
        before = await store.linked_phone(conn, user_id)
        if before == retailer.phone:
            return Linked(user_id, retailer.phone, retailer.shop_name, before, changed=False)
        await store.link(conn, user_id, retailer.id, actor)
        await audit(conn, actor=actor, action="sender.link", target=f"retailer:{retailer.phone}",
                    details={"user_id": user_id, "previous": before})
    return Linked(user_id, retailer.phone, retailer.shop_name, before, changed=True)
