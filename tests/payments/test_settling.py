"""What only one gateway, or the books, can show: the browser is never believed, an
order's vendor is told, a credit block lifts, a gateway not set up is not offered,
and `ledger check` compares each gateway with the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from bot import gateways
from bot.services import ledger, payments
from bot.store import payment_intents as intents
from domain.payments import Gateway, IntentState, PayProblem
from tests.jobs import builders
from tests.payments.conftest import Payworld


async def test_khalti_return_saying_completed_is_not_believed_without_the_lookup(
        payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.KHALTI, "1500")
    assert intent.reference is not None
    forged = payworld.sim.khalti.return_url(intent.reference).replace(
        "status=Initiated", "status=Completed")
    status, page = await payworld.come_back(forged)

    assert status == 200 and "We are checking your payment" in page
    assert (await payworld.intent(intent.id)).state is IntentState.PENDING
    assert await payworld.val("SELECT count(*) FROM payments") == 0


async def test_esewa_success_data_with_a_bad_signature_is_refused(payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "1500")
    await payworld.submit_esewa_form(intent)
    assert intent.reference is not None
    payworld.sim.esewa.pay(intent.reference)
    forged = payworld.sim.esewa.signed_data(intent.reference, secret="not-the-merchant-key")
    status, _ = await payworld.come_back(
        f"{payworld.bot_url}/payments/esewa/success?{urlencode({'data': forged})}")

    assert status == 400
    assert (await payworld.intent(intent.id)).state is IntentState.PENDING
    assert await payworld.val("SELECT count(*) FROM payments") == 0


async def test_esewa_refuses_a_form_whose_amount_was_edited(payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "1500")
    client = gateways.clients(payworld.runtime.settings)[Gateway.ESEWA]
    fields = client.form_fields(intent)  # type: ignore[attr-defined]
    fields["total_amount"] = fields["amount"] = "15"
    async with payworld.http.post(payworld.sim.settings()["ESEWA_FORM_URL"],
                                  data=fields) as response:
        assert response.status == 400
    assert payworld.sim.esewa.refused_forms == 1


async def test_the_short_link_of_a_settled_payment_offers_no_form(payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "1500")
    await payworld.come_back(await payworld.pay(intent))
    assert intent.payment_url is not None
    status, page = await payworld.come_back(intent.payment_url)
    assert status == 200 and "<form" not in page and "Payment of Rs 1,500 received" in page


async def test_an_unknown_link_is_a_polite_404(payworld: Payworld) -> None:
    status, page = await payworld.come_back(f"{payworld.bot_url}/payments/esewa/nope-nope-1")
    assert status == 404 and "not known" in page
    status, _ = await payworld.come_back(f"{payworld.bot_url}/payments/khalti/return?pidx=x")
    assert status == 404


async def test_an_order_payment_tells_its_vendor(payworld: Payworld) -> None:
    async with payworld.runtime.pool.acquire() as conn:
        r = await builders.retailer(conn, shop="Laxmi Pasal")
        v = await builders.vendor(conn, "Shrestha Traders")
        pid = await builders.product(conn, "chini")
        order = await builders.order(conn, int(r["id"]), int(v["id"]),
                                     dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
                                     [(pid, "10", "98")])
        await builders.debit(conn, int(r["id"]), "980", dt.date.today() + dt.timedelta(days=28),
                             order_id=int(order["id"]))
        due = await payments.due(conn, int(r["id"]), int(order["number"]))
    assert due.owed == Decimal("980.00")
    intent = await payworld.start(int(r["id"]), Gateway.KHALTI, "980", int(order["number"]))
    await payworld.come_back(await payworld.pay(intent))

    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1", v["phone"])
    assert len(told) == 1
    assert f"Laxmi Pasal paid Rs 980 for order #{order['number']} (Khalti)" in str(
        told[0]["payload"])
    assert await payworld.val("SELECT order_id FROM payments") == order["id"]


async def test_a_gateway_payment_lifts_the_overdue_block_at_once(payworld: Payworld) -> None:
    async with payworld.runtime.pool.acquire() as conn:
        r = await builders.retailer(conn)
        await builders.debit(conn, int(r["id"]), "2000", dt.date.today() - dt.timedelta(days=40))
        await conn.execute("UPDATE retailers SET status = 'blocked', blocked_reason = 'overdue' "
                           "WHERE id = $1", r["id"])
        await conn.execute("INSERT INTO credit_blocks (retailer_id, blocked_at, reason, "
                           "days_overdue, notified_at) VALUES ($1, now(), 'overdue', 40, now())",
                           r["id"])
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "2000")
    await payworld.come_back(await payworld.pay(intent))

    assert await payworld.val("SELECT status FROM retailers WHERE id = $1", r["id"]) == "active"
    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id",
                                r["phone"])
    assert "you can order on credit again" in str(told[-1]["payload"])


async def test_a_gateway_without_settings_is_not_offered(payworld: Payworld) -> None:
    settings = payworld.runtime.settings.model_copy(update={"fonepay_username": "",
                                                           "public_base_url": ""})
    assert gateways.clients(settings) == {}
    only_fonepay = payworld.runtime.settings.model_copy(update={"public_base_url": ""})
    assert list(gateways.clients(only_fonepay)) == [Gateway.FONEPAY]


async def test_more_than_is_owed_is_not_started(payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    async with payworld.runtime.pool.acquire() as conn, conn.transaction():
        refused = await payments.start(conn, payworld.clients, retailer_id=int(r["id"]),
                                       gateway=Gateway.KHALTI, amount=Decimal("1500.01"),
                                       order_number=None, settings=payworld.runtime.settings,
                                       now=dt.datetime.now(dt.UTC))
    assert refused == payments.NotStarted(Decimal("1500.00"), PayProblem.OVER_DUE)
    assert payworld.sim.khalti.payments == {}
    assert await payworld.val("SELECT count(*) FROM payment_intents") == 0


@pytest.mark.parametrize("gateway", [Gateway.KHALTI, Gateway.FONEPAY])
async def test_a_gateway_refusing_to_start_leaves_a_failed_intent(payworld: Payworld,
                                                                  gateway: Gateway) -> None:
    r = await payworld.retailer_owing("1500")
    if gateway is Gateway.KHALTI:
        payworld.sim.khalti.fail_initiates = 1
    else:
        payworld.sim.fonepay.secret = "rotated-at-fonepay"  # our dataValidation no longer fits
    async with payworld.runtime.pool.acquire() as conn, conn.transaction():
        refused = await payments.start(conn, payworld.clients, retailer_id=int(r["id"]),
                                       gateway=gateway, amount=Decimal("500"),
                                       order_number=None, settings=payworld.runtime.settings,
                                       now=dt.datetime.now(dt.UTC))
    assert isinstance(refused, payments.NotStarted) and refused.gateway_down
    assert await payworld.val("SELECT state FROM payment_intents") == "failed"


async def test_ledger_check_compares_each_gateway_with_the_ledger(payworld: Payworld) -> None:
    r = await payworld.retailer_owing("3000")
    for gateway in (Gateway.KHALTI, Gateway.ESEWA, Gateway.FONEPAY):
        intent = await payworld.start(int(r["id"]), gateway, "1000")
        url = await payworld.pay(intent)
        await (payworld.come_back(url) if url else payworld.reconcile())
    async with payworld.runtime.pool.acquire() as conn:
        assert await ledger.check(conn) == []
        books = {b.gateway: b for b in await intents.books(conn)}
        assert {g: (b.paid_intents, b.paid_total, b.payments, b.payments_total)
                for g, b in books.items()} == {
            g: (1, Decimal("1000.00"), 1, Decimal("1000.00")) for g in Gateway}
        # A paid intent whose payment went missing from the books is found.
        await conn.execute("UPDATE payment_intents SET paid_amount = 999 "
                           "WHERE gateway = 'khalti'")
        kinds = sorted(p.kind for p in await ledger.check(conn))
    assert kinds == ["gateway_mismatch", "gateway_total"]


async def test_two_confirmations_at_once_credit_once(payworld: Payworld) -> None:
    import asyncio

    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.KHALTI, "1500")
    url = await payworld.pay(intent)
    await asyncio.gather(*(payworld.come_back(url) for _ in range(4)), payworld.reconcile())
    assert await payworld.val("SELECT count(*) FROM payments") == 1
    assert await payworld.val("SELECT count(*) FROM ledger_entries WHERE kind = 'credit'") == 1


async def test_khaacho_ledger_check_reports_each_gateways_totals(
        payworld: Payworld, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    import json

    from bot.cli import ledger_cmd

    settings = payworld.runtime.settings
    for name, value in (("DATABASE_URL", settings.database_url),
                        ("REDIS_URL", settings.redis_url),
                        ("REDIS_KEY_PREFIX", settings.redis_key_prefix)):
        monkeypatch.setenv(name, value)
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "1200")
    await payworld.come_back(await payworld.pay(intent))

    assert await ledger_cmd._check(argparse.Namespace(json=False)) == 0
    assert "  esewa: 1 paid intents, Rs 1,200 = 1 ledger payments, Rs 1,200" in (
        capsys.readouterr().out)
    assert await ledger_cmd._check(argparse.Namespace(json=True)) == 0
    report = json.loads(capsys.readouterr().out)
    esewa = next(g for g in report["gateways"] if g["gateway"] == "esewa")
    assert (esewa["paid_intents"], esewa["payments"]) == (1, 1)


async def test_a_link_left_unused_after_paying_another_way_expires_untold(
        payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500")
    unused = await payworld.start(int(r["id"]), Gateway.KHALTI, "1500")
    paid = await payworld.start(int(r["id"]), Gateway.ESEWA, "1500")
    await payworld.come_back(await payworld.pay(paid))
    later = unused.expires_at + dt.timedelta(hours=1)
    assert (await payworld.reconcile(later)).get("expire") == 1

    told = await payworld.fetch("SELECT payload FROM outbox WHERE recipient = $1", r["phone"])
    assert len(told) == 1 and "received" in str(told[0]["payload"])


async def test_the_esewa_short_link_posts_itself_to_esewa_and_nothing_else(
        payworld: Payworld) -> None:
    r = await payworld.retailer_owing("1500", language="ne")
    intent = await payworld.start(int(r["id"]), Gateway.ESEWA, "1500")
    assert intent.payment_url == f"{payworld.bot_url}/payments/esewa/{intent.token}"
    async with payworld.http.get(intent.payment_url) as page:
        csp = page.headers["Content-Security-Policy"]
        text = await page.text()
    assert f"form-action {payworld.sim.base_url}" in csp and "script-src 'nonce-" in csp
    assert "इसेवाबाट रु १,५०० तिर्नुहोस्" in text  # in the shop's language
    assert 'name="signed_field_names" value="total_amount,transaction_uuid,product_code"' in text


async def test_khaacho_payment_intents_lists_a_held_payment_for_the_operator(
        payworld: Payworld, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    import json

    from bot.cli import payment_cmd

    settings = payworld.runtime.settings
    for name, value in (("DATABASE_URL", settings.database_url),
                        ("REDIS_URL", settings.redis_url),
                        ("REDIS_KEY_PREFIX", settings.redis_key_prefix)):
        monkeypatch.setenv(name, value)
    r = await payworld.retailer_owing("1500")
    intent = await payworld.start(int(r["id"]), Gateway.KHALTI, "1500")
    await payworld.come_back(await payworld.pay(intent, Decimal("1400")))

    args = argparse.Namespace(state="held", retailer=str(r["phone"]), limit=10, json=True)
    assert await payment_cmd._intents(args) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["gateway"], row["reference"], row["amount"], row["paid_amount"]) == (
        "khalti", intent.reference, "1500.00", "1400.00")
