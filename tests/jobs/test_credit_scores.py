"""credit-scores: the score for several payment histories, block and unblock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.runtime import Runtime
from domain.credit_score import ScoreInputs, band_for, score
from domain.digits import to_devanagari
from domain.dues import Credit, Debit, settle
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

TODAY = date(2026, 3, 8)


def _history(days_late: int, n: int, *, unpaid_overdue_days: int | None = None,
             amount: str = "5000") -> list:
    debits, credits = [], []
    for i in range(n):
        due = TODAY - timedelta(days=30 * (n - i) + 10)
        debits.append(Debit(i + 1, Decimal(amount), due, due - timedelta(days=30)))
        credits.append(Credit(Decimal(amount), due + timedelta(days=days_late)))
    if unpaid_overdue_days is not None:
        due = TODAY - timedelta(days=unpaid_overdue_days)
        debits.append(Debit(n + 1, Decimal(amount) * 9, due, due - timedelta(days=30)))
    return settle(debits, credits, TODAY)


def test_a_year_of_on_time_payments_and_weekly_orders_scores_900_low_risk() -> None:
    weekly = [TODAY - timedelta(days=7 * k) for k in range(20)]
    result = score(ScoreInputs(TODAY, _history(-5, 12), Decimal(50000),
                               TODAY - timedelta(days=400), weekly, Decimal(30000)))
    assert result.score == 900
    assert result.band == "low"
    assert result.factors["on_time_share"] == 1.0
    assert result.suggested_limit == Decimal("20000.00")  # 2 months of 10,000


def test_a_new_shop_without_history_is_neutral() -> None:
    result = score(ScoreInputs(TODAY, [], Decimal(10000), TODAY))
    # 0.35×0.5 + 0.30×1 + 0.15×1 + 0.10×0 + 0.10×0.5 = 0.675 → 300 + 405
    assert result.score == 705
    assert result.band == "medium"
    assert result.factors["on_time_share"] == "no history"
    assert result.suggested_limit == Decimal(10000)


def test_a_late_payer_with_a_45_day_old_debt_near_the_limit_is_very_high_risk() -> None:
    history = _history(20, 4, unpaid_overdue_days=45)
    result = score(ScoreInputs(TODAY, history, Decimal(50000), TODAY - timedelta(days=400),
                               [TODAY - timedelta(days=45)], Decimal(45000)))
    # on time 0; dpd 1-45/60=0.25; utilisation 45000/50000 → (1-0.9)/0.7; tenure 1; regularity 0.5
    expected = round(300 + 600 * (0.30 * 0.25 + 0.15 * (0.1 / 0.7) + 0.10 + 0.10 * 0.5))
    assert result.score == expected == 448
    assert result.band == "very_high"
    assert result.factors["days_past_due"] == 45
    assert result.suggested_limit == Decimal(0)


def test_paying_half_the_bills_late_lands_in_between() -> None:
    debits = [Debit(i, Decimal(1000), TODAY - timedelta(days=100 - 20 * i),
                    TODAY - timedelta(days=130 - 20 * i)) for i in range(4)]
    credits = [Credit(Decimal(1000), d.due_date + timedelta(days=(0 if i % 2 else 10)))
               for i, d in enumerate(debits)]
    result = score(ScoreInputs(TODAY, settle(debits, credits, TODAY), Decimal(10000),
                               TODAY - timedelta(days=182)))
    # 0.35×0.5 + 0.30 + 0.15 + 0.10×(182/365) + 0.10×0.5
    assert result.score == round(300 + 600 * (0.175 + 0.30 + 0.15 + 0.1 * 182 / 365 + 0.05))
    assert result.band == band_for(result.score) == "medium"


def test_bands_cover_the_whole_range() -> None:
    assert [band_for(s) for s in (900, 750, 749, 650, 649, 550, 549, 450, 449, 300)] == [
        "low", "low", "medium", "medium", "elevated", "elevated", "high", "high",
        "very_high", "very_high"]


def test_payments_settle_the_oldest_debit_first() -> None:
    debits = [Debit(1, Decimal(100), date(2026, 1, 10), date(2025, 12, 10)),
              Debit(2, Decimal(100), date(2026, 2, 10), date(2026, 1, 10))]
    states = settle(debits, [Credit(Decimal(150), date(2026, 1, 5))], TODAY)
    assert [(s.outstanding, s.paid_on) for s in states] == [
        (Decimal(0), date(2026, 1, 5)), (Decimal(50), None)]
    assert states[1].days_past_due(TODAY) == 26


async def test_the_job_stores_score_band_factors_and_suggested_limit(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        good = await b.retailer(conn, shop="Good", created=b.ktm(2025, 1, 1))
        late = await b.retailer(conn, shop="Late", limit=Decimal(20000),
                                created=b.ktm(2025, 1, 1))
        for i in range(3):
            due = TODAY - timedelta(days=60 - 20 * i)
            await b.debit(conn, good["id"], "3000", due)
            await b.payment(conn, good["id"], "3000", b.at_day(due - timedelta(days=2)))
            await b.debit(conn, late["id"], "6000", due)
            await b.payment(conn, late["id"], "6000", b.at_day(due + timedelta(days=12)))
        await b.debit(conn, late["id"], "15000", TODAY - timedelta(days=10))
    result = await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    assert result.counts["scored"] == 2
    async with runtime.pool.acquire() as conn:
        rows = {r["retailer_id"]: r for r in await conn.fetch("SELECT * FROM credit_scores")}
    assert rows[good["id"]]["as_of"] == TODAY
    assert rows[good["id"]]["band"] == "low"
    assert rows[good["id"]]["score"] > rows[late["id"]]["score"]
    assert rows[late["id"]]["factors"]["days_past_due"] == 10
    assert rows[late["id"]]["factors"]["utilisation"] == 0.75
    assert rows[late["id"]]["band"] in ("elevated", "high")
    await run("credit-scores", b.ktm(2026, 3, 8, 11, 40))  # same day: replaced, not added
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM credit_scores") == 2


async def _overdue(runtime: Runtime, days: int, *, status: str = "active",
                   language: str = "en") -> dict:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Hari Store", status=status, language=language)
        v = await b.vendor(conn)
        p = await b.product(conn, "rice")
        o = await b.order(conn, r["id"], v["id"], b.at_day(TODAY - timedelta(days=days + 30)),
                          [(p, "4", "2000")])
        await b.debit(conn, r["id"], "8000", TODAY - timedelta(days=days), order_id=o["id"])
        return {"retailer": r, "order": o}


async def test_fifteen_days_overdue_is_not_yet_blocked(runtime: Runtime, run: RunJob) -> None:
    data = await _overdue(runtime, 15)
    result = await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    assert "blocked" not in result.counts
    async with runtime.pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                     data["retailer"]["id"])
    assert status == "active"


async def test_more_than_fifteen_days_overdue_blocks_credit_and_says_why(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _overdue(runtime, 16)
    result = await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    assert result.counts["blocked"] == 1
    async with runtime.pool.acquire() as conn:
        r = await conn.fetchrow("SELECT status, blocked_reason FROM retailers WHERE id = $1",
                                data["retailer"]["id"])
        [msg] = await b.outbox(conn, data["retailer"]["phone"])
    assert r["status"] == "blocked"
    assert r["blocked_reason"] == f"Rs 8,000 overdue for 16 days, order #{data['order']['number']}"
    name, params = b.template_of(msg)
    assert name == "credit_blocked"
    assert params == ["Hari Store", "Rs 8,000", "16", f"#{data['order']['number']}"]
    again = await run("credit-scores", b.ktm(2026, 3, 8, 11, 40))
    assert "blocked" not in again.counts
    async with runtime.pool.acquire() as conn:
        assert len(await b.outbox(conn)) == 1


async def test_a_nepali_speaking_retailer_is_told_in_nepali(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _overdue(runtime, 16, language="ne")
    await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    async with runtime.pool.acquire() as conn:
        reason = await conn.fetchval("SELECT blocked_reason FROM retailers WHERE id = $1",
                                     data["retailer"]["id"])
        [msg] = await b.outbox(conn)
    assert reason == "रु ८,००० १६ दिनदेखि बाँकी, अर्डर #" + to_devanagari(
        str(data["order"]["number"]))
    assert msg["payload"]["template"]["language"]["code"] == "ne"
    assert b.template_of(msg)[1][1] == "रु ८,०००"


async def test_the_block_threshold_follows_the_setting(runtime: Runtime) -> None:
    from jobs.runner import get_job, run_job

    data = await _overdue(runtime, 8)
    strict = runtime.settings.model_copy(update={"block_after_days_overdue": 7})
    rt = Runtime(strict, runtime.pool, runtime.redis, runtime.keys)
    result = await run_job(rt, get_job("credit-scores"), b.ktm(2026, 3, 8, 10, 40))
    assert result.counts["blocked"] == 1
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                   data["retailer"]["id"]) == "blocked"


async def test_paying_lifts_the_block_and_tells_the_retailer(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _overdue(runtime, 20)
    await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    async with runtime.pool.acquire() as conn:
        await b.payment(conn, data["retailer"]["id"], "8000", b.ktm(2026, 3, 9, 9, 0))
    result = await run("credit-scores", b.ktm(2026, 3, 9, 9, 40))
    assert result.counts["unblocked"] == 1
    async with runtime.pool.acquire() as conn:
        r = await conn.fetchrow("SELECT status, blocked_reason FROM retailers WHERE id = $1",
                                data["retailer"]["id"])
        msgs = await b.outbox(conn, data["retailer"]["phone"])
    assert (r["status"], r["blocked_reason"]) == ("active", None)
    assert [b.template_of(m)[0] for m in msgs] == ["credit_blocked", "credit_unblocked"]


async def test_a_block_set_by_an_operator_is_never_lifted_by_the_job(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, status="blocked")
    result = await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    assert "unblocked" not in result.counts
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                   r["id"]) == "blocked"


async def test_a_block_at_night_is_told_in_the_morning_once(runtime: Runtime, run: RunJob) -> None:
    data = await _overdue(runtime, 16)
    night = await run("credit-scores", b.ktm(2026, 3, 8, 2, 40))
    async with runtime.pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                     data["retailer"]["id"])
        assert await b.outbox(conn) == []
    assert night.counts["blocked"] == 1
    assert status == "blocked"
    await run("credit-scores", b.ktm(2026, 3, 8, 8, 40))
    await run("credit-scores", b.ktm(2026, 3, 8, 9, 40))
    async with runtime.pool.acquire() as conn:
        msgs = await b.outbox(conn)
    assert [b.template_of(m)[0] for m in msgs] == ["credit_blocked"]


async def test_blocked_and_paid_in_the_same_night_says_nothing(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _overdue(runtime, 16)
    await run("credit-scores", b.ktm(2026, 3, 8, 2, 40))
    async with runtime.pool.acquire() as conn:
        await b.payment(conn, data["retailer"]["id"], "8000", b.ktm(2026, 3, 8, 6, 0))
    result = await run("credit-scores", b.ktm(2026, 3, 8, 8, 40))
    assert result.counts["unblocked"] == 1
    async with runtime.pool.acquire() as conn:
        assert await b.outbox(conn) == []
        assert await conn.fetchval("SELECT status FROM retailers WHERE id = $1",
                                   data["retailer"]["id"]) == "active"


async def test_an_operator_reopening_the_account_is_not_undone_until_paid(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _overdue(runtime, 16)
    rid = data["retailer"]["id"]
    await run("credit-scores", b.ktm(2026, 3, 8, 10, 40))
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE retailers SET status = 'active', blocked_reason = NULL "
                           "WHERE id = $1", rid)
    again = await run("credit-scores", b.ktm(2026, 3, 8, 11, 40))
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM retailers WHERE id = $1", rid) == "active"
        await b.payment(conn, rid, "8000", b.ktm(2026, 3, 9, 9, 0))
    paid = await run("credit-scores", b.ktm(2026, 3, 9, 10, 40))
    async with runtime.pool.acquire() as conn:
        msgs = [b.template_of(m)[0] for m in await b.outbox(conn)]
    assert "blocked" not in again.counts
    assert paid.counts["unblocked"] == 1
    assert msgs == ["credit_blocked"]  # no "you can order again": they always could
