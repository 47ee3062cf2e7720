"""Signed WhatsApp webhook envelopes, shaped like Meta's (see ../shared/whatsapp)."""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

import orjson

from bot.whatsapp.signature import HEADER, sign

_counter = itertools.count(1)
_RUN = os.urandom(4).hex().upper()


def new_wamid() -> str:
    """A unique inbound message id shaped like WhatsApp's."""
    return f"wamid.BENCH{_RUN}{next(_counter):010d}"


class Envelopes:
    """Builds the webhook bodies one business number receives, signed with its app secret."""

    def __init__(self, app_secret: str, phone_number_id: str,
                 display_phone_number: str = "9779800000000") -> None:
        self.app_secret = app_secret
        self.metadata = {"display_phone_number": display_phone_number,
                         "phone_number_id": phone_number_id}

    def _wrap(self, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "BENCH_WABA", "changes": [{
                "field": "messages",
                "value": {"messaging_product": "whatsapp", "metadata": self.metadata, **value},
            }]}],
        }

    def _message(self, wa_id: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
        return self._wrap({
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [message],
        })

    def text(self, wa_id: str, body: str, *, name: str = "Bench Shop",
             wamid: str | None = None) -> tuple[str, dict[str, Any]]:
        """(wamid, envelope) of `wa_id` writing `body`."""
        wamid = wamid or new_wamid()
        return wamid, self._message(wa_id, name, {
            "from": wa_id, "id": wamid, "timestamp": str(int(time.time())),
            "type": "text", "text": {"body": body}})

    def reply(self, wa_id: str, reply_id: str, title: str, *, kind: str = "button_reply",
              context: str | None = None, name: str = "Bench Shop",
              wamid: str | None = None) -> tuple[str, dict[str, Any]]:
        """(wamid, envelope) of `wa_id` tapping a reply button or list row."""
        wamid = wamid or new_wamid()
        message: dict[str, Any] = {
            "from": wa_id, "id": wamid, "timestamp": str(int(time.time())),
            "type": "interactive",
            "interactive": {"type": kind, kind: {"id": reply_id, "title": title[:24]}},
        }
        if context:
            message["context"] = {"from": self.metadata["display_phone_number"], "id": context}
        return wamid, self._message(wa_id, name, message)

    def status(self, wamid: str, status: str, recipient: str) -> dict[str, Any]:
        """A status update (sent/delivered/read) for an outbound message."""
        item: dict[str, Any] = {"id": wamid, "status": status,
                                "timestamp": str(int(time.time())), "recipient_id": recipient}
        if status != "read":
            item["conversation"] = {"id": "BENCHCONV", "origin": {"type": "service"}}
            item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
        return self._wrap({"statuses": [item]})

    def signed(self, envelope: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Meta would send for `envelope`."""
        body = orjson.dumps(envelope)
        return body, {"Content-Type": "application/json",
                      HEADER: sign(self.app_secret, body)}
