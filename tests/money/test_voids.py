"""Voiding a payment: a reversing debit linked to its credit, the retailer told, once."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import asyncpg
import pytest

from bot.db import connect
from bot.runtime import Runtime
from bot.services import ledger
from flows import money_notices
from flows.replies import Text
from tests.money.conftest import World
from tests.money.test_cli import run

D = Decimal


async def _paid(world: World, *, language: str = "en") -> tuple[int, ledger.PaymentResult]:
    r = await world.retailer(language=language)
    await ledger.post_correction(world.conn, retailer_id=r, kind="debit", amount=D(3000),
                                 note="opening balance", actor="t", now=world.now)
    paid = await ledger.record_payment(world.conn, retailer_id=r, amount=D(1000),
                                       method="bank", reference="CHQ-1", actor="t",
                                       now=world.now)
    return r, paid


async def test_a_void_posts_a_debit_that_names_the_payment_credit(
        conn: asyncpg.Connection, world: World) -> None:
    r, paid = await _paid(world)
    voided = await ledger.void_payment(conn, paid.payment.id, reason="cheque bounced",
                                       actor="cli:sita", now=world.now)
    assert voided.reversal.kind == "debit" and voided.reversal.amount == D("1000.00")
    assert voided.reversal.reverses_entry_id == paid.entry.id
    assert voided.payment.voided_by == "cli:sita"
    assert voided.payment.void_reason == "cheque bounced"
    assert voided.balance == D("3000.00") == await ledger.balance(conn, r)
    assert await ledger.check(conn) == []


async def test_a_payment_is_voided_only_once(conn: asyncpg.Connection, world: World) -> None:
    _, paid = await _paid(world)
    await ledger.void_payment(conn, paid.payment.id, reason="wrong shop", actor="t",
                              now=world.now)
    with pytest.raises(ledger.PaymentConflict, match="already voided"):
        await ledger.void_payment(conn, paid.payment.id, reason="again", actor="t",
                                  now=world.now)
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries "
                               "WHERE reverses_entry_id IS NOT NULL") == 1


async def test_voiding_an_unknown_payment_or_without_a_reason_is_refused(
        conn: asyncpg.Connection, world: World) -> None:
    _, paid = await _paid(world)
    with pytest.raises(ledger.NotFound):
        await ledger.void_payment(conn, 999999, reason="x", actor="t", now=world.now)
    with pytest.raises(ledger.LedgerError, match="reason"):
        await ledger.void_payment(conn, paid.payment.id, reason="  ", actor="t",
                                  now=world.now)


async def test_the_retailer_is_told_of_the_void_in_their_language(
        conn: asyncpg.Connection, world: World) -> None:
    _, paid = await _paid(world, language="ne")
    voided = await ledger.void_payment(conn, paid.payment.id, reason="चेक फिर्ता",
                                       actor="t", now=world.now)
    [notice] = money_notices.outgoing(voided.notices)
    assert notice.to == paid.notices[0].retailer.phone
    assert isinstance(notice.reply, Text)
    assert "रु १,०००" in notice.reply.body and "रु ३,०००" in notice.reply.body
    assert "चेक फिर्ता" in notice.reply.body


async def test_the_check_finds_a_voided_payment_without_its_reversal(
        conn: asyncpg.Connection, world: World) -> None:
    await _paid(world)
    await conn.execute("UPDATE payments SET voided_at = now(), voided_by = 'bug'")
    assert [p.kind for p in await ledger.check(conn)] == ["void_unposted"]


async def test_the_check_finds_a_reversal_of_the_wrong_amount(
        conn: asyncpg.Connection, world: World) -> None:
    r, paid = await _paid(world)
    await conn.execute("UPDATE payments SET voided_at = now(), voided_by = 'bug'")
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, created_by, "
        "reverses_entry_id) VALUES ($1, 'debit', 999, current_date, 'bug', $2)",
        r, paid.entry.id)
    assert [p.kind for p in await ledger.check(conn)] == ["reversal_mismatch"]


def test_payment_void_from_the_cli_tells_the_retailer_and_is_audited(
        cli: None, capsys: pytest.CaptureFixture[str], runtime: Runtime) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram Kirana", "--area",
        "Kalanki", "--approve")
    code, out, _ = run(capsys, "payment", "record", "--retailer", "9812345678", "--amount",
                       "1500", "--ref", "CHQ-9", "--advance", "--json")
    pid = json.loads(out)["payment_id"]
    code, out, _ = run(capsys, "payment", "void", str(pid), "--reason", "cheque bounced")
    assert code == 0
    assert out.strip().startswith(f"voided payment {pid} (Rs 1,500); reversal entry ")
    assert out.strip().endswith("they now owe Rs 0")
    code, _, err = run(capsys, "payment", "void", str(pid), "--reason", "again")
    assert code == 1 and "already voided" in err
    code, out, _ = run(capsys, "ledger", "check")
    assert code == 0
    rows = asyncio.run(_rows(runtime.settings.database_url,
                             "SELECT payload::text AS v FROM outbox ORDER BY id"))
    assert "cancelled in Khaacho" in rows[-1] and "cheque bounced" in rows[-1]
    audit = asyncio.run(_rows(runtime.settings.database_url,
                              "SELECT actor || ' ' || action AS v FROM audit_log ORDER BY id"))
    assert audit[-1] == "cli:sita payment.void"


async def _rows(url: str, sql: str) -> list[str]:
    conn = await connect(url)
    try:
        return [r["v"] for r in await conn.fetch(sql)]
    finally:
        await conn.close()
