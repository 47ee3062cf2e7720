"""Catalogue import/export against the real Postgres, and the index cache over real Redis."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from bot.catalog_cache import CatalogCache, bump_version
from bot.dev.demo_catalog import load_demo
from bot.runtime import Runtime
from bot.store import catalog as store
from domain.ordertext import parse_message

HEADER = "sku,name,unit,aliases,category,price\n"
GOOD = HEADER + "SUGAR,Sugar,kg,chini|चिनी,staples,95\nSALT,Salt 1kg,packet,nun,staples,25\n"


async def _count(rt: Runtime, table: str) -> int:
    async with rt.pool.acquire() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608


async def _add_vendor(rt: Runtime, phone: str = "9779801000009") -> int:
    async with rt.pool.acquire() as conn:
        return int(await conn.fetchval(
            "INSERT INTO vendors (phone, name, areas) VALUES ($1, 'Test Traders', '{Kathmandu}') "
            "RETURNING id", phone))


async def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_line(
        runtime: Runtime) -> None:
    text = (GOOD
            + ",No Sku,kg,,staples,10\n"             # line 4
            + "OIL,Oil,,tel,oil,300\n"               # line 5
            + "DAL,Dal,kg,dal,pulses,-1\n"           # line 6
            + "RICE,Rice,bag,chamal,rice,abc\n"      # line 7
            + "SUGAR,Sugar again,kg,,staples,90\n")  # line 8
    with pytest.raises(store.CatalogRejected) as caught:
        await store.import_csv(runtime.pool, text)
    assert [e.line for e in caught.value.errors] == [4, 5, 6, 7, 8]
    assert await _count(runtime, "products") == 0
    assert await _count(runtime, "product_aliases") == 0


async def test_import_upserts_products_and_aliases(runtime: Runtime) -> None:
    first = await store.import_csv(runtime.pool, GOOD)
    assert (first.products_created, first.aliases) == (2, 3)
    again = await store.import_csv(
        runtime.pool, HEADER + "SUGAR,White Sugar,kg,chini|cheeni,staples,95\n")
    assert (again.products_created, again.products_updated) == (0, 1)
    async with runtime.pool.acquire() as conn:
        catalog = await store.load_catalog(conn)
    sugar = catalog.get("SUGAR")
    assert sugar is not None and sugar.name == "White Sugar"
    assert set(sugar.aliases) == {"chini", "चिनी", "cheeni"}  # merged, none removed
    assert catalog.get("SALT") is not None


async def test_vendor_import_sets_prices_stock_and_history(runtime: Runtime) -> None:
    vendor_id = await _add_vendor(runtime)
    text = HEADER.strip() + ",stock\nSUGAR,Sugar,kg,chini,staples,95,500\nSALT,Salt,packet,,s,25,\n"
    report = await store.import_csv(runtime.pool, text, vendor_phone="9779801000009")
    assert report.prices == 2 and report.vendor_id == vendor_id
    await store.import_csv(runtime.pool, text.replace(",95,", ",99,"),
                           vendor_phone="9779801000009")
    async with runtime.pool.acquire() as conn:
        rows = {r["sku"]: (r["price"], r["stock"]) for r in await conn.fetch(
            "SELECT p.sku, vp.price, vp.stock FROM vendor_products vp "
            "JOIN products p ON p.id = vp.product_id WHERE vp.vendor_id = $1", vendor_id)}
        history = await conn.fetchval("SELECT count(*) FROM vendor_price_history")
    assert rows == {"SUGAR": (Decimal(99), Decimal(500)), "SALT": (Decimal(25), None)}
    assert history == 3  # two first prices, one change


async def test_unknown_vendor_imports_nothing(runtime: Runtime) -> None:
    with pytest.raises(store.UnknownVendor):
        await store.import_csv(runtime.pool, GOOD, vendor_phone="9779800000000")
    assert await _count(runtime, "products") == 0


async def test_export_writes_what_import_reads(runtime: Runtime) -> None:
    await _add_vendor(runtime)
    text = (HEADER.strip() + ",stock\n"
            "SALT,Salt 1kg,packet,nun,staples,25,40\n"
            "SUGAR,Sugar,kg,चिनी|chini,staples,95.5,\n")
    await store.import_csv(runtime.pool, text, vendor_phone="9779801000009")
    async with runtime.pool.acquire() as conn:
        vendor_id = await store.vendor_id_by_phone(conn, "9779801000009")
        exported = await store.export_csv(conn, vendor_id=vendor_id)
        plain = await store.export_csv(conn)
    assert exported.splitlines() == [
        "sku,name,unit,aliases,category,price,stock",
        "SALT,Salt 1kg,packet,nun,staples,25,40",
        "SUGAR,Sugar,kg,chini|चिनी,staples,95.5,",
    ]
    assert plain.splitlines()[0] == "sku,name,unit,aliases,category,price"


async def test_demo_data_loads_with_three_vendors(runtime: Runtime) -> None:
    summary = await load_demo(runtime.pool)
    assert summary.products >= 150 and summary.vendors >= 3
    async with runtime.pool.acquire() as conn:
        per_vendor = await conn.fetch(
            "SELECT vendor_id, count(*) AS n FROM vendor_products GROUP BY vendor_id")
    counts = sorted(r["n"] for r in per_vendor)
    assert len(counts) >= 3 and counts[0] < summary.products  # not every vendor has everything
    again = await load_demo(runtime.pool)
    assert again.products == summary.products


async def test_two_cache_instances_see_an_import_without_restart(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    await bump_version(runtime.redis, runtime.keys)
    web = CatalogCache(runtime.pool, runtime.redis, runtime.keys, check_every=0)
    worker = CatalogCache(runtime.pool, runtime.redis, runtime.keys, check_every=0)
    for cache in (web, worker):
        msg = parse_message("dhara 2 bottle", await cache.index())
        assert [ln.sku for ln in msg.lines] == [None]

    await store.import_csv(runtime.pool, HEADER + "OIL-DHARA,Dhara Oil 1L,bottle,dhara,oil,330\n")
    await bump_version(runtime.redis, runtime.keys)

    for cache in (web, worker):
        msg = parse_message("dhara 2 bottle", await cache.index())
        assert [(ln.sku, ln.qty) for ln in msg.lines] == [("OIL-DHARA", 2)]
    assert web.version == worker.version


async def test_cache_keeps_its_index_until_the_version_moves(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    cache = CatalogCache(runtime.pool, runtime.redis, runtime.keys, check_every=0)
    first = await cache.index()
    assert await cache.index() is first
    await bump_version(runtime.redis, runtime.keys)
    assert await cache.index() is not first


async def test_cache_checks_redis_at_most_once_per_interval(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    cache = CatalogCache(runtime.pool, runtime.redis, runtime.keys, check_every=60)
    first = await cache.index()
    await bump_version(runtime.redis, runtime.keys)
    assert await cache.index() is first  # within the interval: no Redis round trip


async def test_concurrent_callers_share_one_rebuild(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    cache = CatalogCache(runtime.pool, runtime.redis, runtime.keys, check_every=0)
    results = await asyncio.gather(*(cache.index() for _ in range(10)))
    assert all(r is results[0] for r in results)


async def test_an_import_merges_aliases_and_never_drops_one(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, HEADER + "DAL,Musuro Dal,kg,musuro|masoor|red dal|"
                                                  "मसुरो|lentil,pulses,160\n")
    await store.import_csv(runtime.pool, HEADER + "DAL,Musuro Dal,kg,musuro dal,pulses,160\n")
    async with runtime.pool.acquire() as conn:
        dal = (await store.load_catalog(conn)).get("DAL")
    assert dal is not None
    assert set(dal.aliases) == {"musuro", "masoor", "red dal", "मसुरो", "lentil", "musuro dal"}


async def test_a_vendor_price_list_never_renames_the_shared_product(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    await _add_vendor(runtime)
    report = await store.import_csv(
        runtime.pool, HEADER + "SUGAR,Cheap sugar (our brand),packet,sukar,misc,90\n",
        vendor_phone="9779801000009")
    assert report.plan is not None and report.plan.kept_names == ("SUGAR",)
    async with runtime.pool.acquire() as conn:
        sugar = (await store.load_catalog(conn)).get("SUGAR")
    assert sugar is not None
    assert (sugar.name, sugar.unit, sugar.category) == ("Sugar", "kg", "staples")
    assert "sukar" in sugar.aliases


async def test_a_dry_run_shows_the_plan_and_writes_nothing(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, GOOD)
    report = await store.import_csv(
        runtime.pool, GOOD + "OIL,Dhara Oil 1L,bottle,dhara,oil,330\n", dry_run=True)
    assert report.dry_run and report.plan is not None
    assert report.plan.new == ("OIL",)
    assert set(report.plan.unchanged) == {"SUGAR", "SALT"}
    assert await _count(runtime, "products") == 2


async def test_a_price_moving_more_than_30_percent_needs_consent(runtime: Runtime) -> None:
    await _add_vendor(runtime)
    await store.import_csv(runtime.pool, GOOD, vendor_phone="9779801000009")
    tenfold = GOOD.replace(",95\n", ",950\n")
    with pytest.raises(store.PriceChangesNeedConsent) as caught:
        await store.import_csv(runtime.pool, tenfold, vendor_phone="9779801000009")
    assert [(c.sku, c.old, c.new) for c in caught.value.plan.large_price_changes] == [
        ("SUGAR", Decimal(95), Decimal(950))]
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT max(price) FROM vendor_products") == Decimal(95)
    await store.import_csv(runtime.pool, tenfold, vendor_phone="9779801000009",
                           accept_price_changes=True)
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT max(price) FROM vendor_products") == Decimal(950)


async def test_a_small_price_change_goes_through_and_is_listed(runtime: Runtime) -> None:
    await _add_vendor(runtime)
    await store.import_csv(runtime.pool, GOOD, vendor_phone="9779801000009")
    report = await store.import_csv(runtime.pool, GOOD.replace(",95\n", ",99\n"),
                                    vendor_phone="9779801000009")
    assert report.plan is not None
    assert [(c.sku, c.is_large) for c in report.plan.price_changes] == [("SUGAR", False)]


async def test_a_messy_spreadsheet_imports(runtime: Runtime) -> None:
    messy = ("\ufeffProduct Name , SKU,Unit,Price,Notes,Aliases\r\n"
             "Sugar,SUGAR,KG,\"1,250\",from dad,chini\r\n"
             "Salt 1kg,SALT,Packet,Rs 25,,\r\n")
    report = await store.import_csv(runtime.pool, messy)
    assert report.products_created == 2
    assert report.plan is not None and report.plan.ignored_columns == ("Notes",)


async def test_a_pack_column_is_stored_and_exported(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, "sku,name,unit,pack\nN1,Mayos Peti,carton,30 pkt\n")
    async with runtime.pool.acquire() as conn:
        exported = await store.export_csv(conn)
        mayos = (await store.load_catalog(conn)).get("N1")
    assert mayos is not None and mayos.pack == "30 pkt"
    assert exported.splitlines() == ["sku,name,unit,aliases,category,price,pack",
                                     "N1,Mayos Peti,carton,,,,30 pkt"]
