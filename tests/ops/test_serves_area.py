"""Every place that asks "does this vendor serve the area?" gets the domain's answer.

Vendor lists, cart pricing, the products API and the onboarding area list once
had their own SQL (some trimmed spaces, some did not); now they all call the
schema's serves_area(), which tests/domain/test_rules_in_sql.py holds to
domain.areas.serves_area.
"""

from __future__ import annotations

import pytest

from bot.conversation.retailer_backend import ServiceBackend
from bot.dev.demo_catalog import load_demo
from bot.runtime import Runtime
from bot.store import orders, parties, reports
from domain.areas import serves_area
from tests.ops.helpers import bearer, serving

SHRESTHA, HIMAL, POKHARA = "9779801000001", "9779801000002", "9779801000003"
ASKED = " KATHMANDU"


async def _demo_with_areas(runtime: Runtime, areas: dict[str, list[str]]) -> dict[str, list[str]]:
    await load_demo(runtime.pool)
    async with runtime.pool.acquire() as conn:
        for phone, served in areas.items():
            await conn.execute("UPDATE vendors SET areas = $2 WHERE phone = $1", phone, served)
    return areas


@pytest.fixture
async def spelled(runtime: Runtime) -> set[str]:
    """Demo vendors whose areas are written carelessly; the phones serving ASKED."""
    areas = await _demo_with_areas(runtime, {
        SHRESTHA: [" \tkathmandu\u00a0", "Lalitpur"], HIMAL: ["*"], POKHARA: ["Pokhara"]})
    serving_phones = {phone for phone, served in areas.items() if serves_area(served, ASKED)}
    assert serving_phones == {SHRESTHA, HIMAL}
    return serving_phones


async def test_the_vendor_list_filters_by_area_as_the_domain_does(
        runtime: Runtime, spelled: set[str]) -> None:
    async with runtime.pool.acquire() as conn:
        found = await parties.list_vendors(conn, area=ASKED)
    assert {v.phone for v in found} == spelled


async def test_the_vendor_report_filters_by_area_as_the_domain_does(
        runtime: Runtime, spelled: set[str]) -> None:
    async with runtime.pool.acquire() as conn:
        found = await reports.list_vendors(conn, area=ASKED)
    assert {v["phone"] for v in found} == spelled


async def test_a_cart_is_priced_from_the_vendors_the_domain_says_serve_it(
        runtime: Runtime, spelled: set[str]) -> None:
    async with runtime.pool.acquire() as conn:
        offers = await orders.vendor_offers(conn, ["RICE-MANSULI-25", "RICE-SONA-25"], ASKED)
        phones = {await conn.fetchval("SELECT phone FROM vendors WHERE id = $1", o.vendor_id)
                  for o in offers}
    assert phones == spelled


async def test_the_products_api_filters_by_area_as_the_domain_does(
        runtime: Runtime, spelled: set[str]) -> None:
    async with serving(runtime) as client:
        body = await (await client.get("/api/products", params={"q": "rice", "area": ASKED},
                                       headers=bearer(role="viewer"))).json()
    assert {o["vendor_phone"] for p in body["products"] for o in p["offers"]} == spelled


async def test_onboarding_lists_each_served_area_once_and_never_the_any_area_marker(
        runtime: Runtime) -> None:
    await _demo_with_areas(runtime, {
        SHRESTHA: ["Kathmandu", "Lalitpur"], HIMAL: ["kathmandu ", "*"],
        POKHARA: ["Pokhara", " Kathmandu"]})
    async with runtime.pool.acquire() as conn:
        listed = await ServiceBackend(runtime, conn).served_areas()
    assert listed == ["Kathmandu", "Lalitpur", "Pokhara"]


async def test_retailers_are_listed_by_area_with_the_same_normalisation(
        runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO retailers (phone, shop_name, area) VALUES "
            "('9812000001', 'A', 'Kathmandu'), ('9812000002', 'B', ' kathmandu\t'), "
            "('9812000003', 'C', 'Pokhara')")
        listed = await reports.list_retailers(conn, area="KATHMANDU ")
    assert sorted(r["shop_name"] for r in listed) == ["A", "B"]
