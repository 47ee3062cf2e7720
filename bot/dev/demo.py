"""`khaacho demo`: the whole product on one machine, in one process.

Starts the web app, the worker (outbox dispatcher and scheduled jobs) and the
WhatsApp Cloud API simulator on loopback ports, over Postgres and Redis
(embedded ones when the URLs are unset), loads the demo catalogue, its three
vendors and an approved demo retailer, and syncs the message templates to the
simulator, which approves them (status webhooks to the bot). In a terminal it
opens the chat; without one it plays the sample conversation from the first
message to a delivered order and the retailer's balance, then pays it from the chat with Khalti (the
gateway simulators, bot/dev/gateways/, stand in for Khalti, eSewa and Fonepay),
prints it, and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import aiohttp
from pydantic import SecretStr

from bot.config import Settings
from bot.console import accounts
from bot.db import connect, migrate
from bot.dev.chat_client import ChatClient, Message
from bot.dev.demo_catalog import load_demo
from bot.dev.demo_script import DEMO_RETAILER, DemoFailed, Transcript, play, tap
from bot.dev.gateways import GatewaySim
from bot.dev.gateways import serve as serve_gateways
from bot.dev.sim_templates import DEFAULT_WABA_ID, desk
from bot.dev.simulator import Simulator
from bot.dev.simulator import create_app as create_simulator_app
from bot.dev.terminal_chat import converse
from bot.lifecycle import serving
from bot.processes import create_app, worker_over
from bot.runtime import Runtime
from bot.whatsapp.templates_api import TemplatesClient, sync

log = logging.getLogger(__name__)

# Local-only credentials shared by the bot and the simulator it talks to.
_DEMO_TOKEN = "demo-access-token"  # noqa: S105 - not a secret: loopback simulator only
_DEMO_SECRET = "demo-app-secret"  # noqa: S105 - not a secret: loopback simulator only
_DEMO_NUMBER_ID = "100000000000001"
DEMO_VENDOR = "9779801000001"  # Shrestha Traders in bot/dev/demo_data/vendors.csv
DEMO_AREA = "Kathmandu"
DEMO_CREDIT_LIMIT = Decimal(200000)
# The operator console's demo login (an admin; loopback only, like the rest of the demo).
DEMO_OPERATOR = "demo"
DEMO_OPERATOR_PASSWORD = "khaacho-demo-console"  # noqa: S105 - not a secret: the local demo


@dataclass(frozen=True, slots=True)
class LocalStack:
    """Where the running demo can be reached."""

    web_url: str
    simulator_url: str
    gateways: GatewaySim

    @property
    def console_url(self) -> str:
        """The operator console of this demo."""
        return f"{self.web_url}/console"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(runtime: Runtime) -> None:
    """Load the demo catalogue and vendors, and an active demo retailer with credit."""
    summary = await load_demo(runtime.pool)
    await runtime.redis.incr(runtime.keys.catalog_version())
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            """INSERT INTO retailers (phone, shop_name, area, status, credit_limit, approved_at)
               VALUES ($1, 'Demo Kirana Pasal', $2, 'active', $3, now())
               ON CONFLICT (phone) DO NOTHING""",
            DEMO_RETAILER, DEMO_AREA, DEMO_CREDIT_LIMIT)
        if await accounts.find_account(conn, DEMO_OPERATOR) is None:
            await accounts.add_account(conn, username=DEMO_OPERATOR, role="admin",
                                       password=DEMO_OPERATOR_PASSWORD, actor="demo")
    log.info("demo data loaded", extra={"products": summary.products,
                                        "vendors": summary.vendors})


@contextlib.asynccontextmanager
async def local_stack(settings: Settings) -> AsyncIterator[LocalStack]:
    """Run web + worker + simulator on loopback for as long as the context lasts."""
    web_port, sim_port = _free_port(), _free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    web_url = f"http://127.0.0.1:{web_port}"
    # The payment gateways' simulators: every gateway set up, none on the internet.
    gateways = GatewaySim()
    gateway_runner = await serve_gateways(gateways)
    settings = settings.model_copy(update={
        **gateways.settings_fields(), "public_base_url": web_url,
        "whatsapp_api_url": f"{sim_url}/v23.0",
        "whatsapp_phone_number_id": _DEMO_NUMBER_ID,
        "whatsapp_access_token": SecretStr(_DEMO_TOKEN),
        "whatsapp_app_secret": SecretStr(_DEMO_SECRET),
        "whatsapp_business_account_id": DEFAULT_WABA_ID,
    })
    conn = await connect(settings.database_url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    sim = Simulator(access_token=_DEMO_TOKEN, phone_number_id=_DEMO_NUMBER_ID,
                    app_secret=_DEMO_SECRET, webhook_url=f"{web_url}/webhook")
    # One runtime for the web app and the worker, as one process holds it.
    try:
        async with Runtime.opened(settings) as runtime:
            await seed(runtime)
            async with (
                serving(create_app(runtime), "127.0.0.1", web_port),
                serving(create_simulator_app(sim), "127.0.0.1", sim_port),
                worker_over(runtime),
            ):
                await _templates_live(runtime, settings, sim)
                yield LocalStack(web_url, sim_url, gateways)
    finally:
        await gateway_runner.cleanup()


async def _templates_live(runtime: Runtime, settings: Settings, sim: Simulator) -> None:
    """Sync the template registry to the simulator and approve it all, as going live does:
    `khaacho templates sync`, then Meta's review arriving as status webhooks."""
    async with aiohttp.ClientSession() as http:
        client = TemplatesClient(http, settings.whatsapp_api_url, DEFAULT_WABA_ID, _DEMO_TOKEN)
        report = await sync(runtime.pool, client)
    approved = await desk(sim).set_status()
    log.info("demo templates: %d created, %d approved", len(report.created), approved)


async def _say(client: ChatClient, transcript: Transcript, phone: str,
               text: str) -> list[Message]:
    client.phone = phone
    transcript.user(phone, text)
    replies = await client.send(text)
    transcript.bot(phone, replies)
    return replies


async def play_to_delivery(client: ChatClient,
                           gateways: GatewaySim | None = None) -> Transcript:
    """The sample conversation, then dispatch and delivery by the vendor, then the balance;
    with `gateways`, the retailer then pays it all with Khalti from the chat."""
    transcript = await play(client, retailer=DEMO_RETAILER, vendor=DEMO_VENDOR)
    number = transcript.order_number
    client.phone = DEMO_VENDOR
    await client.mark_read()
    transcript.lines.append(f"  (now writing as the vendor {DEMO_VENDOR})")
    await _say(client, transcript, DEMO_VENDOR, f"DISPATCHED {number}")
    await _say(client, transcript, DEMO_VENDOR, f"DELIVERED {number}")
    client.phone = DEMO_RETAILER
    transcript.lines.append(f"  (back to the retailer {DEMO_RETAILER})")
    transcript.bot(DEMO_RETAILER, await client.replies(expect=0))
    balance = await _say(client, transcript, DEMO_RETAILER, "balance")
    if gateways is not None and balance:
        await pay_with_khalti(client, transcript, balance, gateways)
    return transcript


_KHALTI_PAGE = re.compile(r"https?://\S+/khalti/pay/(\S+)")


async def pay_with_khalti(client: ChatClient, transcript: Transcript, balance: list[Message],
                          gateways: GatewaySim) -> None:
    """Tap Pay under the balance, choose Khalti, pay on its (simulated) page, get the receipt."""
    offer = await tap(client, transcript, balance, "pay")
    link = await tap(client, transcript, offer, "pm:khalti:")
    found = _KHALTI_PAGE.search("\n".join(m.body for m in link))
    if found is None:
        raise DemoFailed("no Khalti link after choosing Khalti")
    transcript.lines.append("  (the shop pays on Khalti's page; Khalti sends the browser back)")
    async with aiohttp.ClientSession() as http, http.get(gateways.khalti.pay(found.group(1))):
        pass
    receipt = await client.replies()
    transcript.bot(DEMO_RETAILER, receipt)
    if not any("received" in m.body for m in receipt):
        raise DemoFailed("no receipt after paying with Khalti")


async def _run(settings: Settings, interactive: bool) -> int:
    async with local_stack(settings) as stack:
        client = ChatClient(stack.simulator_url, DEMO_RETAILER, name="Demo Kirana Pasal")
        console = (f"Operator console: {stack.console_url} — log in as {DEMO_OPERATOR} / "
                   f"{DEMO_OPERATOR_PASSWORD}")
        try:
            if interactive:
                print(console)
                print(f"Khaacho demo — web {stack.web_url}, WhatsApp simulator "
                      f"{stack.simulator_url}.\nYou are the retailer {DEMO_RETAILER}; "
                      f"`/as {DEMO_VENDOR}` to answer as the vendor. Try: "
                      "`chini 10 kg, 2 bora sona`.")
                return await converse(client)
            try:
                transcript = await play_to_delivery(client, stack.gateways)
            except DemoFailed as exc:
                print(f"demo failed: {exc}", file=sys.stderr)
                return 1
            print(transcript)
            print(f"{console} (while the demo runs: `make demo` in a terminal keeps it open)")
            return 0
        finally:
            await client.close()


def run_demo(settings: Settings, *, interactive: bool | None = None) -> int:
    """Run the demo; interactive defaults to whether stdin is a terminal."""
    logging.basicConfig(level=logging.WARNING)
    if interactive is None:
        interactive = sys.stdin.isatty()
    return asyncio.run(_run(settings, interactive))
