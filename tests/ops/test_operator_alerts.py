"""The operator-alerts job: conditions become alerts once, operators are told once, on WhatsApp."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from bot.services import alerts as alert_service
from bot.store import alerts as alert_store
from domain import ordering
from domain.alerts import Alert, AlertKind
from domain.vendor_commands import VendorAction
from jobs.runner import get_job, run_job
from tests.money.conftest import World
from tests.ops.test_cli import cli_env  # noqa: F401  (the CLI pointed at this test's stores)

OPS = ("9779800000001", "9779800000002")
D = Decimal


def _with_operators(runtime: Runtime, phones: str = ",".join(OPS)) -> Runtime:
    settings = runtime.settings.model_copy(update={"operator_phones": phones})
    return Runtime(settings, runtime.pool, runtime.redis, runtime.keys)


async def _unroutable(runtime: Runtime) -> int:
    from bot.services import orders

    async with runtime.pool.acquire() as conn:
        world = World(conn)
        r = await world.retailer()
        v = await world.vendor("Alpha")
        await world.price(v, "oil", "250")
        placed = await orders.place_order(conn, retailer_id=r,
                                          items=[ordering.Item("oil", D(1))], actor="t",
                                          now=world.now)
        assert isinstance(placed, ordering.Placed)
        await orders.vendor_act(conn, v, placed.order.number, VendorAction.REJECT, "no truck",
                                world.now)
        return placed.order.number


async def _notices(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT recipient, payload::text AS p FROM outbox "
                                "WHERE correlation LIKE 'alert:%' ORDER BY id")
    return [(r["recipient"], r["p"]) for r in rows]


async def test_an_unroutable_order_raises_one_alert_and_each_operator_is_told_once(
        runtime: Runtime) -> None:
    number = await _unroutable(runtime)
    rt = _with_operators(runtime)
    now = dt.datetime.now(dt.UTC)
    first = await run_job(rt, get_job("operator-alerts"), now)
    again = await run_job(rt, get_job("operator-alerts"), now + dt.timedelta(minutes=1))
    assert first.counts["unroutable_order"] == 1 and first.counts["notices"] == 2
    assert "unroutable_order" not in again.counts and "notices" not in again.counts
    notices = await _notices(runtime)
    assert [to for to, _ in notices] == list(OPS)
    assert all(f"order #{number}" in body for _, body in notices)
    async with runtime.pool.acquire() as conn:
        [alert] = await alert_store.open_alerts(conn)
    assert alert.kind is AlertKind.UNROUTABLE_ORDER and alert.notified_at is not None


async def test_an_alert_raised_elsewhere_such_as_a_dispute_is_told_too(
        runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await alert_store.raise_alert(conn, Alert(AlertKind.DISPUTE, "order:1042",
                                                  "Ram Kirana says order #1042 not received"))
    result = await run_job(_with_operators(runtime, OPS[0]), get_job("operator-alerts"),
                           dt.datetime.now(dt.UTC))
    assert result.counts["notices"] == 1
    [(to, body)] = await _notices(runtime)
    assert to == OPS[0] and "dispute" in body and "not received" in body


async def test_without_operator_phones_alerts_wait_untold_and_listed(
        runtime: Runtime) -> None:
    await _unroutable(runtime)
    await run_job(_with_operators(runtime, ""), get_job("operator-alerts"),
                  dt.datetime.now(dt.UTC))
    assert await _notices(runtime) == []
    async with runtime.pool.acquire() as conn:
        [alert] = await alert_store.open_alerts(conn)
    assert alert.notified_at is None


async def test_an_alert_closes_by_itself_once_the_order_is_assigned(runtime: Runtime) -> None:
    from bot.services import operator_orders
    from flows import money_notices, order_notices

    number = await _unroutable(runtime)
    job = get_job("operator-alerts")
    await run_job(runtime, job, dt.datetime.now(dt.UTC))
    async with runtime.pool.acquire() as conn:
        phone = await conn.fetchval("SELECT phone FROM vendors")
        await operator_orders.assign_order(
            conn, number, vendor_phone=phone, reason="they found a truck", actor="t",
            accept_minutes=15, word=order_notices.outgoing, word_money=money_notices.outgoing)
    result = await run_job(runtime, job, dt.datetime.now(dt.UTC))
    assert result.counts["resolved"] == 1
    async with runtime.pool.acquire() as conn:
        assert await alert_store.open_alerts(conn) == []


async def test_a_vendor_sitting_on_an_accepted_order_is_stuck(runtime: Runtime) -> None:
    from bot.services import orders

    async with runtime.pool.acquire() as conn:
        world = World(conn)
        r = await world.retailer()
        v = await world.vendor("Slow Traders")
        await world.price(v, "oil", "250")
        placed = await orders.place_order(conn, retailer_id=r,
                                          items=[ordering.Item("oil", D(1))], actor="t",
                                          now=world.now)
        assert isinstance(placed, ordering.Placed)
        await orders.vendor_act(conn, v, placed.order.number, VendorAction.ACCEPT, None,
                                world.now)
    job = get_job("operator-alerts")
    early = await run_job(runtime, job, world.now + dt.timedelta(hours=5))
    late = await run_job(runtime, job, world.now + dt.timedelta(hours=7))
    assert "stuck_vendor" not in early.counts and late.counts["stuck_vendor"] == 1
    async with runtime.pool.acquire() as conn:
        [alert] = await alert_store.open_alerts(conn)
    assert "Slow Traders" in alert.subject and "accepted for over 6 h" in alert.subject


async def test_a_dead_letter_raises_an_alert_but_a_dead_operator_notice_does_not(
        runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        for correlation in ("order:1042", "alert:7"):
            await conn.execute(
                "INSERT INTO outbox (recipient, kind, payload, correlation, status, last_error) "
                "VALUES ('9779811111111', 'text', '{}'::jsonb, $1, 'dead', 'user blocked')",
                correlation)
    result = await run_job(runtime, get_job("operator-alerts"), dt.datetime.now(dt.UTC))
    assert result.counts["dead_letter"] == 1


async def _dead_rows(runtime: Runtime, count: int) -> None:
    async with runtime.pool.acquire() as conn:
        # Outbox ids far from the alerts' own, so a key compared with the wrong id
        # cannot match by chance.
        await conn.execute("SELECT setval('outbox_id_seq', nextval('outbox_id_seq') + 1000)")
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, correlation, status, last_error) "
            "SELECT '9779811111111', 'text', '{}'::jsonb, 'order:' || g, 'dead', 'user blocked' "
            "FROM generate_series(1, $1) g", count)


async def test_a_new_dead_letter_is_raised_however_many_older_ones_have_alerts(
        runtime: Runtime) -> None:
    job = get_job("operator-alerts")
    await _dead_rows(runtime, alert_service.BATCH)
    await run_job(runtime, job, dt.datetime.now(dt.UTC))
    await _dead_rows(runtime, 1)
    result = await run_job(runtime, job, dt.datetime.now(dt.UTC))
    assert result.counts.get("dead_letter") == 1


async def test_a_dead_letter_alert_an_operator_closed_stays_closed_while_the_row_is_dead(
        runtime: Runtime) -> None:
    job = get_job("operator-alerts")
    await _dead_rows(runtime, 1)
    await run_job(runtime, job, dt.datetime.now(dt.UTC))
    async with runtime.pool.acquire() as conn:
        [alert] = await alert_store.open_alerts(conn)
        assert await alert_store.resolve(conn, alert.id, by="operator",
                                         at=dt.datetime.now(dt.UTC))
    result = await run_job(runtime, job, dt.datetime.now(dt.UTC))
    assert "dead_letter" not in result.counts
    async with runtime.pool.acquire() as conn:
        assert await alert_store.open_alerts(conn) == []


async def test_a_dead_letter_alert_closes_by_itself_once_the_row_is_sent(
        runtime: Runtime) -> None:
    job = get_job("operator-alerts")
    await _dead_rows(runtime, 1)
    await run_job(runtime, job, dt.datetime.now(dt.UTC))
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE outbox SET status = 'sent', wamid = 'wamid.retried'")
    result = await run_job(runtime, job, dt.datetime.now(dt.UTC))
    assert result.counts["resolved"] == 1


def test_operator_phones_are_read_as_whatsapp_numbers() -> None:
    s = Settings(OPERATOR_PHONES="+977 980-0000001, 9779800000002,9779800000002")
    assert s.operator_phone_list == OPS
    with pytest.raises(ValueError, match="not a WhatsApp number"):
        Settings(OPERATOR_PHONES="sita")


@pytest.mark.usefixtures("cli_env")
def test_alerts_list_and_resolve_from_the_cli(runtime: Runtime,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.cli.main import main

    async def raise_one() -> int:
        from bot.db import connect

        conn = await connect(runtime.settings.database_url)
        try:
            alert_id = await alert_store.raise_alert(
                conn, Alert(AlertKind.DISPUTE, "order:9", "order #9 not received"))
            assert alert_id is not None
            return alert_id
        finally:
            await conn.close()

    alert_id = asyncio.run(raise_one())
    assert main(["alerts", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["id"], a["kind"]) for a in listed] == [(alert_id, "dispute")]
    assert main(["alerts", "resolve", str(alert_id), "--note", "refunded"]) == 0
    assert capsys.readouterr().out.strip() == f"alert {alert_id} resolved"
    assert main(["alerts", "resolve", str(alert_id)]) == 1
    capsys.readouterr()
    assert main(["alerts", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
