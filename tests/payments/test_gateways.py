"""Each gateway over its simulator: real Postgres, real HTTP on loopback, the real pages.

For Khalti, eSewa and Fonepay alike: a payment is credited once however often its
confirmation arrives, an expired one credits nothing, another amount is held for an
operator, a status API that fails is asked again, and the reconciliation job settles
what nobody came back for.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.services import ledger
from domain.payments import EXPIRY_GRACE, Gateway, IntentState
from tests.payments.conftest import GATEWAYS, Payworld

each_gateway = pytest.mark.parametrize("gateway", GATEWAYS, ids=[g.value for g in GATEWAYS])


async def _confirm(payworld: Payworld, url: str | None) -> None:
    """The customer comes back (Khalti, eSewa) or the job finds the payment (Fonepay QR)."""
    if url is None:
        await payworld.reconcile()
    else:
        status, _ = await payworld.come_back(url)
        assert status == 200


async def _credits(payworld: Payworld, retailer_id: int) -> list[Decimal]:
    rows = await payworld.fetch(
        "SELECT amount FROM ledger_entries WHERE retailer_id = $1 AND kind = 'credit' "
        "ORDER BY id", retailer_id)
    return [r["amount"] for r in rows]


@each_gateway
async def test_a_payment_is_credited_once_and_the_retailer_thanked(
        payworld: Payworld, gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), gateway, "1000")
    await _confirm(payworld, await payworld.pay(intent))

    assert await _credits(payworld, int(r["id"])) == [Decimal("1000.00")]
    settled = await payworld.intent(intent.id)
    assert (settled.state, settled.paid_amount) == (IntentState.PAID, Decimal("1000.00"))
    payment = (await payworld.fetch("SELECT * FROM payments WHERE id = $1",
                                    settled.payment_id))[0]
    assert (payment["method"], payment["reference"]) == (
        gateway.value, f"{gateway.value}:{intent.reference}")
    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1", r["phone"])
    assert ["Payment of Rs 1,000 received. You now owe Rs 500." in str(t["payload"])
            for t in told] == [True]


@each_gateway
async def test_a_second_confirmation_credits_nothing(payworld: Payworld,
                                                     gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), gateway, "1500")
    url = await payworld.pay(intent)
    await _confirm(payworld, url)
    await _confirm(payworld, url)  # the browser's reload, a duplicate redirect
    settled = await payworld.check(intent)  # and a poll after it
    await payworld.reconcile(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))

    assert settled is not None and not settled.changed
    assert await _credits(payworld, int(r["id"])) == [Decimal("1500.00")]
    assert await payworld.val("SELECT count(*) FROM payments") == 1
    assert await payworld.val("SELECT count(*) FROM outbox WHERE recipient = $1",
                              r["phone"]) == 1


@each_gateway
async def test_an_unpaid_intent_expires_and_credits_nothing(payworld: Payworld,
                                                            gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), gateway, "1500")
    if gateway is Gateway.KHALTI:
        assert intent.reference is not None
        payworld.sim.khalti.set_status(intent.reference, "Expired")
    later = intent.expires_at + EXPIRY_GRACE + dt.timedelta(minutes=1)
    counts = await payworld.reconcile(later)

    assert counts.get("expire") == 1
    assert (await payworld.intent(intent.id)).state is IntentState.EXPIRED
    assert await _credits(payworld, int(r["id"])) == []
    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1", r["phone"])
    assert len(told) == 1 and "was not made in time, so nothing was charged" in str(
        told[0]["payload"])


@each_gateway
async def test_another_amount_is_held_for_an_operator_never_credited(
        payworld: Payworld, gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    if gateway is Gateway.FONEPAY:
        payworld.sim.fonepay.misprice_next = "150"  # Fonepay issues a QR for Rs 150
    intent = await payworld.start(int(r["id"]), gateway, "1500")
    paid = None if gateway is Gateway.FONEPAY else Decimal("150.00")
    await _confirm(payworld, await payworld.pay(intent, paid))

    held = await payworld.intent(intent.id)
    assert (held.state, held.paid_amount, held.payment_id) == (
        IntentState.HELD, Decimal("150.00"), None)
    assert await _credits(payworld, int(r["id"])) == []
    alerts = await payworld.fetch("SELECT kind, subject FROM operator_alerts")
    assert [a["kind"] for a in alerts] == ["payment_held"]
    assert "paid Rs 150 where Rs 1,500 was asked" in alerts[0]["subject"]
    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1", r["phone"])
    assert "We received Rs 150" in str(told[0]["payload"])


@each_gateway
async def test_a_failing_status_api_is_asked_again_and_then_credits_once(
        payworld: Payworld, gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), gateway, "700")
    payworld.fail_lookups(gateway, 2)
    url = await payworld.pay(intent)
    if url is not None:
        status, page = await payworld.come_back(url)
        assert status == 200 and "We are checking your payment" in page
    else:
        assert (await payworld.reconcile()).get("unanswered") == 1
    assert await _credits(payworld, int(r["id"])) == []
    waiting = await payworld.intent(intent.id)
    assert waiting.state is IntentState.PENDING and waiting.check_failures == 1

    first = await payworld.reconcile(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    assert first.get("unanswered") == 1
    second = await payworld.reconcile(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    assert second.get("credit") == 1
    assert await _credits(payworld, int(r["id"])) == [Decimal("700.00")]


@each_gateway
async def test_the_job_settles_a_payment_nobody_came_back_for(payworld: Payworld,
                                                              gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    paid = await payworld.start(int(r["id"]), gateway, "500")
    waiting = await payworld.start(int(r["id"]), gateway, "1000")
    await payworld.pay(paid)  # the browser never returns

    counts = await payworld.reconcile()
    assert (counts.get("credit"), counts.get("wait")) == (1, 1)
    assert await _credits(payworld, int(r["id"])) == [Decimal("500.00")]
    assert (await payworld.intent(waiting.id)).state is IntentState.PENDING
    again = await payworld.reconcile(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    assert again.get("credit") is None  # the paid one is not asked about again
    async with payworld.runtime.pool.acquire() as conn:
        assert await ledger.check(conn) == []


# Khalti answers Expired for a pidx past its time: it cannot be paid late.
@pytest.mark.parametrize("gateway", [Gateway.ESEWA, Gateway.FONEPAY], ids=["esewa", "fonepay"])
async def test_a_payment_after_its_time_is_still_credited(payworld: Payworld,
                                                          gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), gateway, "1500")
    if gateway is Gateway.ESEWA:
        await payworld.submit_esewa_form(intent)  # the form was opened in time
    later = intent.expires_at + EXPIRY_GRACE + dt.timedelta(minutes=1)
    assert (await payworld.reconcile(later)).get("expire") == 1
    await payworld.pay(intent)  # scanned or finished on the gateway's page just then
    counts = await payworld.reconcile(later + dt.timedelta(minutes=2))

    assert counts.get("credit") == 1
    assert (await payworld.intent(intent.id)).state is IntentState.PAID
    assert await _credits(payworld, int(r["id"])) == [Decimal("1500.00")]
