"""Admin writes go through the same services as the CLI and WhatsApp, and each is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bot.dev.demo_catalog import load_demo
from bot.runtime import Runtime
from bot.services import parties
from tests.channel.conftest import signed, text_envelope
from tests.ops.helpers import bearer, serving

SHOP = "9779812345123"


@pytest.fixture
async def shop(runtime: Runtime) -> Runtime:
    await load_demo(runtime.pool)
    async with runtime.pool.acquire() as conn:
        await parties.add_retailer(conn, phone=SHOP, shop_name="Ram Kirana", area="Kathmandu",
                                   credit_limit=Decimal("10000"), approve=True, actor="test",
                                   now=dt.datetime.now(dt.UTC))
    return runtime


async def _audit(runtime: Runtime, action: str) -> list[dict[str, Any]]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT actor, action, target, details FROM audit_log "
                                "WHERE action = $1 ORDER BY id", action)
    return [dict(r) for r in rows]


async def test_recording_a_payment_credits_the_ledger_and_is_audited(shop: Runtime) -> None:
    body = {"retailer": SHOP, "amount": "1500", "method": "esewa", "reference": "ESW-123",
            "advance": True}
    async with serving(shop) as client:
        first = await client.post("/api/admin/payments", json=body,
                                  headers={**bearer("gita"), "X-Request-Id": "req-pay"})
        first_body = await first.json()
        again = await client.post("/api/admin/payments", json=body, headers=bearer("gita"))
        again_body = await again.json()
    assert first.status == 201
    assert Decimal(first_body["balance"]) == Decimal("-1500.00")  # paid in advance
    assert again.status == 200 and again_body["duplicate"] is True
    audit = await _audit(shop, "payment.record")
    assert len(audit) == 1
    assert audit[0]["actor"] == "admin:gita"
    assert audit[0]["target"] == f"retailer:{SHOP}"
    assert audit[0]["details"]["request_id"] == "req-pay"
    assert audit[0]["details"]["amount"] == "1500.00"


async def test_a_bad_payment_body_is_400_naming_each_field(shop: Runtime) -> None:
    async with serving(shop) as client:
        resp = await client.post("/api/admin/payments", headers=bearer(), json={
            "retailer": SHOP, "amount": "-5", "method": "cheque"})
        data = await resp.json()
    assert resp.status == 400
    assert {f["field"] for f in data["fields"]} == {"amount", "method"}
    assert await _audit(shop, "payment.record") == []


async def test_setting_a_limit_changes_available_credit_and_is_audited(shop: Runtime) -> None:
    async with serving(shop) as client:
        resp = await client.post(f"/api/admin/retailers/{SHOP}/credit-limit",
                                 json={"limit": "25000", "terms_days": 15},
                                 headers=bearer("gita"))
        credit = await (await client.get(f"/api/retailers/{SHOP}/credit",
                                         headers=bearer())).json()
        missing = await client.post("/api/admin/retailers/9779800000000/credit-limit",
                                    json={"limit": "1"}, headers=bearer())
    assert resp.status == 200
    assert Decimal(credit["available"]) == Decimal("25000")
    assert credit["terms_days"] == 15
    assert missing.status == 404
    audit = await _audit(shop, "retailer.set_limit")
    assert [(a["actor"], a["target"]) for a in audit] == [("admin:gita", SHOP)]


async def test_block_then_approve_a_retailer(shop: Runtime) -> None:
    async with serving(shop) as client:
        blocked = await (await client.post(f"/api/admin/retailers/{SHOP}/block",
                                           json={"reason": "cheque bounced"},
                                           headers=bearer())).json()
        refused = await client.post("/api/orders", headers={
            **bearer(), "Idempotency-Key": "blocked-order-1"},
            json={"retailer": SHOP, "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]})
        refused_body = await refused.json()
        approved = await (await client.post(f"/api/admin/retailers/{SHOP}/approve",
                                            headers=bearer())).json()
    assert blocked["status"] == "blocked"
    assert refused.status == 422 and refused_body["code"] == "blocked"
    assert approved["status"] == "active"
    assert [a["actor"] for a in await _audit(shop, "retailer.blocked")] == ["admin:sita"]
    # The first approval was the fixture's; the second is this operator's.
    assert [a["actor"] for a in await _audit(shop, "retailer.active")] == ["test", "admin:sita"]


async def test_cancelling_an_order_tells_both_sides_and_is_audited(shop: Runtime) -> None:
    async with serving(shop) as client:
        placed = await (await client.post("/api/orders", headers={
            **bearer(), "Idempotency-Key": "cancel-me-0001"},
            json={"retailer": SHOP, "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]})).json()
        number = placed["order"]["number"]
        resp = await client.post(f"/api/admin/orders/{number}/cancel",
                                 json={"reason": "shop closed today"}, headers=bearer("gita"))
        data = await resp.json()
        again = await client.post(f"/api/admin/orders/{number}/cancel",
                                  json={"reason": "again"}, headers=bearer())
        unknown = await client.post("/api/admin/orders/99999/cancel",
                                    json={"reason": "x"}, headers=bearer())
    assert resp.status == 200
    assert (data["status"], data["previous_status"]) == ("cancelled", "pending")
    assert again.status == 409
    assert unknown.status == 404
    async with shop.pool.acquire() as conn:
        notices = await conn.fetchval("SELECT count(*) FROM outbox")
    assert notices == 2 + 2  # placing: offer + shop; cancelling: vendor + shop
    audit = await _audit(shop, "order.cancel")
    assert [(a["actor"], a["target"], a["details"]["reason"]) for a in audit] == [
        ("admin:gita", f"order:{number}", "shop closed today")]


async def test_sessions_can_be_listed_shown_and_reset(shop: Runtime) -> None:
    async with serving(shop) as client:
        data, headers = signed(text_envelope(SHOP, "2 bora mansuli", "wamid.sess1"))
        assert (await client.post("/webhook", data=data, headers=headers)).status == 200
        listed = await (await client.get("/api/admin/sessions", headers=bearer())).json()
        idle = await (await client.get("/api/admin/sessions?idle_over=60",
                                       headers=bearer())).json()
        shown = await (await client.get(f"/api/admin/sessions/{SHOP}", headers=bearer())).json()
        reset = await client.post(f"/api/admin/sessions/{SHOP}/reset", headers=bearer("gita"))
        gone = await client.get(f"/api/admin/sessions/{SHOP}", headers=bearer())
    assert [s["phone"] for s in listed["sessions"]] == [SHOP]
    assert listed["sessions"][0]["cart_lines"] == 1
    assert idle["sessions"] == []  # active a moment ago
    assert shown["session"]["cart"][0]["sku"] == "RICE-MANSULI-25"
    assert reset.status == 200
    assert gone.status == 404
    audit = await _audit(shop, "session.reset")
    assert [(a["actor"], a["target"]) for a in audit] == [("admin:gita", f"phone:{SHOP}")]


async def test_a_retailer_is_found_by_the_number_as_operators_type_it(shop: Runtime) -> None:
    async with serving(shop) as client:
        resp = await client.get("/api/admin/retailers/9812345123", headers=bearer("gita"))
        body = await resp.json()
    assert resp.status == 200
    assert body["phone"] == SHOP


async def test_a_reference_reused_for_another_amount_is_409(shop: Runtime) -> None:
    body = {"retailer": SHOP, "amount": "1500", "reference": "ESW-9", "advance": True}
    async with serving(shop) as client:
        first = await client.post("/api/admin/payments", json=body, headers=bearer())
        clash = await client.post("/api/admin/payments", headers=bearer(),
                                  json={**body, "amount": "1600", "reference": "esw-9"})
        data = await clash.json()
    assert first.status == 201
    assert clash.status == 409 and "not Rs 1,600" in data["error"]
    assert len(await _audit(shop, "payment.record")) == 1


async def test_a_payment_above_the_balance_without_advance_is_422(shop: Runtime) -> None:
    async with serving(shop) as client:
        resp = await client.post("/api/admin/payments", headers=bearer(),
                                 json={"retailer": SHOP, "amount": "99999"})
        data = await resp.json()
    assert resp.status == 422
    assert data["code"] == "needs_advance" and data["owed"] == "0.00"
    assert await _audit(shop, "payment.record") == []


@pytest.mark.parametrize("amount", ["100.005", "1e12", "100000000.01"])
async def test_an_amount_with_a_third_decimal_or_above_the_bound_is_400(
        shop: Runtime, amount: str) -> None:
    async with serving(shop) as client:
        resp = await client.post("/api/admin/payments", headers=bearer(),
                                 json={"retailer": SHOP, "amount": amount, "advance": True})
        data = await resp.json()
    assert resp.status == 400
    assert [f["field"] for f in data["fields"]] == ["amount"]


async def test_the_largest_advance_still_lets_retailers_be_listed(shop: Runtime) -> None:
    async with serving(shop) as client:
        paid = await client.post("/api/admin/payments", headers=bearer(),
                                 json={"retailer": SHOP, "amount": "100000000",
                                       "advance": True})
        listed = await client.get("/api/admin/retailers", headers=bearer())
        rows = (await listed.json())["retailers"]
    assert paid.status == 201 and listed.status == 200
    assert [Decimal(r["balance"]) for r in rows if r["phone"] == SHOP] == [
        Decimal("-100000000.00")]


async def test_voiding_a_payment_over_the_api_reverses_it_once(shop: Runtime) -> None:
    async with serving(shop) as client:
        paid = await (await client.post("/api/admin/payments", headers=bearer("gita"), json={
            "retailer": SHOP, "amount": "700", "advance": True})).json()
        url = f"/api/admin/payments/{paid['payment_id']}/void"
        first = await client.post(url, json={"reason": "wrong shop"}, headers=bearer("gita"))
        body = await first.json()
        again = await client.post(url, json={"reason": "again"}, headers=bearer("gita"))
        missing = await client.post("/api/admin/payments/424242/void", json={"reason": "x"},
                                    headers=bearer())
    assert first.status == 200
    assert Decimal(body["balance"]) == Decimal("0.00") and body["reason"] == "wrong shop"
    assert again.status == 409 and missing.status == 404
    audit = await _audit(shop, "payment.void")
    assert [(a["actor"], a["details"]["reason"]) for a in audit] == [("admin:gita", "wrong shop")]


async def test_a_credit_note_over_the_api_is_201_then_409_when_nothing_is_left(
        runtime: Runtime) -> None:
    from tests.money.conftest import World
    from tests.money.test_credit_notes import _delivered

    async with runtime.pool.acquire() as conn:
        _, _, number = await _delivered(World(conn), ("oil", "250", "3"))
    url = f"/api/admin/orders/{number}/credit-notes"
    body = {"reason": "returned", "lines": [{"line": 1, "qty": "3"}], "note": "shop closed"}
    async with serving(runtime) as client:
        first = await client.post(url, json=body, headers=bearer("gita"))
        made = await first.json()
        again = await client.post(url, json=body, headers=bearer("gita"))
        bad = await client.post(url, json={"reason": "stolen", "lines": []}, headers=bearer())
    assert first.status == 201
    assert Decimal(made["amount"]) == Decimal("750.00") and made["notices"] == 2
    assert again.status == 409 and bad.status == 400
    audit = await _audit(runtime, "order.credit_note")
    assert [(a["actor"], a["details"]["reason"]) for a in audit] == [("admin:gita", "returned")]


async def test_operator_endpoints_assign_act_update_deactivate_and_alerts(
        runtime: Runtime) -> None:
    from bot.store import alerts as alert_store
    from domain.alerts import Alert, AlertKind
    from tests.money.conftest import World
    from tests.money.test_operator_actions import _placed

    async with runtime.pool.acquire() as conn:
        world = World(conn)
        _, (a, b), number = await _placed(world, "Alpha", "Beta")
        holder = await conn.fetchval("SELECT vendor_id FROM orders WHERE number = $1", number)
        other = await world.phone_of_vendor(b if holder == a else a)
        retailer = await conn.fetchval("SELECT phone FROM retailers")
        alert_id = await alert_store.raise_alert(
            conn, Alert(AlertKind.DISPUTE, f"order:{number}", "not received"))
    async with serving(runtime) as client:
        async def post(url: str, body: dict[str, Any] | None = None,
                       who: str = "sita") -> tuple[int, Any]:
            resp = await client.post(url, json=body, headers=bearer(who))
            return resp.status, await resp.json()

        assigned = await post(f"/api/admin/orders/{number}/assign",
                              {"vendor": other, "reason": "phoned in"})
        accepted = await post(f"/api/admin/orders/{number}/act",
                              {"action": "accept", "reason": "phoned in"})
        wrong = await post(f"/api/admin/orders/{number}/act",
                           {"action": "deliver", "reason": "too early"})
        updated = await post(f"/api/admin/retailers/{retailer}/update", {"area": "Kalimati"})
        stopped = await post(f"/api/admin/vendors/{other}/active",
                             {"active": False, "reason": "closed"})
        listed = await (await client.get("/api/admin/alerts", headers=bearer())).json()
        resolved = await post(f"/api/admin/alerts/{alert_id}/resolve", who="gita")
        again = await post(f"/api/admin/alerts/{alert_id}/resolve")
    assert assigned[0] == 200 and assigned[1]["vendor"] == other
    assert accepted[0] == 200 and accepted[1]["status"] == "accepted"
    assert wrong[0] == 409
    assert updated[0] == 200 and updated[1]["area"] == "Kalimati"
    assert stopped[0] == 200 and stopped[1]["open_orders"] == 1
    assert [x["id"] for x in listed["alerts"]] == [alert_id]
    assert resolved[0] == 200 and again[0] == 404
    assert [x["actor"] for x in await _audit(runtime, "alert.resolve")] == ["admin:gita"]


async def test_approving_over_the_api_sets_the_limit_at_once(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await parties.add_retailer(conn, phone="9779812345999", shop_name="New Shop",
                                   area="Kalanki", actor="t", now=dt.datetime.now(dt.UTC))
    async with serving(runtime) as client:
        resp = await client.post("/api/admin/retailers/9779812345999/approve?limit=20000",
                                 headers=bearer())
        body = await resp.json()
        bad = await client.post("/api/admin/retailers/9779812345999/approve?limit=1.005",
                                headers=bearer())
    assert resp.status == 200 and body["status"] == "active"
    assert Decimal(body["credit_limit"]) == Decimal("20000.00") and body["told"] == 1
    assert bad.status == 400
