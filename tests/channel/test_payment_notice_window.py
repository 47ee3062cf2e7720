"""A held or expired gateway payment's notice reaches the shop outside the 24-hour window
too, as its approved template, through the real dispatcher and the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from bot.runtime import Runtime
from domain.facts import Party
from domain.money_facts import MoneyFact, PaymentHeld, PaymentNotMade
from flows import money_notices, templates
from tests.channel.conftest import RunningSimulator
from tests.channel.dispatch import enqueue, running, wait_until

SHOP = "9779800000032"


async def _sent_outside_the_window(runtime: Runtime, simulator: RunningSimulator,
                                   http: aiohttp.ClientSession,
                                   fact: MoneyFact) -> tuple[str, str, list[str]]:
    """The template name, language and parameters that reached the shop for `fact`."""
    simulator.sim.window_errors = "sync"
    simulator.sim.close_window(SHOP)
    async with running(runtime, http, simulator.api_url):
        await enqueue(runtime, money_notices.outgoing([fact]))
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await asyncio.sleep(0.1)
    (sent,) = simulator.sim.sent
    assert sent.type == "template"
    template = sent.payload["template"]
    params = [p["text"] for p in template["components"][0]["parameters"]]
    # As many parameters as the registered body has placeholders.
    assert len(params) == templates.BODIES[template["name"]].count("{{")
    return template["name"], template["language"]["code"], params


async def test_a_held_payment_outside_the_window_is_sent_as_the_payment_held_template(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    fact = PaymentHeld(Party(SHOP, "ne", "Ram Kirana"), Decimal(5000), Decimal(4500),
                       "khalti", 7)
    name, language, params = await _sent_outside_the_window(runtime, simulator, http, fact)
    assert (name, language) == (templates.PAYMENT_HELD, "ne")
    assert params == ["Ram Kirana", "खल्ती", "रु ४,५००", "रु ५,०००"]


async def test_a_returned_payment_outside_the_window_is_sent_as_the_payment_returned_template(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    fact = PaymentHeld(Party(SHOP, "en", "Ram Kirana"), Decimal(5000), None, "esewa", 8)
    name, language, params = await _sent_outside_the_window(runtime, simulator, http, fact)
    assert (name, language) == (templates.PAYMENT_RETURNED, "en")
    assert params == ["Ram Kirana", "eSewa", "Rs 5,000"]


async def test_an_expired_payment_outside_the_window_is_sent_as_the_payment_expired_template(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    fact = PaymentNotMade(Party(SHOP, "en", "Ram Kirana"), Decimal(1200), "fonepay", False, 9)
    name, language, params = await _sent_outside_the_window(runtime, simulator, http, fact)
    assert (name, language) == (templates.PAYMENT_EXPIRED, "en")
    assert params == ["Ram Kirana", "Fonepay QR", "Rs 1,200"]


def test_a_cancelled_payment_has_no_template_fallback() -> None:
    fact = PaymentNotMade(Party(SHOP, "en", "Ram Kirana"), Decimal(1200), "khalti", True, 10)
    [notice] = money_notices.outgoing([fact])
    assert notice.fallback is None


def test_the_held_template_parameters_are_single_line_for_any_shop_name() -> None:
    fact = PaymentHeld(Party(SHOP, "en", "Ram\nKirana"), Decimal(10), Decimal(9), "khalti", 11)
    [notice] = money_notices.outgoing([fact])
    assert notice.fallback is not None
    assert all("\n" not in p for p in notice.fallback.body_params)
