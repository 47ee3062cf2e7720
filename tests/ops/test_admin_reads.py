"""The admin API's reads mirror the CLI's: orders, retailers, vendors, outbox."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.ops.helpers import bearer, seed_basic, serving


async def test_orders_list_filters_by_status_and_retailer(runtime: Runtime) -> None:
    await seed_basic(runtime)
    async with serving(runtime) as client:
        hit = await (await client.get("/api/admin/orders?status=pending&retailer=9812345123",
                                      headers=bearer(role="viewer"))).json()
        miss = await (await client.get("/api/admin/orders?status=delivered",
                                       headers=bearer(role="viewer"))).json()
    assert [o["number"] for o in hit["orders"]] == [1001]
    assert hit["orders"][0]["total"] == "3600.00"
    assert miss["orders"] == []


async def test_an_unknown_filter_value_is_a_400_naming_the_field(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/admin/orders?status=lost&limit=0", headers=bearer())
        body = await resp.json()
    assert resp.status == 400
    assert {f["field"] for f in body["fields"]} == {"status", "limit"}


async def test_order_show_has_items_and_404s_cleanly(runtime: Runtime) -> None:
    await seed_basic(runtime)
    async with serving(runtime) as client:
        found = await (await client.get("/api/admin/orders/1001", headers=bearer())).json()
        missing = await client.get("/api/admin/orders/999999", headers=bearer())
        junk = await client.get("/api/admin/orders/abc", headers=bearer())
    assert found["items"][0]["sku"] == "RICE-MANSULI-25"
    assert missing.status == 404
    assert junk.status == 400


async def test_retailer_show_has_balance_open_orders_and_available(runtime: Runtime) -> None:
    await seed_basic(runtime)
    async with serving(runtime) as client:
        body = await (await client.get("/api/admin/retailers/9812345123",
                                       headers=bearer())).json()
    assert body["credit_limit"] == "50000.00"
    assert body["balance"] == "0.00"
    assert body["open_orders"] == "3600.00"
    assert body["available"] == "46400.00"


async def test_outbox_list_failed_shows_dead_letters(runtime: Runtime) -> None:
    ids = await seed_basic(runtime)
    async with serving(runtime) as client:
        body = await (await client.get("/api/admin/outbox?failed=true", headers=bearer())).json()
    assert [r["id"] for r in body["outbox"]] == [ids["outbox"]]
    assert body["outbox"][0]["error_code"] == 131000


async def test_retrying_an_outbox_row_is_audited_with_who_and_what(runtime: Runtime) -> None:
    ids = await seed_basic(runtime)
    async with serving(runtime) as client:
        resp = await client.post(f"/api/admin/outbox/{ids['outbox']}/retry",
                                 headers={**bearer("gita"), "X-Request-Id": "req-retry-1"})
        again = await client.post(f"/api/admin/outbox/{ids['outbox']}/retry", headers=bearer())
    assert resp.status == 200
    assert again.status == 409
    async with runtime.pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM outbox WHERE id = $1", ids["outbox"])
        audit = await conn.fetch("SELECT actor, action, target, details, at FROM audit_log")
    assert status == "pending"
    assert len(audit) == 1
    assert (audit[0]["actor"], audit[0]["action"], audit[0]["target"]) == (
        "admin:gita", "outbox.retry", f"outbox:{ids['outbox']}")
    assert audit[0]["details"]["request_id"] == "req-retry-1"
    assert audit[0]["at"] is not None


async def test_an_order_number_in_another_scripts_digits_is_a_400_not_a_500(
        runtime: Runtime) -> None:
    async with serving(runtime) as client:
        superscript = await client.get("/api/admin/orders/%C2%B2", headers=bearer())
        arabic = await client.get("/api/admin/orders/%D9%A1%D9%A0%D9%A0%D9%A1", headers=bearer())
    assert (superscript.status, arabic.status) == (400, 400)
