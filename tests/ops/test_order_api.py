"""The order API places orders through the same service as WhatsApp: credit, stock,
routing, idempotency; plus credit and product look-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.dev.demo_catalog import load_demo
from bot.metrics import ORDERS_PLACED
from bot.runtime import Runtime
from bot.services import parties
from tests.ops.helpers import bearer, serving

SHOP = "9779812345123"


@pytest.fixture
async def market(runtime: Runtime) -> Runtime:
    """The demo catalogue and vendors, and one approved Kathmandu shop with 10,000 credit."""
    await load_demo(runtime.pool)
    async with runtime.pool.acquire() as conn:
        await parties.add_retailer(conn, phone=SHOP, shop_name="Ram Kirana", area="Kathmandu",
                                   credit_limit=Decimal("10000"), approve=True, actor="test",
                                   now=dt.datetime.now(dt.UTC))
    return runtime


def _order(key: str, **body: object) -> tuple[dict[str, object], dict[str, str]]:
    payload: dict[str, object] = {"retailer": SHOP, **body}
    return payload, {**bearer("sita"), "Idempotency-Key": key}


async def _count(runtime: Runtime, sql: str) -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(sql))


async def test_placing_an_order_routes_it_and_queues_the_notices(market: Runtime) -> None:
    body, headers = _order("order-key-0001", items=[{"sku": "RICE-MANSULI-25", "qty": "2"}])
    async with serving(market) as client:
        resp = await client.post("/api/orders", json=body,
                                 headers={**headers, "X-Request-Id": "req-api-1"})
        data = await resp.json()
    assert resp.status == 201, data
    order = data["order"]
    assert order["status"] == "pending"
    assert order["source"] == "api"
    assert order["vendor_name"]
    assert order["items"][0]["sku"] == "RICE-MANSULI-25"
    assert Decimal(order["items"][0]["qty"]) == 2
    assert Decimal(order["total"]) == 2 * Decimal(order["items"][0]["unit_price"])
    async with market.pool.acquire() as conn:
        outbox = await conn.fetch("SELECT recipient, request_id FROM outbox ORDER BY id")
        audit = await conn.fetchrow("SELECT actor, action, target FROM audit_log "
                                    "WHERE action = 'order.place'")
    assert {r["request_id"] for r in outbox} == {"req-api-1"}
    assert SHOP in {r["recipient"] for r in outbox}  # the shop is told it was placed for them
    assert len(outbox) == 2  # and the vendor gets the offer
    assert dict(audit) == {"actor": "admin:sita", "action": "order.place",
                           "target": f"order:{order['number']}"}


async def test_an_order_message_is_read_by_the_whatsapp_parser(market: Runtime) -> None:
    body, headers = _order("order-key-text", text="2 bora mansuli")
    async with serving(market) as client:
        resp = await client.post("/api/orders", json=body, headers=headers)
        data = await resp.json()
    assert resp.status == 201, data
    assert [(i["sku"], Decimal(i["qty"])) for i in data["order"]["items"]] == [
        ("RICE-MANSULI-25", 2)]


async def test_an_order_over_the_credit_limit_is_409_with_the_shortfall(market: Runtime) -> None:
    body, headers = _order("order-key-0002", items=[{"sku": "RICE-MANSULI-25", "qty": "6"}])
    refused_before = ORDERS_PLACED.value(result="credit_short", source="api")
    async with serving(market) as client:
        resp = await client.post("/api/orders", json=body, headers=headers)
        data = await resp.json()
    assert resp.status == 409
    assert data["code"] == "credit_short"
    assert Decimal(data["available"]) == Decimal("10000.00")
    assert Decimal(data["shortfall"]) == Decimal(data["total"]) - Decimal("10000.00") > 0
    assert await _count(market, "SELECT count(*) FROM orders") == 0
    assert await _count(market, "SELECT count(*) FROM outbox") == 0
    assert await _count(market, "SELECT count(*) FROM audit_log "
                                "WHERE action = 'order.place'") == 0
    assert ORDERS_PLACED.value(result="credit_short", source="api") == refused_before + 1


async def test_the_same_idempotency_key_returns_the_first_result_and_creates_nothing(
    market: Runtime,
) -> None:
    body, headers = _order("order-key-0003", items=[{"sku": "RICE-MANSULI-25", "qty": "1"}])
    async with serving(market) as client:
        first = await client.post("/api/orders", json=body, headers=headers)
        first_body = await first.json()
        second = await client.post("/api/orders", json=body, headers=headers)
        second_body = await second.json()
    assert first.status == second.status == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second_body == first_body
    assert await _count(market, "SELECT count(*) FROM orders") == 1
    assert await _count(market, "SELECT count(*) FROM outbox") == 2


async def test_a_replay_after_redis_is_flushed_still_places_one_order(market: Runtime) -> None:
    body, headers = _order("order-key-0004", items=[{"sku": "RICE-MANSULI-25", "qty": "1"}])
    async with serving(market) as client:
        first = await (await client.post("/api/orders", json=body, headers=headers)).json()
        await market.redis.delete(market.keys.idempotency("order-key-0004"))
        again = await client.post("/api/orders", json=body, headers=headers)
        again_body = await again.json()
    assert again.status == 201
    assert again_body["order"]["number"] == first["order"]["number"]
    assert await _count(market, "SELECT count(*) FROM orders") == 1


async def test_a_key_reused_for_a_different_order_is_refused(market: Runtime) -> None:
    body, headers = _order("order-key-0005", items=[{"sku": "RICE-MANSULI-25", "qty": "1"}])
    other, _ = _order("order-key-0005", items=[{"sku": "RICE-MANSULI-25", "qty": "3"}])
    async with serving(market) as client:
        await client.post("/api/orders", json=body, headers=headers)
        resp = await client.post("/api/orders", json=other, headers=headers)
        data = await resp.json()
    assert resp.status == 422
    assert data["code"] == "idempotency_key_reused"
    assert await _count(market, "SELECT count(*) FROM orders") == 1


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"items": [{"sku": "NO-SUCH-SKU", "qty": "1"}]}, 422, "unknown_sku"),
    ({"text": "xyzzy plugh"}, 422, "not_understood"),
    ({"retailer": "9779800000000", "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]}, 422,
     "unknown_party"),
])
async def test_refusals_say_what_failed(market: Runtime, body: dict[str, object], status: int,
                                        code: str) -> None:
    payload, headers = _order("order-key-refuse", **body)
    async with serving(market) as client:
        resp = await client.post("/api/orders", json=payload, headers=headers)
        data = await resp.json()
    assert resp.status == status, data
    assert data["code"] == code
    assert await _count(market, "SELECT count(*) FROM orders") == 0


@pytest.mark.parametrize("body", [
    {},
    {"retailer": SHOP},
    {"retailer": SHOP, "items": [], "text": "x"},
    {"retailer": SHOP, "items": [{"sku": "RICE-MANSULI-25", "qty": "-1"}]},
    {"retailer": SHOP, "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}], "extra": 1},
])
async def test_malformed_bodies_are_400_with_field_errors(market: Runtime,
                                                          body: dict[str, object]) -> None:
    async with serving(market) as client:
        resp = await client.post("/api/orders", json=body,
                                 headers={**bearer(), "Idempotency-Key": "order-key-bad0"})
        data = await resp.json()
    assert resp.status == 400
    assert data["fields"]


async def test_a_missing_idempotency_key_is_400(market: Runtime) -> None:
    async with serving(market) as client:
        resp = await client.post("/api/orders", headers=bearer(), json={
            "retailer": SHOP, "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]})
    assert resp.status == 400


async def test_credit_shows_limit_open_orders_and_available(market: Runtime) -> None:
    body, headers = _order("order-key-0006", items=[{"sku": "RICE-MANSULI-25", "qty": "1"}])
    async with serving(market) as client:
        placed = await (await client.post("/api/orders", json=body, headers=headers)).json()
        resp = await client.get(f"/api/retailers/{SHOP}/credit", headers=bearer(role="viewer"))
        credit = await resp.json()
        missing = await client.get("/api/retailers/9779800000000/credit", headers=bearer())
    total = Decimal(placed["order"]["total"])
    assert resp.status == 200
    assert Decimal(credit["limit"]) == Decimal("10000")
    assert Decimal(credit["outstanding"]) == 0
    assert Decimal(credit["open_orders"]) == total
    assert Decimal(credit["available"]) == Decimal("10000") - total
    assert credit["next_due"] is None
    assert missing.status == 404


async def test_products_search_uses_the_resolver_with_prices_per_vendor(market: Runtime) -> None:
    async with serving(market) as client:
        resp = await client.get("/api/products", params={"q": "mansuli chamal"},
                                headers=bearer(role="viewer"))
        data = await resp.json()
        pokhara = await (await client.get("/api/products", params={
            "q": "mansuli", "area": "Pokhara"}, headers=bearer(role="viewer"))).json()
    assert resp.status == 200
    top = data["products"][0]
    assert top["sku"] == "RICE-MANSULI-25"
    assert top["offers"] and all(Decimal(o["price"]) > 0 for o in top["offers"])
    prices = [Decimal(o["price"]) for o in top["offers"]]
    assert prices == sorted(prices)
    for product in pokhara["products"]:
        assert {o["vendor_phone"] for o in product["offers"]} <= {"9779801000003"}
