"""A payment that clears what kept an overdue block in place reopens credit at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.runtime import Runtime
from bot.services import ledger, parties
from domain.money_facts import CreditReopened
from flows import money_notices
from flows.replies import Text
from jobs.runner import get_job, run_job
from tests.jobs import builders as b

TODAY = date(2026, 3, 8)
BLOCK_AFTER = 15
D = Decimal


async def _blocked(runtime: Runtime, *, language: str = "en") -> dict[str, Any]:
    """A retailer 20 days overdue on Rs 8,000, blocked (and told) by the credit-scores job."""
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Hari Store", language=language)
        v = await b.vendor(conn)
        p = await b.product(conn, "rice")
        o = await b.order(conn, r["id"], v["id"], b.at_day(TODAY - timedelta(days=50)),
                          [(p, "4", "2000")])
        await b.debit(conn, r["id"], "8000", TODAY - timedelta(days=20), order_id=o["id"])
    result = await run_job(runtime, get_job("credit-scores"), b.ktm(2026, 3, 8, 10, 40))
    assert result.counts["blocked"] == 1
    return dict(r)


async def _pay(runtime: Runtime, retailer_id: int, amount: str) -> ledger.PaymentResult:
    async with runtime.pool.acquire() as conn, conn.transaction():
        return await ledger.record_payment(
            conn, retailer_id=retailer_id, amount=D(amount), method="cash", reference=None,
            block_after_days=BLOCK_AFTER, actor="cli:sita", now=b.ktm(2026, 3, 8, 14, 0))


async def _status(runtime: Runtime, retailer_id: int) -> str:
    async with runtime.pool.acquire() as conn:
        status: str = await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                          retailer_id)
        return status


async def test_paying_the_overdue_amount_reopens_credit_in_the_same_transaction(
        runtime: Runtime) -> None:
    r = await _blocked(runtime)
    paid = await _pay(runtime, r["id"], "8000")
    assert paid.account_notices == (CreditReopened(paid.notices[0].retailer, D("0.00")),)
    assert await _status(runtime, r["id"]) == "active"
    async with runtime.pool.acquire() as conn:
        block = await conn.fetchrow("SELECT lifted_at, lift_notified_at FROM credit_blocks")
        audit = await conn.fetchval("SELECT actor FROM audit_log WHERE action = "
                                    "'retailer.unblock'")
    assert block["lifted_at"] is not None and block["lift_notified_at"] is not None
    assert audit == "cli:sita"


async def test_the_retailer_is_told_credit_is_open_again_and_the_job_says_nothing_more(
        runtime: Runtime) -> None:
    r = await _blocked(runtime)
    paid = await _pay(runtime, r["id"], "8000")
    [notice] = money_notices.outgoing(paid.account_notices)
    assert isinstance(notice.reply, Text) and "order on credit again" in notice.reply.body
    assert notice.fallback is not None and notice.fallback.name == "credit_unblocked"
    later = await run_job(runtime, get_job("credit-scores"), b.ktm(2026, 3, 8, 15, 40))
    assert "unblocked" not in later.counts
    async with runtime.pool.acquire() as conn:
        sent = [b.template_of(m)[0] for m in await b.outbox(conn, r["phone"])]
    assert sent == ["credit_blocked"]  # the job's block notice only; ours is the caller's


async def test_a_part_payment_that_leaves_debt_long_overdue_keeps_the_block(
        runtime: Runtime) -> None:
    r = await _blocked(runtime)
    paid = await _pay(runtime, r["id"], "3000")
    assert paid.account_notices == ()
    assert await _status(runtime, r["id"]) == "blocked"


async def test_an_operators_block_is_not_lifted_by_a_payment(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn)
        await b.debit(conn, r["id"], "500", TODAY - timedelta(days=2))
        await parties.block_retailer(conn, r["phone"], reason="cheque bounced", actor="t",
                                     now=b.ktm(2026, 3, 8))
    paid = await _pay(runtime, r["id"], "500")
    assert paid.account_notices == ()
    assert await _status(runtime, r["id"]) == "blocked"


def test_the_cli_payment_reopens_credit_and_queues_the_notice(
        cli: None, runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from tests.money.test_cli import run

    r = asyncio.run(_blocked_elsewhere(runtime.settings.database_url))
    code, out, _ = run(capsys, "payment", "record", "--retailer", r, "--amount", "8000")
    assert code == 0 and out.strip().endswith("they now owe Rs 0; credit reopened")
    bodies = asyncio.run(_outbox(runtime.settings.database_url, r))
    assert "order on credit again" in bodies[-1]


async def _blocked_elsewhere(url: str) -> str:
    from bot.db import connect

    conn = await connect(url)
    try:
        r = await b.retailer(conn, shop="Hari Store")
        await b.debit(conn, r["id"], "8000", TODAY - timedelta(days=20))
        await conn.execute("UPDATE retailers SET status = 'blocked' WHERE id = $1", r["id"])
        await conn.execute("INSERT INTO credit_blocks (retailer_id, blocked_at, reason, "
                           "days_overdue, notified_at) VALUES ($1, now(), 'overdue', 20, now())",
                           r["id"])
        phone: str = r["phone"]
        return phone
    finally:
        await conn.close()


async def _outbox(url: str, phone: str) -> list[str]:
    from bot.db import connect

    conn = await connect(url)
    try:
        return [r["p"] for r in await conn.fetch(
            "SELECT payload::text AS p FROM outbox WHERE recipient = $1 ORDER BY id", phone)]
    finally:
        await conn.close()
