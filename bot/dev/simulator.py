"""A local stand-in for the WhatsApp Cloud API that speaks its wire format.

Used by the tests, `make demo` and `khaacho chat` (via `khaacho simulator`).

What it does, like Meta:
- `POST /{version}/{phone_number_id}/messages` checks the bearer token (190 if
  wrong) and the payload (100 / 131009 for broken limits), answers
  `{"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid…"}]}`
  and records the message;
- then posts signed `sent` and `delivered` status webhooks to the bot;
- a non-template message to a recipient whose 24-hour window is closed is
  accepted and then reported `failed` with 131047 (as Meta does), unless
  `window_errors="sync"` asks for a synchronous 131047 error;
- when `mps` is set, more than that many accepted messages in one second get 130429.

What it does for tests (Python API on `Simulator`, or HTTP under `/_sim/`):
- `fail(mode, …)`: HTTP 500s, a Graph error code (130429, 131047, …) or slow
  answers, for a number of requests or a number of seconds;
- `close_window(wa_id)`/`open_window(wa_id)`;
- `inbound_text(...)`: build a user message envelope and post it, signed, to the bot;
- `sent`: every accepted message with its arrival time.

Message templates (create, list, review on command, template errors on send),
the `/marketing_messages` route and account webhooks are in
bot/dev/sim_templates.py, installed by `create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from bot.dev import sim_media
from bot.whatsapp.signature import HEADER, sign

log = logging.getLogger(__name__)

SIMULATOR = web.AppKey("simulator", "Simulator")


@dataclass(slots=True)
class SentMessage:
    """One message the simulator accepted."""

    wamid: str
    to: str
    type: str
    payload: dict[str, Any]
    at: float  # time.monotonic() when accepted

    @property
    def text(self) -> str | None:
        """The visible body text, whatever the message type."""
        if self.type == "text":
            return str(self.payload.get("text", {}).get("body", ""))
        if self.type == "interactive":
            return str(self.payload.get("interactive", {}).get("body", {}).get("text", ""))
        if self.type == "template":
            return str(self.payload.get("template", {}).get("name", ""))
        if self.type in sim_media.MEDIA_MESSAGE_TYPES:
            return str(self.payload.get(self.type, {}).get("caption", ""))
        return None


@dataclass(slots=True)
class _Failure:
    mode: str  # "http500" | "error" | "slow"
    code: int | None
    until: float | None
    remaining: int | None
    delay: float
    to: str | None


@dataclass(slots=True)
class Simulator:
    """State and behaviour of one simulated business phone number."""

    access_token: str
    phone_number_id: str = "1122334455667"
    display_phone_number: str = "9779800000000"
    webhook_url: str | None = None
    app_secret: str = ""
    status_delay: float = 0.02
    mps: float | None = None
    window_errors: str = "async"  # or "sync"
    sent: list[SentMessage] = field(default_factory=list)
    requests: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    webhook_failures: int = 0
    _closed_windows: set[str] = field(default_factory=set)
    _failures: list[_Failure] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _http: aiohttp.ClientSession | None = None
    # Simulator parts in their own modules (bot/dev/sim_templates.py …), by name.
    parts: dict[str, Any] = field(default_factory=dict)
    # Each may refuse a send before it is accepted (a Graph error response), else None.
    send_checks: list[Callable[[dict[str, Any]], web.Response | None]] = field(
        default_factory=list)
    media: sim_media.SimMedia = field(default_factory=sim_media.SimMedia)

    # ---------------------------------------------------------------- control

    def fail(
        self,
        mode: str = "http500",
        *,
        code: int | None = None,
        seconds: float | None = None,
        count: int | None = None,
        delay: float = 0.0,
        to: str | None = None,
    ) -> None:
        """Make the next requests fail: `http500`, `error` (Graph `code`) or `slow` (`delay`)."""
        if mode not in ("http500", "error", "slow"):
            raise ValueError("mode must be http500, error or slow")
        if mode == "error" and code is None:
            raise ValueError("mode 'error' needs a code")
        until = time.monotonic() + seconds if seconds is not None else None
        self._failures.append(_Failure(mode, code, until, count, delay, to))

    def heal(self) -> None:
        """Stop every configured failure."""
        self._failures.clear()

    def close_window(self, wa_id: str) -> None:
        """The user has not written for 24 h: only templates reach them."""
        self._closed_windows.add(wa_id)

    def open_window(self, wa_id: str) -> None:
        """The user wrote: any message type reaches them again."""
        self._closed_windows.discard(wa_id)

    def reset(self) -> None:
        """Forget everything sent and every failure."""
        self.sent.clear()
        self.rejected.clear()
        self._failures.clear()
        self._closed_windows.clear()
        self.requests = 0

    def sent_to(self, wa_id: str) -> list[SentMessage]:
        """Messages accepted for one recipient, in order."""
        return [m for m in self.sent if m.to == wa_id]

    def new_wamid(self) -> str:
        """A message id shaped like WhatsApp's."""
        return f"wamid.SIM{next(self._counter):08d}{secrets.token_hex(6).upper()}"

    # ---------------------------------------------------------------- webhooks

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        """Wrap a change value in a webhook envelope for this number."""
        return {
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "SIMULATED_WABA",
                "changes": [{
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": self.display_phone_number,
                            "phone_number_id": self.phone_number_id,
                        },
                        **value,
                    },
                }],
            }],
        }

    def text_envelope(
        self, wa_id: str, body: str, *, name: str = "Test Shop", wamid: str | None = None
    ) -> dict[str, Any]:
        """The envelope WhatsApp posts when `wa_id` writes `body`."""
        return self.envelope({
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{
                "from": wa_id,
                "id": wamid or self.new_wamid(),
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": body},
            }],
        })

    def reply_envelope(
        self, wa_id: str, reply_id: str, title: str, *, kind: str = "button_reply",
        name: str = "Test Shop",
    ) -> dict[str, Any]:
        """The envelope posted when `wa_id` taps a reply button or a list row."""
        return self.envelope({
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{
                "from": wa_id,
                "id": self.new_wamid(),
                "timestamp": str(int(time.time())),
                "type": "interactive",
                "interactive": {"type": kind, kind: {"id": reply_id, "title": title}},
            }],
        })

    def status_envelope(
        self, wamid: str, status: str, recipient: str, error: dict[str, Any] | None = None,
        callback: str | None = None,
    ) -> dict[str, Any]:
        """A status webhook for a message we accepted (echoing its callback data, like Meta)."""
        item: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": recipient,
        }
        if callback:
            item["biz_opaque_callback_data"] = callback
        if error:
            item["errors"] = [error]
        return self.envelope({"statuses": [item]})

    async def post_webhook(self, envelope: dict[str, Any]) -> int:
        """POST an envelope to the bot, signed like Meta; returns the HTTP status."""
        if not self.webhook_url:
            raise RuntimeError("the simulator has no webhook_url to post to")
        body = orjson.dumps(envelope)
        session = await self._session()
        async with session.post(
            self.webhook_url, data=body,
            headers={"Content-Type": "application/json", HEADER: sign(self.app_secret, body)},
        ) as resp:
            await resp.read()
            return resp.status

    async def inbound_text(self, wa_id: str, body: str, *, name: str = "Test Shop") -> str:
        """A user writes to the bot; returns the new message's wamid."""
        env = self.text_envelope(wa_id, body, name=name)
        status = await self.post_webhook(env)
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
        return str(env["entry"][0]["changes"][0]["value"]["messages"][0]["id"])

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def _report(self, wamid: str, to: str, failure: dict[str, Any] | None,
                      callback: str | None = None) -> None:
        if not self.webhook_url:
            return
        steps: list[tuple[str, dict[str, Any] | None]] = (
            [("failed", failure)] if failure else [("sent", None), ("delivered", None)]
        )
        for status, error in steps:
            await asyncio.sleep(self.status_delay)
            # WhatsApp retries a webhook the bot did not accept; so do we, briefly.
            for attempt in range(5):
                try:
                    code = await self.post_webhook(
                        self.status_envelope(wamid, status, to, error, callback))
                except (aiohttp.ClientError, TimeoutError):
                    code = 0
                if code == 200:
                    break
                self.webhook_failures += 1
                await asyncio.sleep(0.2 * (attempt + 1))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop background status posts and close the HTTP session."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._http is not None:
            await self._http.close()

    # ---------------------------------------------------------------- the API

    def _active_failure(self, to: str | None) -> _Failure | None:
        now = time.monotonic()
        for failure in list(self._failures):
            if failure.until is not None and now >= failure.until:
                self._failures.remove(failure)
                continue
            if failure.remaining is not None and failure.remaining <= 0:
                self._failures.remove(failure)
                continue
            if failure.to is not None and failure.to != to:
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
            return failure
        return None

    def _over_rate(self) -> bool:
        if self.mps is None:
            return False
        horizon = time.monotonic() - 1.0
        recent = 0
        for message in reversed(self.sent):
            if message.at < horizon:
                break
            recent += 1
        return recent >= self.mps

    async def handle_messages(self, request: web.Request) -> web.Response:
        """`POST /{version}/{phone_number_id}/messages`."""
        self.requests += 1
        auth = request.headers.get("Authorization", "")
        if not secrets.compare_digest(auth.encode(), f"Bearer {self.access_token}".encode()):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token",
                                "OAuthException")
        if request.match_info["phone_number_id"] != self.phone_number_id:
            return _graph_error(400, 100, "Unsupported post request. Object with ID "
                                f"'{request.match_info['phone_number_id']}' does not exist")
        try:
            payload = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return _graph_error(400, 100, "Invalid parameter", details="body is not JSON")
        problem = validate_payload(payload) or self.media.check_message(payload)
        if problem is not None:
            self.rejected.append({"payload": payload, "problem": problem})
            return _graph_error(400, 131009 if "limit" in problem else 100,
                                "(#131009) Parameter value is not valid" if "limit" in problem
                                else "(#100) Invalid parameter", details=problem)
        to = str(payload["to"])
        failure = self._active_failure(to)
        if failure is not None:
            if failure.mode == "slow":
                await asyncio.sleep(failure.delay)
            elif failure.mode == "http500":
                error = {"message": "An unknown error has occurred.", "type": "OAuthException",
                         "code": 1, "fbtrace_id": secrets.token_hex(8)}
                return web.json_response({"error": error}, status=500)
            else:
                assert failure.code is not None
                return _graph_error(400, failure.code, _TITLES.get(failure.code, "Error"))
        for check in self.send_checks:
            if (refusal := check(payload)) is not None:
                return refusal
        if self._over_rate():
            return _graph_error(400, 130429, "Rate limit hit",
                                details="Cloud API message throughput has been reached.")
        closed = to in self._closed_windows and payload.get("type") != "template"
        if closed and self.window_errors == "sync":
            return _graph_error(400, 131047, _TITLES[131047], details=_WINDOW_DETAILS)
        wamid = self.new_wamid()
        self.sent.append(SentMessage(wamid, to, str(payload["type"]), payload, time.monotonic()))
        failure_report = None
        if closed:
            failure_report = {"code": 131047, "title": _TITLES[131047], "message": _TITLES[131047],
                              "error_data": {"details": _WINDOW_DETAILS}}
        callback = payload.get("biz_opaque_callback_data")
        self._spawn(self._report(wamid, to, failure_report,
                                 callback if isinstance(callback, str) else None))
        return web.json_response({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
            "messages": [{"id": wamid}],
        })

    # ---------------------------------------------------------------- control over HTTP

    async def handle_control(self, request: web.Request) -> web.Response:
        """`/_sim/{action}`: the test/demo control surface."""
        action = request.match_info["action"]
        data: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            try:
                data = orjson.loads(await request.read()) or {}
            except orjson.JSONDecodeError:
                return web.json_response({"error": "body is not JSON"}, status=400)
        try:
            if action in sim_media.CONTROL_ACTIONS:
                return await sim_media.control(self, action, data)
            if action == "messages":
                to = request.query.get("to")
                items = [m for m in self.sent if to is None or m.to == to]
                return web.json_response([
                    {"wamid": m.wamid, "to": m.to, "type": m.type, "text": m.text,
                     "payload": m.payload} for m in items])
            if action == "fail":
                self.fail(str(data.get("mode", "http500")), code=data.get("code"),
                          seconds=data.get("seconds"), count=data.get("count"),
                          delay=float(data.get("delay", 0.0)), to=data.get("to"))
            elif action == "heal":
                self.heal()
            elif action == "reset":
                self.reset()
            elif action == "window":
                wa_id = str(data["wa_id"])
                (self.open_window if data.get("open", True) else self.close_window)(wa_id)
            elif action == "inbound":
                if "reply_id" in data:
                    env = self.reply_envelope(str(data["from"]), str(data["reply_id"]),
                                              str(data.get("title", data["reply_id"])))
                    status = await self.post_webhook(env)
                    return web.json_response({"webhook_status": status})
                wamid = await self.inbound_text(str(data["from"]), str(data["text"]),
                                                name=str(data.get("name", "Test Shop")))
                return web.json_response({"wamid": wamid})
            else:
                return web.json_response({"error": f"unknown action {action}"}, status=404)
        except (KeyError, ValueError, TypeError, RuntimeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True})


_TITLES = {
    130429: "Rate limit hit",
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131026: "Message Undeliverable",
    131000: "Something went wrong",
    100: "Invalid parameter",
}
_WINDOW_DETAILS = ("Message failed to send because more than 24 hours have passed since "
                   "the customer last replied to this number.")


def _graph_error(
    status: int, code: int, message: str, kind: str = "OAuthException", details: str | None = None
) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": secrets.token_hex(8)}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return web.json_response({"error": error}, status=status)


def _str(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit


def validate_payload(payload: Any) -> str | None:
    """What is wrong with a `/messages` body per the platform's limits, or None."""
    if not isinstance(payload, dict):
        return "body must be an object"
    if payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if not isinstance(payload.get("to"), str) or not payload["to"]:
        return "to is required"
    kind = payload.get("type", "text")
    obj = payload.get(kind)
    if not isinstance(obj, dict):
        return f"{kind} object is required"
    if kind == "text":
        return None if _str(obj.get("body"), 4096) else "text.body limit: 1-4096 characters"
    if kind == "template":
        lang = obj.get("language")
        if not isinstance(obj.get("name"), str) or not isinstance(lang, dict) or not lang.get(
                "code"):
            return "template needs name and language.code"
        return None
    if kind in sim_media.MEDIA_MESSAGE_TYPES:
        return sim_media.validate_media_object(kind, obj)
    if kind != "interactive":
        return f"type {kind!r} is not simulated"
    body = obj.get("body")
    if not isinstance(body, dict) or not _str(body.get("text"), 1024):
        return "interactive body limit: 1-1024 characters"
    action = obj.get("action")
    if not isinstance(action, dict):
        return "interactive.action is required"
    if obj.get("type") == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return "buttons limit: 1-3 reply buttons"
        titles = [b.get("reply", {}).get("title") for b in buttons if isinstance(b, dict)]
        ids = [b.get("reply", {}).get("id") for b in buttons if isinstance(b, dict)]
        if len(titles) != len(buttons) or not all(_str(t, 20) for t in titles):
            return "button title limit: 1-20 characters"
        if not all(_str(i, 256) for i in ids):
            return "button id limit: 1-256 characters"
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            return "button titles and ids must be unique"
        return None
    if obj.get("type") == "list":
        if not _str(action.get("button"), 20):
            return "list button limit: 1-20 characters"
        sections = action.get("sections")
        if not isinstance(sections, list) or not sections:
            return "list needs sections"
        rows = [r for s in sections if isinstance(s, dict) for r in s.get("rows", [])]
        if not 1 <= len(rows) <= 10:
            return "list rows limit: 1-10 rows in total"
        for row in rows:
            if not isinstance(row, dict) or not _str(row.get("title"), 24) or not _str(
                    row.get("id"), 200):
                return "row title limit: 1-24 characters (id 1-200)"
            if "description" in row and not _str(row["description"], 72):
                return "row description limit: 1-72 characters"
        return None
    return f"interactive type {obj.get('type')!r} is not simulated"


def create_app(sim: Simulator) -> web.Application:
    """The simulator's aiohttp application."""
    app = web.Application(client_max_size=sim_media.MAX_UPLOAD_REQUEST)
    app[SIMULATOR] = sim
    app.router.add_post("/{version}/{phone_number_id}/messages", sim.handle_messages)
    app.router.add_route("*", "/_sim/{action}", sim.handle_control)
    from bot.dev import sim_templates  # templates, marketing route, account signals
    sim_templates.install(app, sim)
    sim_media.register(app, sim)

    async def _close(_: web.Application) -> None:
        await sim.close()

    app.on_cleanup.append(_close)
    return app
