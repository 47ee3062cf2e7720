"""The vendor's side of WhatsApp: answer orders by button or by text.

A vendor taps Accept / Reject on an order (`vendor:accept:1042`) or writes
`ACCEPT 1042`, `1042 ok`, `REJECT 1042 no stock`, `DISPATCHED 1042`,
`DELIVERED 1042` (or the Nepali equivalents); `orders` lists their open
orders, anything else gets the help text. The conversation keeps no session:
an order's state lives in Postgres (`domain.order_status` is its machine), so
a vendor can answer any order in any order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

import asyncpg

from bot.services import orders as order_service
from bot.store import orders as order_store
from bot.store import parties as party_store
from bot.whatsapp.inbound import ButtonMessage, InboundMessage, InteractiveMessage, TextMessage
from domain.vendor_commands import VendorCommand, VendorQuery, parse, parse_button, parse_query
from flows import order_notices as notices
from flows.i18n import t
from flows.replies import Outgoing, Text

log = logging.getLogger(__name__)

# Failures that mean "try again later" (the pipeline answers 503 and WhatsApp redelivers).
INFRASTRUCTURE = (
    OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError,
)

OPEN_ORDERS_SHOWN = 15


class VendorLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def phone(self) -> str: ...


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class VendorConversation:
    """Turns one vendor message into order actions and replies (in one transaction)."""

    def __init__(self, *, accept_minutes: float = order_service.DEFAULT_ACCEPT_MINUTES,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.accept_minutes = accept_minutes
        self.clock = clock

    async def handle(self, conn: asyncpg.Connection, vendor: VendorLike,
                     message: InboundMessage) -> list[Outgoing]:
        """The replies (and retailer notices) for one message from a vendor."""
        lang = getattr(vendor, "language", "en")
        command = self._command(message)
        if isinstance(command, VendorCommand):
            try:
                # A savepoint: a bug rolls back only this action, never the message claim.
                async with conn.transaction():
                    return await order_service.vendor_act(
                        conn, vendor.id, command.order_number, command.action, command.reason,
                        self.clock(), accept_minutes=self.accept_minutes)
            except INFRASTRUCTURE:
                raise
            except Exception:
                # Answering beats a 5xx: WhatsApp would redeliver the same message for days.
                log.exception("vendor action failed", extra={"wamid": message.wamid})
                return [Outgoing(vendor.phone, Text(t(lang, "busy_error")))]
        if command is VendorQuery.LIST:
            return [await self._open_orders(conn, vendor, lang)]
        if command is None and not isinstance(message, TextMessage | InteractiveMessage |
                                              ButtonMessage):
            return [Outgoing(vendor.phone, Text(t(lang, "vendor.unsupported")))]
        return [Outgoing(vendor.phone, Text(t(lang, "vendor.help")))]

    @staticmethod
    def _command(message: InboundMessage) -> VendorCommand | VendorQuery | None:
        if isinstance(message, InteractiveMessage):
            reply_id = message.reply_id
            if reply_id:
                return parse_button(reply_id)
            return None
        if isinstance(message, ButtonMessage):
            if message.button.payload:
                found = parse_button(message.button.payload)
                if found is not None:
                    return found
            return parse(message.button.text or "") if message.button.text else None
        if isinstance(message, TextMessage):
            body = message.text.body
            return parse(body) or parse_query(body)
        return None

    async def _open_orders(self, conn: asyncpg.Connection, vendor: VendorLike,
                           lang: str) -> Outgoing:
        orders = await order_store.open_orders_of_vendor(conn, vendor.id,
                                                         limit=OPEN_ORDERS_SHOWN)
        if not orders:
            return Outgoing(vendor.phone, Text(t(lang, "vendor.open.none")))
        lines = [t(lang, "vendor.open.header")]
        for o in orders:
            retailer = await party_store.retailer(conn, o.retailer_id)
            lines.append(t(lang, "vendor.open.line", number=o.number,
                           status=notices.status_name(lang, o.status),
                           shop=retailer.shop_name if retailer else "-",
                           total=notices.amount(lang, o.total)))
        return Outgoing(vendor.phone, Text("\n".join(lines)))
