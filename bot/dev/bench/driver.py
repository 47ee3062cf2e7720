"""The conversation driver: plays retailers and vendors against the real system.

It hosts the Cloud API simulator (the channel's `Simulator`, in this process
so every message the dispatcher posts is seen the moment it arrives), sends
signed webhooks to the web process and reacts to what the bot sends back:

- a retailer writes an order (see `messages`), picks the first row of any
  "which one?" list, taps Confirm on the review, and reads the order number
  from "Order #N placed";
- the vendor an order is offered to taps Accept (or writes `ACCEPT N`), then
  writes `DISPATCHED N` and `DELIVERED N`;
- every outbound message is answered with a `read` status (the simulator
  posts `sent` and `delivered`), so about three status webhooks arrive per
  outbound message, as on WhatsApp.

What it measures: the webhook acknowledgement time of every POST, the reply
time of every inbound message (webhook sent → first message to that sender
accepted by the simulator), messages never answered, and orders placed and
delivered. Webhooks that get a non-2xx answer are redelivered with back-off,
as WhatsApp does, within a bounded number of attempts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from bot.dev.bench.hist import Histogram
from bot.dev.bench.loadgen import CpuMeter, Poster, PostStats, closed_loop, max_rss_mb
from bot.dev.bench.messages import MessageGenerator
from bot.dev.bench.population import BenchProduct
from bot.dev.bench.webhooks import Envelopes
from bot.dev.simulator import SentMessage, Simulator, create_app
from bot.lifecycle import serving

_ORDER_NO = re.compile(r"#\s?(\d{3,})")
_BUTTON_ORDER = re.compile(r"(\d{3,})")
_PLACED = re.compile(r"✅|placed|राखियो|अर्डर\s*#", re.IGNORECASE)
# Buttons a retailer taps to move an order forward, best first.
_GO_WORDS = ("confirm", "पक्का", "take available", "reduce order", "other vendor", "yes", "हो")
_VENDOR_ACCEPT = ("accept", "स्वीकार")


class Stopped(Exception):
    """The open-loop schedule ended: a conversation stops before its next message."""


@dataclass(slots=True)
class Pending:
    """An inbound message waiting for its first reply."""

    wamid: str
    phone: str
    t_send: float
    kind: str
    answered: bool = False
    text: str = ""


@dataclass(slots=True)
class Counters:
    """What one phase did."""

    messages: int = 0  # inbound messages posted (acknowledged or not)
    acked: int = 0  # inbound messages the web answered 200
    answered: int = 0  # inbound messages whose reply the simulator saw
    statuses: int = 0  # status webhooks the driver posted
    placed: int = 0
    delivered: int = 0
    redeliveries: int = 0
    gave_up: int = 0  # webhooks still not accepted after every redelivery
    conversations: int = 0
    duplicates_posted: int = 0
    window_answered: int = 0  # answered before the phase's deadline
    window_placed: int = 0


@dataclass
class DriverConfig:
    """Where to send and how to sign; who plays; how patient to be."""

    webhook_url: str
    app_secret: str
    access_token: str
    phone_number_id: str
    retailers: Sequence[str]
    vendors: Sequence[str]
    products: Sequence[BenchProduct]
    sim_host: str = "127.0.0.1"
    sim_port: int = 0  # 0: do not host a simulator (baseline only)
    connections: int = 128
    reply_timeout: float = 10.0
    read_statuses: bool = True
    vendor_lifecycle: bool = True  # vendors accept, dispatch and deliver
    redeliver_for: float = 10.0  # seconds a webhook is redelivered for (WhatsApp: days)
    duplicate: bool = False  # deliver every webhook twice, the copy late and out of order
    seed: int = 7
    # More than one web process: webhooks go to each in turn, like Render's load balancer.
    webhook_urls: Sequence[str] = ()


class BenchSimulator(Simulator):
    """The channel's simulator, telling the driver about each message it accepts."""

    def __init__(self, on_sent: Callable[[SentMessage], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_sent = on_sent
        self.seen = 0
        self.status_stats = PostStats()
        self.on_status: Callable[[dict[str, Any]], None] | None = None
        # Seconds to hold each answer after a message was accepted: a sender
        # killed in that window never learns the send succeeded (chaos).
        self.hold_after_accept = 0.0

    async def handle_messages(self, request: web.Request) -> web.Response:
        resp = await super().handle_messages(request)
        while self.seen < len(self.sent):
            message = self.sent[self.seen]
            self.seen += 1
            self.on_sent(message)
        if self.hold_after_accept and resp.status == 200:
            await asyncio.sleep(self.hold_after_accept)
        return resp

    async def post_webhook(self, envelope: dict[str, Any]) -> int:
        started = time.monotonic()
        status = await super().post_webhook(envelope)
        self.status_stats.add_status(status)
        self.status_stats.latency.record((time.monotonic() - started) * 1000.0)
        if self.on_status is not None:
            self.on_status(envelope)
        return status


class Driver:
    """Retailers and vendors in conversation with the system under test."""

    def __init__(self, cfg: DriverConfig) -> None:
        self.cfg = cfg
        self.env = Envelopes(cfg.app_secret, cfg.phone_number_id)
        self.gen = MessageGenerator(cfg.products, seed=cfg.seed)
        self.sim: BenchSimulator | None = None
        self._served = contextlib.AsyncExitStack()  # the simulator, while it serves
        self.poster = Poster(cfg.webhook_urls or cfg.webhook_url, connections=cfg.connections)
        self.ack = PostStats()  # inbound message webhooks
        self.status_ack = PostStats()  # read statuses posted by the driver
        self.dup_ack = PostStats()  # late duplicate copies
        self.flood_stats = PostStats()
        self.reply = Histogram()
        self.counters = Counters()
        self.inbox: dict[str, asyncio.Queue[SentMessage]] = {}
        self.waiting: dict[str, deque[Pending]] = {}
        self.all_pending: list[Pending] = []
        self.acked_wamids: list[str] = []
        self.placed_orders: set[int] = set()
        self.delivered_orders: set[int] = set()
        # What the vendor was told about each order the driver counts delivered,
        # so the accounting can show why one it counts is not delivered in Postgres.
        self.delivered_transcripts: dict[int, list[str]] = {}
        self.placed_texts: dict[int, str] = {}
        self.vendor_phones = set(cfg.vendors)
        self.vendor_orders: dict[tuple[str, int], asyncio.Queue[SentMessage]] = {}
        self._vendor_seen: set[int] = set()
        self.gate: Callable[[], Awaitable[None]] | None = None  # open-loop pacing
        self._tasks: set[asyncio.Task[Any]] = set()
        self._retailer_cycle = itertools.cycle(cfg.retailers)
        self._busy: set[str] = set()
        self.cpu = CpuMeter()
        self._window_end = float("inf")  # rates count what finished before this

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the HTTP client and, if configured, serve the simulator."""
        await self.poster.__aenter__()
        if self.cfg.sim_port:
            self.sim = BenchSimulator(
                self._on_sent, access_token=self.cfg.access_token,
                phone_number_id=self.cfg.phone_number_id, webhook_url=self.cfg.webhook_url,
                app_secret=self.cfg.app_secret)
            await self._served.enter_async_context(
                serving(create_app(self.sim), self.cfg.sim_host, self.cfg.sim_port,
                        backlog=1024))
            if self.cfg.duplicate:
                self.sim.on_status = lambda env: self._spawn(
                    self._late_copy(*self.env.signed(env)))

    async def stop(self) -> None:
        """Cancel background work and close everything."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._served.aclose()
        await self.poster.__aexit__(None, None, None)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ what the bot sends

    def _on_sent(self, message: SentMessage) -> None:
        queue = self.waiting.get(message.to)
        if queue:
            while queue and queue[0].answered:
                queue.popleft()
            if queue and message.at >= queue[0].t_send:
                pending = queue.popleft()
                pending.answered = True
                self.counters.answered += 1
                if message.at <= self._window_end:
                    self.counters.window_answered += 1
                self.reply.record((message.at - pending.t_send) * 1000.0)
        if self.cfg.read_statuses:
            self._spawn(self._read(message))
        if message.to in self.vendor_phones:
            self._vendor_message(message)
        else:
            self.inbox.setdefault(message.to, asyncio.Queue()).put_nowait(message)

    async def _read(self, message: SentMessage) -> None:
        # With duplicates on, `read` often arrives before `sent`/`delivered`.
        await asyncio.sleep(self.gen.rng.uniform(0, 0.1) if self.cfg.duplicate else 0.05)
        body, headers = self.env.signed(self.env.status(message.wamid, "read", message.to))
        self.counters.statuses += 1
        await self.poster.post(body, headers, self.status_ack)
        if self.cfg.duplicate:
            self._spawn(self._late_copy(body, headers))

    async def _late_copy(self, body: bytes, headers: dict[str, str]) -> None:
        """WhatsApp's duplicate delivery: the same body again, after later messages."""
        await asyncio.sleep(self.gen.rng.uniform(0.0, 1.5))
        self.counters.duplicates_posted += 1
        status, _ = await self.poster.post(body, headers, self.dup_ack)
        delay = 0.2
        for _ in range(20):  # bounded: a copy is redelivered like the original
            if 200 <= status < 300:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            status, _ = await self.poster.post(body, headers, self.dup_ack)

    # ------------------------------------------------------------ posting

    async def post_message(self, phone: str, wamid: str, envelope: dict[str, Any],
                           kind: str, *, expect_reply: bool = True) -> bool:
        """Post one inbound message (paced by the gate), redelivering on non-2xx."""
        if self.gate is not None:
            await self.gate()
        body, headers = self.env.signed(envelope)
        if expect_reply:
            msg = envelope["entry"][0]["changes"][0]["value"]["messages"][0]
            text = msg.get("text", {}).get("body") or str(msg.get("interactive", ""))
            pending = Pending(wamid, phone, time.monotonic(), kind, text=text[:200])
            self.waiting.setdefault(phone, deque()).append(pending)
            self.all_pending.append(pending)
        self.counters.messages += 1
        if self.cfg.duplicate:
            self._spawn(self._late_copy(body, headers))
        deadline = time.monotonic() + self.cfg.redeliver_for
        delay = 0.2
        while True:
            status, _ = await self.poster.post(body, headers, self.ack)
            if 200 <= status < 300:
                self.counters.acked += 1
                self.acked_wamids.append(wamid)
                return True
            if time.monotonic() + delay > deadline:
                self.counters.gave_up += 1
                return False
            self.counters.redeliveries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def send_text(self, phone: str, text: str, kind: str = "text", *,
                        expect_reply: bool = True) -> bool:
        """`phone` writes `text`."""
        wamid, envelope = self.env.text(phone, text)
        return await self.post_message(phone, wamid, envelope, kind, expect_reply=expect_reply)

    async def tap(self, phone: str, reply_id: str, title: str, kind: str,
                  context: str | None) -> bool:
        """`phone` taps a reply button (`button_reply`) or a list row (`list_reply`)."""
        wamid, envelope = self.env.reply(phone, reply_id, title, kind=kind, context=context)
        return await self.post_message(phone, wamid, envelope, kind)

    async def _next(self, phone: str, wait: float) -> SentMessage | None:
        queue = self.inbox.setdefault(phone, asyncio.Queue())
        try:
            return await asyncio.wait_for(queue.get(), wait)
        except TimeoutError:
            return None

    # ------------------------------------------------------------ a retailer

    @contextlib.asynccontextmanager
    async def occupied(self, phone: str, wait: float = 30.0) -> AsyncIterator[None]:
        """Keep the driver's conversations off `phone` while someone else (an operator's
        money calls in the chaos suite) acts for that retailer; waits for the current
        conversation, if any, to end first."""
        deadline = time.monotonic() + wait
        for _ in range(int(wait / 0.05) + 1):  # polled: conversations mark `_busy` directly
            if phone not in self._busy or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        self._busy.add(phone)
        try:
            yield
        finally:
            self._busy.discard(phone)

    def drain_inbox(self, phone: str) -> list[SentMessage]:
        """What the bot sent `phone` that no conversation has read (notices, say)."""
        queue = self.inbox.setdefault(phone, asyncio.Queue())
        taken = []
        while not queue.empty():
            taken.append(queue.get_nowait())
        return taken

    def next_retailer(self) -> str | None:
        """An idle retailer (round robin), or None when all are busy."""
        for _ in range(len(self.cfg.retailers)):
            phone = next(self._retailer_cycle)
            if phone not in self._busy:
                return phone
        return None

    async def order_conversation(self, phone: str | None = None, *, lines: int | None = None,
                                 text: str | None = None) -> bool:
        """One retailer writes an order and confirms it; True if an order was placed."""
        phone = phone or self.next_retailer()
        if phone is None:
            await asyncio.sleep(0.05)
            return False
        self._busy.add(phone)
        self.counters.conversations += 1
        try:
            return await self._order_steps(phone, lines, text)
        except Stopped:
            return False
        finally:
            self._busy.discard(phone)

    async def _order_steps(self, phone: str, lines: int | None, text: str | None) -> bool:
        inbox = self.inbox.setdefault(phone, asyncio.Queue())
        while not inbox.empty():  # late notices about earlier orders
            inbox.get_nowait()
        if not await self.send_text(phone, text or self.gen.order(lines)):
            return False
        for _ in range(8):  # bounded: review, a few "which one?", confirm
            message = await self._next(phone, self.cfg.reply_timeout)
            if message is None:
                return False
            action = self._retailer_action(message)
            if action == "placed":
                numbers = {int(n) for n in _ORDER_NO.findall(message.text or "")}
                self.placed_orders.update(numbers)
                for n in numbers:  # what it said, in case Postgres has no such order
                    self.placed_texts.setdefault(n, _said(message))
                self.counters.placed += max(1, len(numbers))
                if message.at <= self._window_end:
                    self.counters.window_placed += max(1, len(numbers))
                return True
            if action is None:
                continue  # text before the interactive part, or a notice
            reply_id, title, kind = action
            if not await self.tap(phone, reply_id, title, kind, message.wamid):
                return False
        return False

    def _retailer_action(self, message: SentMessage) -> tuple[str, str, str] | str | None:
        payload = message.payload
        if message.type == "interactive":
            inter = payload.get("interactive", {})
            action = inter.get("action", {})
            if inter.get("type") == "list":
                rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
                if rows:
                    row = rows[0]
                    return str(row["id"]), str(row["title"]), "list_reply"
            if inter.get("type") == "button":
                buttons = [b.get("reply", {}) for b in action.get("buttons", [])]
                for word in _GO_WORDS:
                    for b in buttons:
                        if word in str(b.get("title", "")).casefold():
                            return str(b["id"]), str(b["title"]), "button_reply"
        text = message.text or ""
        if _PLACED.search(text) and _ORDER_NO.search(text):
            return "placed"
        return None

    async def query_conversation(self, phone: str | None = None) -> bool:
        """A retailer asks for their balance or orders (one message, one reply)."""
        phone = phone or self.next_retailer()
        if phone is None:
            await asyncio.sleep(0.05)
            return False
        self._busy.add(phone)
        self.counters.conversations += 1
        try:
            word = self.gen.rng.choice(("balance", "status", "hisab", "mero order", "help"))
            if not await self.send_text(phone, word):
                return False
            return await self._next(phone, self.cfg.reply_timeout) is not None
        except Stopped:
            return False
        finally:
            self._busy.discard(phone)

    # ------------------------------------------------------------ vendors

    def _vendor_message(self, message: SentMessage) -> None:
        number = self._order_number(message)
        if number is None:
            return
        key = (message.to, number)
        queue = self.vendor_orders.get(key)
        if queue is not None:
            queue.put_nowait(message)
            return
        if number in self._vendor_seen or not self.cfg.vendor_lifecycle:
            return
        self._vendor_seen.add(number)
        self.vendor_orders[key] = asyncio.Queue()
        self._spawn(self._vendor_order(message.to, number, message))

    @staticmethod
    def _order_number(message: SentMessage) -> int | None:
        found = _ORDER_NO.search(message.text or "")
        if found:
            return int(found.group(1))
        if message.type == "interactive":
            action = message.payload.get("interactive", {}).get("action", {})
            for b in action.get("buttons", []):
                found = _BUTTON_ORDER.search(str(b.get("reply", {}).get("id", "")))
                if found:
                    return int(found.group(1))
        return None

    async def _vendor_order(self, vendor: str, number: int, offer: SentMessage) -> None:
        queue = self.vendor_orders[(vendor, number)]
        with contextlib.suppress(Stopped):
            await self._vendor_steps(vendor, number, offer, queue)

    async def _vendor_steps(self, vendor: str, number: int, offer: SentMessage,
                            queue: asyncio.Queue[SentMessage]) -> None:
        try:
            accept = None
            if offer.type == "interactive":
                buttons = offer.payload.get("interactive", {}).get("action", {}).get("buttons", [])
                for b in buttons:
                    reply = b.get("reply", {})
                    if any(w in str(reply.get("title", "")).casefold() for w in _VENDOR_ACCEPT):
                        accept = (str(reply["id"]), str(reply["title"]))
            if accept:
                ok = await self.tap(vendor, accept[0], accept[1], "button_reply", offer.wamid)
            else:
                ok = await self.send_text(vendor, f"ACCEPT {number}", "vendor")
            transcript: list[str] = []
            for command in (f"DISPATCHED {number}", f"DELIVERED {number}"):
                if not ok:
                    return
                # Wait for the bot's answer about this order before the next step.
                with contextlib.suppress(TimeoutError):
                    transcript.append(_said(await asyncio.wait_for(queue.get(),
                                                                   self.cfg.reply_timeout)))
                # An answer that came after its wait timed out is not the next one's.
                while not queue.empty():
                    transcript.append(_said(queue.get_nowait()))
                transcript.append(f"> {command}")
                ok = await self.send_text(vendor, command, "vendor")
            if ok:
                # Delivered only once the bot has answered the DELIVERED message.
                with contextlib.suppress(TimeoutError):
                    answer = await asyncio.wait_for(queue.get(), self.cfg.reply_timeout)
                    transcript.append(_said(answer))
                    self.delivered_orders.add(number)
                    self.delivered_transcripts[number] = transcript
                    self.counters.delivered += 1
        finally:
            self.vendor_orders.pop((vendor, number), None)

    async def flood(self, phone: str, count: int, rate: float) -> int:
        """One sender writes `count` messages at `rate`/s without waiting; returns acked.

        The flood has its own connections, as WhatsApp's senders would, so what
        others see is the server's fairness, not the load generator's pool.
        """
        acked = 0
        self._busy.add(phone)
        flood_stats = PostStats()

        async def one(poster: Poster) -> None:
            nonlocal acked
            wamid, envelope = self.env.text(phone, self.gen.order(1))
            body, headers = self.env.signed(envelope)
            delay = 0.2
            for _ in range(30):  # redelivered like any webhook, bounded
                status, _ = await poster.post(body, headers, flood_stats)
                if 200 <= status < 300:
                    acked += 1
                    self.acked_wamids.append(wamid)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

        try:
            urls = self.cfg.webhook_urls or self.cfg.webhook_url
            async with Poster(urls, connections=64) as poster:
                t0 = time.monotonic()
                tasks = []
                for i in range(count):
                    delay = t0 + i / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.ensure_future(one(poster)))
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._busy.discard(phone)
        self.flood_stats = flood_stats
        return acked

    # ------------------------------------------------------------ phases

    async def drain(self, wait: float) -> int:
        """Wait until every inbound message has its reply (or time is up); unanswered count."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if all(p.answered for p in self.all_pending) and not self.vendor_orders:
                break
            await asyncio.sleep(0.1)
        return sum(1 for p in self.all_pending if not p.answered)

    def unanswered_vendors(self) -> int:
        """How many of the unanswered messages are vendors' (whose replies WhatsApp paces)."""
        return sum(1 for p in self.all_pending
                   if not p.answered and p.phone in self.vendor_phones)

    def reset_metrics(self) -> None:
        """Start counting a new phase (pending replies stay tracked)."""
        self.ack = PostStats()
        self.status_ack = PostStats()
        self.reply = Histogram()
        self.counters = Counters()
        if self.sim is not None:
            self.sim.status_stats = PostStats()
        self.cpu.reset()

    def snapshot(self, wall: float, window: float | None = None) -> dict[str, Any]:
        """This phase's figures; rates over `window` s count what finished inside it."""
        c = self.counters
        win = window or wall
        answered = c.window_answered if window else c.answered
        placed = c.window_placed if window else c.placed
        return {
            "wall_s": round(wall, 2), "window_s": round(win, 2),
            "messages": c.messages, "acked": c.acked, "answered": c.answered,
            "msgs_per_s": round(answered / win, 1) if win else 0.0,
            "inbound_per_s": round(c.messages / wall, 1) if wall else 0.0,
            "placed": c.placed, "orders_per_s": round(placed / win, 1) if win else 0.0,
            "delivered": c.delivered, "conversations": c.conversations,
            "statuses_posted": c.statuses + (self.sim.status_stats.latency.count
                                             if self.sim else 0),
            "redeliveries": c.redeliveries, "gave_up": c.gave_up,
            "ack_ms": self.ack.latency.summary(),
            "status_ack_ms": _merged(self.status_ack, self.sim).summary(),
            "reply_ms": self.reply.summary(),
            "http": self.ack.statuses, "http_errors": self.ack.non_2xx,
            "status_http_errors": self.status_ack.non_2xx + (
                self.sim.status_stats.non_2xx if self.sim else 0),
            "loadgen_cpu": self.cpu.share(),
        }

    async def closed(self, concurrency: int, duration: float, *,
                     queries: float = 0.0) -> dict[str, Any]:
        """`concurrency` retailers in back-to-back conversations for `duration` s."""
        self.reset_metrics()
        rng = self.gen.rng

        async def unit(_: int) -> bool:
            if queries and rng.random() < queries:
                return await self.query_conversation()
            return await self.order_conversation()

        started = time.monotonic()
        self._window_end = started + duration
        _window("start", f"c={concurrency}")
        await closed_loop(concurrency, duration, unit)
        _window("end", f"c={concurrency}")
        snap = self.snapshot(time.monotonic() - started, duration)
        self._window_end = float("inf")
        return snap

    async def ramp(self, steps: Sequence[int], step_seconds: float, *,
                   queries: float = 0.0) -> dict[str, Any]:
        """Closed loop at rising concurrency until errors appear or throughput stops rising.

        The maximum sustainable rate is the best step that finished with no
        error answer, no gave-up webhook and every reply in.
        """
        results = []
        best: dict[str, Any] | None = None
        flat = 0
        for concurrency in steps:
            snap = await self.closed(concurrency, step_seconds, queries=queries)
            snap["concurrency"] = concurrency
            snap["unanswered_after_drain"] = await self.drain(10.0)
            snap["unanswered_vendor"] = self.unanswered_vendors()
            results.append(snap)
            print(f"  step c={concurrency}: {snap['msgs_per_s']} msgs/s, "
                  f"ack p99 {snap['ack_ms']['p99']} ms, errors {snap['http_errors']}, "
                  f"unanswered {snap['unanswered_after_drain']} "
                  f"({snap['unanswered_vendor']} vendors')", file=sys.stderr, flush=True)
            clean = (snap["http_errors"] == 0 and snap["gave_up"] == 0
                     and snap["unanswered_after_drain"] == 0)
            if not clean:
                break
            if best is None or snap["msgs_per_s"] > best["msgs_per_s"]:
                flat = 0 if best is None or snap["msgs_per_s"] > best["msgs_per_s"] * 1.05 \
                    else flat + 1
                best = snap
            else:
                flat += 1
            # Saturated: two steps without a 5% gain, or a clear fall.
            if flat >= 2 or snap["msgs_per_s"] < best["msgs_per_s"] * 0.8:
                break
        out = dict(best or results[-1])
        out["sustainable"] = best is not None
        out["steps"] = [{k: r[k] for k in ("concurrency", "msgs_per_s", "orders_per_s",
                                           "http_errors", "gave_up", "unanswered_after_drain",
                                           "unanswered_vendor", "loadgen_cpu")}
                        | {"ack_p99": r["ack_ms"]["p99"], "reply_p95": r["reply_ms"]["p95"]}
                        for r in results]
        return out

    async def open(self, rate: float, duration: float, *, queries: float = 0.2,
                   max_conversations: int = 1500) -> dict[str, Any]:
        """Inbound messages at `rate` per second for `duration` s (conversations as needed)."""
        self.reset_metrics()
        burst = max(1, int(rate * 0.05))
        tokens: asyncio.Queue[None] = asyncio.Queue()
        missed = 0
        stopping = False
        waiting = 0  # conversations ready to send, waiting for their token

        async def gate() -> None:
            nonlocal waiting
            if stopping:
                raise Stopped
            waiting += 1
            try:
                await tokens.get()
            finally:
                waiting -= 1
            if stopping:
                raise Stopped

        async def ticker() -> None:
            nonlocal missed
            t0 = time.monotonic()
            for i in range(int(rate * duration)):
                due = t0 + i / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if tokens.qsize() >= burst:
                    missed += 1  # nobody was ready to send: the driver under-drove
                else:
                    tokens.put_nowait(None)

        rng = self.gen.rng
        self.gate = gate
        started = time.monotonic()
        _window("start", f"rate={rate:g}")
        tick = asyncio.ensure_future(ticker())
        active: set[asyncio.Task[bool]] = set()
        try:
            while not tick.done():
                # Open loop: whenever too few conversations are ready to send, start
                # new ones (new retailers writing), however slow the replies are.
                # Capped by `max_conversations` and by the idle retailers left.
                started_now = 0
                while (waiting + started_now < burst + 20 and len(active) < max_conversations
                       and len(self._busy) + started_now < len(self.cfg.retailers) - 1):
                    coro = (self.query_conversation() if rng.random() < queries
                            else self.order_conversation())
                    task = asyncio.ensure_future(coro)
                    active.add(task)
                    task.add_done_callback(active.discard)
                    started_now += 1
                await asyncio.sleep(0.01)
        finally:
            _window("end", f"rate={rate:g}")
            # The schedule is over: no conversation sends another message, but
            # webhooks already on the wire finish (and are redelivered if need be).
            stopping = True
            for _ in range(len(active) + 1):
                tokens.put_nowait(None)
            if active:
                _, late = await asyncio.wait(set(active), timeout=2 * self.cfg.reply_timeout)
                for task in late:
                    task.cancel()
            self.gate = None
        wall = time.monotonic() - started
        snap = self.snapshot(wall)
        snap["target_rate"] = rate
        snap["missed_ticks"] = missed  # ticks with no conversation ready: under-driven
        snap["offered_per_s"] = round((int(rate * duration) - missed) / duration, 1)
        return snap

    def accounting(self) -> dict[str, Any]:
        """Everything sent, for checking against the database afterwards."""
        return {
            "acked_wamids": self.acked_wamids,
            "unanswered": [{"wamid": p.wamid, "phone": p.phone, "kind": p.kind, "text": p.text,
                            "after": [m.text for m in (self.sim.sent if self.sim else [])
                                      if m.to == p.phone and m.at >= p.t_send][:3]}
                           for p in self.all_pending if not p.answered],
            "placed_orders": sorted(self.placed_orders),
            "delivered_orders": sorted(self.delivered_orders),
            "delivered_transcripts": {str(k): v for k, v in self.delivered_transcripts.items()},
            "placed_texts": {str(k): v for k, v in self.placed_texts.items()},
            "sim_sent": len(self.sim.sent) if self.sim else 0,
        }


def _window(edge: str, label: str) -> None:
    """Tell the bench where a measured window starts or ends, to take CPU over just it."""
    print(f"window-{edge} {label}", file=sys.stderr, flush=True)


def _said(message: SentMessage) -> str:
    """A sent message as one short line, for transcripts."""
    return f"< {message.type}: {(message.text or '')[:120]}"


def _merged(stats: PostStats, sim: BenchSimulator | None) -> Histogram:
    h = Histogram()
    h.merge(stats.latency)
    if sim is not None:
        h.merge(sim.status_stats.latency)
    return h


# ---------------------------------------------------------------- baseline (phase 1)

async def baseline(url: str, app_secret: str, phone_number_id: str, *, concurrency: int,
                   duration: float, connections: int) -> dict[str, Any]:
    """Closed-loop signed webhook POSTs against `url`: the machine's ceiling."""
    env = Envelopes(app_secret, phone_number_id)
    gen = MessageGenerator([BenchProduct("X", "Chini", "kg", ("chini",), "", 0, True)])
    bodies = [env.signed(env.text(f"97798{10_000_000 + i:08d}", gen.order())[1])
              for i in range(2000)]
    stats = PostStats()
    cpu = CpuMeter()
    async with Poster(url, connections=connections) as poster:
        async def unit(i: int) -> bool:
            body, headers = bodies[i % len(bodies)]
            status, _ = await poster.post(body, headers, stats)
            return 200 <= status < 300

        result = await closed_loop(concurrency, duration, unit)
    return {"rps": round(result.finished / result.wall, 1), "requests": result.finished,
            "errors": stats.non_2xx, "ack_ms": stats.latency.summary(),
            "loadgen_cpu": cpu.share(), "wall_s": round(result.wall, 2)}


# ---------------------------------------------------------------- subprocess entry point

async def _main(cfg_path: str, out_path: str) -> None:
    spec = orjson.loads(Path(cfg_path).read_bytes())  # noqa: ASYNC240 - before any load
    result: dict[str, Any] = {"phases": {}}
    if spec.get("baseline"):
        b = spec["baseline"]
        print("phase-start baseline", file=sys.stderr, flush=True)
        result["phases"]["baseline"] = await baseline(
            b["url"], spec["app_secret"], spec["phone_number_id"],
            concurrency=b["concurrency"], duration=b["duration"], connections=b["connections"])
        print("phase-end baseline", file=sys.stderr, flush=True)
        result["max_rss_mb"] = max_rss_mb()
        Path(out_path).write_bytes(orjson.dumps(result))  # noqa: ASYNC240
        return
    products = [BenchProduct(p["sku"], p["name"], p["unit"], tuple(p["aliases"]),
                             p["category"], p["price"], True) for p in spec["products"]]
    cfg = DriverConfig(
        webhook_url=spec["webhook_url"], webhook_urls=tuple(spec.get("webhook_urls") or ()),
        app_secret=spec["app_secret"],
        access_token=spec["access_token"], phone_number_id=spec["phone_number_id"],
        retailers=spec["retailers"], vendors=spec["vendors"], products=products,
        sim_port=spec["sim_port"], connections=spec.get("connections", 128),
        reply_timeout=spec.get("reply_timeout", 10.0), seed=spec.get("seed", 7))
    driver = Driver(cfg)
    await driver.start()
    try:
        for phase in spec["phases"]:
            name, kind = phase["name"], phase["kind"]
            print(f"phase-start {name}", file=sys.stderr, flush=True)
            if kind == "ramp":
                snap = await driver.ramp(phase["steps"], phase["duration"],
                                         queries=phase.get("queries", 0.0))
            elif kind == "closed":
                snap = await driver.closed(phase["concurrency"], phase["duration"],
                                           queries=phase.get("queries", 0.0))
            else:
                snap = await driver.open(phase["rate"], phase["duration"],
                                         queries=phase.get("queries", 0.2))
            print(f"phase-end {name}", file=sys.stderr, flush=True)
            snap["unanswered_after_drain"] = await driver.drain(phase.get("drain", 15.0))
            result["phases"][name] = snap
            print(f"phase {name}: {orjson.dumps(snap).decode()}", file=sys.stderr, flush=True)
        result["unanswered_final"] = await driver.drain(spec.get("final_drain", 20.0))
        result["accounting"] = driver.accounting()
        result["max_rss_mb"] = max_rss_mb()
    finally:
        await driver.stop()
    Path(out_path).write_bytes(orjson.dumps(result))  # noqa: ASYNC240


def main() -> None:
    """`python -m bot.dev.bench.driver CONFIG OUT` (started by `khaacho bench`)."""
    parser = argparse.ArgumentParser(description="khaacho bench load driver")
    parser.add_argument("config")
    parser.add_argument("out")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(_main(args.config, args.out))
    else:
        uvloop.run(_main(args.config, args.out))


if __name__ == "__main__":
    main()
