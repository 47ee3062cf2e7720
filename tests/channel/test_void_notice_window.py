"""A voided payment's notice reaches the shop outside the 24-hour window too, as its
approved template (`payment_voided`), through the real dispatcher and the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from bot.runtime import Runtime
from domain.facts import Party
from domain.money_facts import PaymentVoided
from flows import money_notices, templates
from tests.channel.conftest import RunningSimulator
from tests.channel.dispatch import enqueue, running, wait_until

SHOP = "9779800000031"


async def test_a_void_outside_the_window_is_sent_as_the_payment_voided_template(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.window_errors = "sync"
    simulator.sim.close_window(SHOP)
    fact = PaymentVoided(Party(SHOP, "ne", "Ram Kirana"), Decimal(1500), Decimal(3000), 42,
                         "चेक फिर्ता")
    async with running(runtime, http, simulator.api_url):
        await enqueue(runtime, money_notices.outgoing([fact]))
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await asyncio.sleep(0.1)
    (sent,) = simulator.sim.sent
    assert sent.type == "template"
    template = sent.payload["template"]
    assert template["name"] == templates.PAYMENT_VOIDED
    assert template["language"]["code"] == "ne"
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params[:4] == ["Ram Kirana", "42", "रु १,५००", "चेक फिर्ता"]
    assert "रु ३,०००" in params[4]
    # As many parameters as the registered body has placeholders.
    assert len(params) == templates.BODIES[templates.PAYMENT_VOIDED].count("{{")


def test_the_void_template_parameters_are_single_line_for_any_reason() -> None:
    fact = PaymentVoided(Party(SHOP, "en", "Ram\nKirana"), Decimal(10), Decimal(-5), 7,
                         "wrong\n shop")
    [notice] = money_notices.outgoing([fact])
    assert notice.fallback is not None
    assert all("\n" not in p for p in notice.fallback.body_params)
    assert "advance" in notice.fallback.body_params[4]
