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
from bot.whatsapp.updates import ButtonMessage, InboundMessage, InteractiveMessage, TextMessage
from domain.vendor_commands import (
    VendorAction,
    VendorCommand,
    VendorQuery,
    button_id,
    parse,
    parse_bare,
    parse_button,
    parse_query,
)
from flows import order_notices as notices
from flows.i18n import t
from flows.replies import Button, Buttons, ListMenu, ListRow, ListSection, Outgoing, Text

log = logging.getLogger(__name__)

# Failures that mean "try again later" (the pipeline answers 503 and WhatsApp redelivers).
INFRASTRUCTURE = (
    OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError,
)

OPEN_ORDERS_SHOWN = 15
# The status an order must be in for each action to apply.
_STATUS_FOR = {VendorAction.ACCEPT: "pending", VendorAction.REJECT: "pending",
               VendorAction.DISPATCH: "accepted", VendorAction.DELIVER: "dispatched"}


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
                    return notices.outgoing(await order_service.vendor_act(
                        conn, vendor.id, command.order_number, command.action, command.reason,
                        self.clock(), accept_minutes=self.accept_minutes))
            except INFRASTRUCTURE:
                raise
            except Exception:
                # Answering beats a 5xx: WhatsApp would redeliver the same message for days.
                log.exception("vendor action failed", extra={"wamid": message.wamid})
                return [Outgoing(vendor.phone, Text(t(lang, "busy_error")))]
        if command is VendorQuery.LIST:
            return [await self._open_orders(conn, vendor, lang)]
        if isinstance(command, VendorAction):
            confirm = await self._which_order(conn, vendor, lang, command)
            if confirm is not None:
                return [confirm]
        if command is None and not isinstance(message, TextMessage | InteractiveMessage |
                                              ButtonMessage):
            return [Outgoing(vendor.phone, Text(t(lang, "vendor.unsupported")))]
        return [Outgoing(vendor.phone, Text(t(lang, "vendor.help")))]

    @staticmethod
    def _command(message: InboundMessage
                 ) -> VendorCommand | VendorQuery | VendorAction | None:
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
            return parse(body) or parse_query(body) or parse_bare(body)
        return None

    async def _which_order(self, conn: asyncpg.Connection, vendor: VendorLike, lang: str,
                           action: VendorAction) -> Outgoing | None:
        """`ok` without a number: offer the orders it could mean as buttons to tap.

        Never acted on directly: a bare `ok` may answer some other message, and an
        order is money.
        """
        status = _STATUS_FOR[action]
        orders = [o for o in await order_store.open_orders_of_vendor(conn, vendor.id, limit=50)
                  if o.status == status]
        if not orders:
            return None
        if len(orders) == 1:
            o = orders[0]
            retailer = await party_store.retailer(conn, o.retailer_id)
            actions = ((VendorAction.ACCEPT, VendorAction.REJECT)
                       if status == "pending" else (action,))
            return Outgoing(vendor.phone, Buttons(
                body=t(lang, "vendor.confirm_one", number=o.number,
                       shop=retailer.shop_name if retailer else "-",
                       total=notices.amount(lang, o.total)),
                buttons=tuple(Button(button_id(a, o.number), t(lang, f"vendor.btn.{a.value}"))
                              for a in actions)), correlation=notices.correlation(o.number))
        rows = []
        for o in orders[:10]:
            retailer = await party_store.retailer(conn, o.retailer_id)
            title = t(lang, "vendor.pick.row", number=o.number,
                      shop=retailer.shop_name if retailer else "-")
            rows.append(ListRow(button_id(action, o.number), title[:24],
                                notices.amount(lang, o.total)))
        return Outgoing(vendor.phone, ListMenu(
            body=t(lang, "vendor.pick"), button=t(lang, "vendor.pick.button"),
            sections=(ListSection(t(lang, f"vendor.action.{action.value}")[:24],
                                  tuple(rows)),)))

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
