"""payment-reminders: due in 3 days, due today, overdue every 3 days; once; never at night."""

from __future__ import annotations

from datetime import date, timedelta

from bot.runtime import Runtime
from jobs.payment_reminders import stage
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

DUE = date(2026, 3, 10)


async def _setup(runtime: Runtime, amount: str = "12500") -> dict:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Sita Pasal")
        v = await b.vendor(conn)
        p = await b.product(conn, "sugar")
        o = await b.order(conn, r["id"], v["id"], b.ktm(2026, 2, 8), [(p, "125", "100")])
        await b.debit(conn, r["id"], amount, DUE, order_id=o["id"])
        return {"retailer": r, "order": o}


def test_stages_follow_the_due_date() -> None:
    assert stage(DUE, date(2026, 3, 6)) is None
    assert stage(DUE, date(2026, 3, 7)) == ("due_soon", "due_soon")
    assert stage(DUE, date(2026, 3, 9)) == ("due_soon", "due_soon")
    assert stage(DUE, DUE) == ("due_today", "due_today")
    assert stage(DUE, date(2026, 3, 11)) == ("overdue_0", "overdue")
    assert stage(DUE, date(2026, 3, 13)) == ("overdue_0", "overdue")
    assert stage(DUE, date(2026, 3, 14)) == ("overdue_1", "overdue")
    assert stage(DUE, date(2026, 3, 17)) == ("overdue_2", "overdue")


async def test_a_debit_due_in_three_days_gets_one_template_with_amount_order_and_date(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _setup(runtime)
    result = await run("payment-reminders", b.ktm(2026, 3, 7, 9, 15))
    assert result.counts["sent_due_soon"] == 1
    async with runtime.pool.acquire() as conn:
        rows = await b.outbox(conn)
    assert len(rows) == 1
    assert rows[0]["recipient"] == data["retailer"]["phone"]
    assert rows[0]["kind"] == "template"
    name, params = b.template_of(rows[0])
    assert name == "payment_reminder_due_soon"
    assert params == ["Sita Pasal", "Rs 12,500", f"#{data['order']['number']}",
                      "2026-03-10 / 26 Falgun 2082"]


async def test_the_same_reminder_is_never_sent_twice(runtime: Runtime, run: RunJob) -> None:
    await _setup(runtime)
    await run("payment-reminders", b.ktm(2026, 3, 7, 9, 15))
    again = await run("payment-reminders", b.ktm(2026, 3, 7, 15, 15))
    next_day = await run("payment-reminders", b.ktm(2026, 3, 8, 9, 15))
    assert again.counts.get("sent_due_soon", 0) == 0
    assert next_day.counts.get("sent_due_soon", 0) == 0
    async with runtime.pool.acquire() as conn:
        assert len(await b.outbox(conn)) == 1


async def test_no_reminder_between_eight_at_night_and_eight_in_the_morning(
    runtime: Runtime, run: RunJob
) -> None:
    await _setup(runtime)
    for hh, mm in ((20, 0), (23, 30), (2, 0), (7, 59)):
        day = 7 if hh >= 20 else 8
        result = await run("payment-reminders", b.ktm(2026, 3, day, hh, mm))
        assert result.counts == {"quiet_hours": 1}
    async with runtime.pool.acquire() as conn:
        assert await b.outbox(conn) == []
    morning = await run("payment-reminders", b.ktm(2026, 3, 8, 8, 0))
    assert morning.counts["sent_due_soon"] == 1


async def test_due_today_then_overdue_every_three_days(runtime: Runtime, run: RunJob) -> None:
    await _setup(runtime)
    sent = []
    for day in range(10, 21):
        result = await run("payment-reminders", b.ktm(2026, 3, day, 11, 15))
        sent.append((day, sorted(k for k, v in result.counts.items() if k.startswith("sent"))))
    days_with_reminders = [(d, s) for d, s in sent if s]
    assert days_with_reminders == [
        (10, ["sent_due_today"]), (11, ["sent_overdue"]), (14, ["sent_overdue"]),
        (17, ["sent_overdue"]), (20, ["sent_overdue"]),
    ]
    async with runtime.pool.acquire() as conn:
        rows = await b.outbox(conn)
    name, params = b.template_of(rows[-1])
    assert name == "payment_reminder_overdue"
    assert params[-1] == "10"  # days overdue on the 20th


async def test_a_paid_debit_gets_no_reminder(runtime: Runtime, run: RunJob) -> None:
    data = await _setup(runtime)
    async with runtime.pool.acquire() as conn:
        await b.payment(conn, data["retailer"]["id"], "12500", b.ktm(2026, 3, 5))
    result = await run("payment-reminders", b.ktm(2026, 3, 7, 9, 15))
    assert not any(k.startswith("sent") for k in result.counts)


async def test_a_part_payment_reminds_of_the_remainder(runtime: Runtime, run: RunJob) -> None:
    data = await _setup(runtime)
    async with runtime.pool.acquire() as conn:
        await b.payment(conn, data["retailer"]["id"], "10000", b.ktm(2026, 3, 5))
    await run("payment-reminders", b.ktm(2026, 3, 10, 9, 15))
    async with runtime.pool.acquire() as conn:
        [row] = await b.outbox(conn)
    assert b.template_of(row)[1][1] == "Rs 2,500"


async def test_a_nepali_speaking_retailer_gets_the_nepali_template(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, language="ne")
        await b.debit(conn, r["id"], "500", DUE)
    await run("payment-reminders", b.ktm(2026, 3, 10, 9, 15))
    async with runtime.pool.acquire() as conn:
        [row] = await b.outbox(conn)
    assert row["payload"]["template"]["language"]["code"] == "ne"
    assert b.template_of(row)[1][2] == "-"  # a debit without an order


async def test_bills_at_the_same_stage_go_in_one_message_with_their_total(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Bishnu Store")
        v = await b.vendor(conn)
        p = await b.product(conn, "flour")
        numbers = []
        for qty in ("10", "20", "5", "1"):
            o = await b.order(conn, r["id"], v["id"], b.ktm(2026, 2, 8), [(p, qty, "100")])
            await b.debit(conn, r["id"], str(int(qty) * 100), DUE, order_id=o["id"])
            numbers.append(o["number"])
        await b.debit(conn, r["id"], "700", DUE + timedelta(days=2))  # due soon, not today
    result = await run("payment-reminders", b.ktm(2026, 3, 10, 9, 15))
    assert result.counts == {"sent_due_today": 1, "sent_due_soon": 1, "debits_reminded": 5}
    async with runtime.pool.acquire() as conn:
        rows = [b.template_of(m) for m in await b.outbox(conn)]
        linked = await conn.fetchval(
            "SELECT count(DISTINCT outbox_id) FROM reminders_sent WHERE kind = 'due_today'")
    assert ("payment_reminder_due_today", [
        "Bishnu Store", "Rs 3,600",
        f"#{numbers[0]}, #{numbers[1]}, #{numbers[2]} +1 more",
        "2026-03-10 / 26 Falgun 2082"]) in rows
    assert ("payment_reminder_due_soon",
            ["Bishnu Store", "Rs 700", "-", "2026-03-12 / 28 Falgun 2082"]) in rows
    assert linked == 1
