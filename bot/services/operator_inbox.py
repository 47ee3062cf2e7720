"""Operators working the inbox: turn a photo or voice note into a cart, or close it.

`cart_from_item` does not build a cart itself: it hands the operator's text to
the retailer's own conversation as if the retailer had typed it — a message
in the durable inbox (bot/store/inbox.py) under a wamid starting
`OPERATOR_CART_PREFIX` — so the real parser, the real cart and the usual
review with Confirm answer it, in the retailer's order, under the worker's
lease and lock. The router puts a line in front ("our team prepared this cart
from what you sent") when it sees the prefix. Both actions are audited.
"""

from __future__ import annotations

import secrets
import time

import asyncpg

from bot.services.operator_actions import ActionError, audit
from bot.store import inbox as inbox_store
from bot.store import operator_inbox
from bot.store import parties as party_store
from bot.whatsapp.updates import TextMessage

# Inbound wamids from WhatsApp start `wamid.`; this cannot be one of theirs.
OPERATOR_CART_PREFIX = "khaacho.inbox."
CART_TEXT_MAX = 4000


def is_operator_cart(wamid: str) -> bool:
    """Whether a message is an operator's cart text from the inbox (not the retailer's)."""
    return wamid.startswith(OPERATOR_CART_PREFIX)


async def _item(conn: asyncpg.Connection, item_id: int) -> operator_inbox.InboxItem:
    item = await operator_inbox.get(conn, item_id)
    if item is None:
        raise ActionError(404, f"inbox item {item_id} not found")
    return item


async def cart_from_item(conn: asyncpg.Connection, item_id: int, cart_text: str, *,
                         actor: str) -> operator_inbox.InboxItem:
    """Send `cart_text` to the item's retailer's conversation as their order; mark it carted."""
    text = cart_text.strip()
    if not text:
        raise ActionError(422, "the cart text is empty: write the items, e.g. \"chini 10 kg\"")
    if len(text) > CART_TEXT_MAX:
        raise ActionError(422, f"the cart text is over {CART_TEXT_MAX} characters")
    async with conn.transaction():
        item = await _item(conn, item_id)
        if item.state == "done":
            raise ActionError(409, f"inbox item {item_id} is already done")
        retailer = (await party_store.retailer(conn, item.retailer_id)
                    if item.retailer_id is not None else None)
        if retailer is None:
            retailer = await party_store.retailer_by_phone(conn, item.sender)
        if retailer is None:
            raise ActionError(409, f"{item.sender} is not a registered retailer yet: "
                                   "register them first (khaacho retailer add)")
        message = TextMessage.model_validate({
            "id": f"{OPERATOR_CART_PREFIX}{item.id}.{secrets.token_hex(4)}",
            # From the sender the item came from: a business-scoped user id linked
            # to the retailer is served as that retailer by the router, as always.
            "from": item.sender, "timestamp": str(int(time.time())), "type": "text",
            "text": {"body": text}})
        await inbox_store.persist(conn, [message], [], rate_limit=1_000_000,
                                  rate_window_seconds=60)
        await operator_inbox.mark_carted(conn, item.id, text, actor)
        await audit(conn, actor=actor, action="inbox.cart", target=f"inbox:{item.id}",
                    details={"retailer": retailer.phone, "text": text,
                             "wamid": message.wamid})
        updated = await _item(conn, item.id)
    return updated


async def close_item(conn: asyncpg.Connection, item_id: int, *,
                     actor: str) -> operator_inbox.InboxItem:
    """Nothing more to do for the item."""
    async with conn.transaction():
        item = await _item(conn, item_id)
        if not await operator_inbox.mark_done(conn, item_id, actor):
            raise ActionError(409, f"inbox item {item_id} is already {item.state}")
        await audit(conn, actor=actor, action="inbox.done", target=f"inbox:{item_id}",
                    details={"sender": item.sender})
        return await _item(conn, item_id)
