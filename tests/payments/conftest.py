"""The payment tests' world: the gateway simulators on loopback, the bot's web app serving
the payment pages, a runtime whose settings point at both, and a retailer who owes money."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from bot import gateways
from bot.dev.gateways import GatewaySim, serve
from bot.processes import create_app
from bot.runtime import Runtime
from bot.services import payments
from bot.store import payment_intents as intents
from domain.payments import Gateway
from flows.money_notices import payment_notices
from jobs import payment_reconciliation
from jobs.runner import run_job

# The whole web + simulator + dispatcher stack, for the chat tests.
from tests.conversation.conftest import stack  # noqa: F401
from tests.jobs import builders

GATEWAYS = [Gateway.KHALTI, Gateway.ESEWA, Gateway.FONEPAY]
_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_ACTION = re.compile(r'<form id="pay" method="post" action="([^"]+)">')


@dataclass
class Payworld:
    """A bot with gateways set up, the simulators behind them, and an HTTP client."""

    runtime: Runtime
    sim: GatewaySim
    bot_url: str
    http: aiohttp.ClientSession

    @property
    def clients(self) -> dict[Gateway, gateways.GatewayClient]:
        return gateways.clients(self.runtime.settings)

    async def retailer_owing(self, amount: str = "1500", *, language: str = "en",
                             due_in_days: int = 10) -> dict[str, object]:
        """A retailer with one debit of `amount` due in `due_in_days`."""
        async with self.runtime.pool.acquire() as conn:
            r = await builders.retailer(conn, language=language)
            today = dt.datetime.now(dt.UTC).date()
            await builders.debit(conn, int(r["id"]), amount,
                                 today + dt.timedelta(days=due_in_days),
                                 created=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        return r

    async def start(self, retailer_id: int, gateway: Gateway, amount: str = "1500",
                    order_number: int | None = None) -> intents.Intent:
        """Start paying as the chat's Pay button does; the pending intent."""
        now = dt.datetime.now(dt.UTC)
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            started = await payments.start(conn, self.clients, retailer_id=retailer_id,
                                           gateway=gateway, amount=Decimal(amount),
                                           order_number=order_number,
                                           settings=self.runtime.settings, now=now)
        assert isinstance(started, payments.Started), started
        return started.intent

    async def pay(self, intent: intents.Intent, amount: Decimal | None = None) -> str | None:
        """The customer pays at the gateway; the URL their browser is sent back to (if any)."""
        assert intent.reference is not None
        if intent.gateway is Gateway.KHALTI:
            paisa = None if amount is None else int(amount * 100)
            return self.sim.khalti.pay(intent.reference, paisa)
        if intent.gateway is Gateway.ESEWA:
            if intent.reference not in self.sim.esewa.payments:
                await self.submit_esewa_form(intent)
            return self.sim.esewa.pay(intent.reference, amount)
        assert amount is None, "a Fonepay QR pays what it encodes (misprice it instead)"
        self.sim.fonepay.pay(intent.reference)
        return None

    async def submit_esewa_form(self, intent: intents.Intent) -> None:
        """What the browser does with our short link: load it, post its form to eSewa."""
        assert intent.payment_url is not None
        async with self.http.get(intent.payment_url) as page:
            assert page.status == 200
            text = await page.text()
        action = unescape(_ACTION.search(text).group(1))  # type: ignore[union-attr]
        fields = {unescape(k): unescape(v) for k, v in _INPUT.findall(text)}
        async with self.http.post(action, data=fields) as posted:
            assert posted.status == 200, await posted.text()

    async def come_back(self, url: str | None) -> tuple[int, str]:
        """The browser lands on our return page (nothing to do for a QR)."""
        if url is None:
            return 0, ""
        async with self.http.get(url) as response:
            return response.status, await response.text()

    def fail_lookups(self, gateway: Gateway, n: int) -> None:
        {Gateway.KHALTI: self.sim.khalti, Gateway.ESEWA: self.sim.esewa,
         Gateway.FONEPAY: self.sim.fonepay}[gateway].fail_lookups = n

    async def reconcile(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Run the payment-reconciliation job once (as of `now`); its counts."""
        result = await run_job(self.runtime, payment_reconciliation.JOB,
                               now or dt.datetime.now(dt.UTC))
        return dict(result.counts)

    async def check(self, intent: intents.Intent) -> payments.Settled | None:
        fresh = await self.intent(intent.id)
        return await payments.check(self.runtime.pool, self.clients[intent.gateway], fresh,
                                    settings=self.runtime.settings,
                                    now=dt.datetime.now(dt.UTC), word=payment_notices)

    async def intent(self, intent_id: int) -> intents.Intent:
        async with self.runtime.pool.acquire() as conn:
            found = await intents.by_id(conn, intent_id)
        assert found is not None
        return found

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self.runtime.pool.acquire() as conn:
            return list(await conn.fetch(sql, *args))

    async def val(self, sql: str, *args: object) -> object:
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)


@pytest.fixture
async def payworld(runtime: Runtime) -> AsyncIterator[Payworld]:
    sim = GatewaySim()
    sim_runner = await serve(sim)
    rt = Runtime(runtime.settings.model_copy(update=sim.settings_fields()), runtime.pool,
                 runtime.redis, runtime.keys)
    server = TestServer(create_app(rt), host="127.0.0.1", port=0)
    await server.start_server()
    bot_url = str(server.make_url("")).rstrip("/")
    rt.settings = rt.settings.model_copy(update={"public_base_url": bot_url})
    async with aiohttp.ClientSession() as http:
        yield Payworld(rt, sim, bot_url, http)
    await server.close()
    await sim_runner.cleanup()
