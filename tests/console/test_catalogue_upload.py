"""Catalogue upload: the dry run reports bad rows by line, and nothing is written until applied."""

from __future__ import annotations

from decimal import Decimal

import aiohttp
import pytest

from bot.runtime import Runtime
from bot.services import catalogue_upload
from bot.services.operator_actions import ActionError
from tests.console.conftest import Client, ConsoleServer, add_operator, csrf_of

VENDOR = "9779801000301"
GOOD = ("sku,name,unit,aliases,category,price\n"
        "SUGAR-KG,Sugar (Loose),kg,chini|चिनी,sugar,95\n"
        "DAL-MUSURO-KG,Musuro Dal,kg,musuro,dal,160\n")
BAD = GOOD + "OIL-1L,Sunflower Oil 1L,litre,tel,oil,abc\n"


async def products(runtime: Runtime) -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM products"))


async def add_vendor(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute("INSERT INTO vendors (phone, name, areas) VALUES ($1, 'Shrestha', $2)",
                           VENDOR, ["Kathmandu"])


async def test_a_bad_row_is_reported_by_its_line_and_nothing_is_kept(runtime: Runtime) -> None:
    checked = await catalogue_upload.check(runtime, BAD, filename="list.csv", vendor_phone=None)
    assert not checked.ok and checked.token is None
    assert [e.line for e in checked.errors] == [4]
    assert "price" in checked.errors[0].message
    assert await products(runtime) == 0


async def test_the_dry_run_writes_nothing_until_applied(runtime: Runtime) -> None:
    checked = await catalogue_upload.check(runtime, GOOD, filename="list.csv", vendor_phone=None)
    assert checked.ok and checked.token
    assert checked.report is not None and checked.report.plan is not None
    assert checked.report.plan.new == ("SUGAR-KG", "DAL-MUSURO-KG")
    assert await products(runtime) == 0

    report = await catalogue_upload.apply(runtime, checked.token, accept_price_changes=False,
                                          actor="console:sita")
    assert report.products_created == 2
    assert await products(runtime) == 2
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'catalogue.import'") == 1
    # The token is spent: applying twice is refused, not imported twice.
    with pytest.raises(ActionError):
        await catalogue_upload.apply(runtime, checked.token, accept_price_changes=False,
                                     actor="console:sita")


async def test_a_large_price_change_needs_consent(runtime: Runtime) -> None:
    await add_vendor(runtime)
    first = await catalogue_upload.check(runtime, GOOD, filename="a.csv", vendor_phone=VENDOR)
    assert first.token
    await catalogue_upload.apply(runtime, first.token, accept_price_changes=False, actor="t")
    tenfold = GOOD.replace(",95\n", ",950\n")
    second = await catalogue_upload.check(runtime, tenfold, filename="b.csv", vendor_phone=VENDOR)
    assert second.report is not None and second.report.plan is not None
    assert [c.sku for c in second.report.plan.large_price_changes] == ["SUGAR-KG"]
    assert second.token
    with pytest.raises(ActionError) as refused:
        await catalogue_upload.apply(runtime, second.token, accept_price_changes=False,
                                     actor="t")
    assert refused.value.status == 409
    await catalogue_upload.apply(runtime, second.token, accept_price_changes=True, actor="t")
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT vp.price FROM vendor_products vp JOIN products p ON p.id = vp.product_id "
            "WHERE p.sku = 'SUGAR-KG'") == Decimal("950.00")


async def test_an_unknown_vendor_is_refused_clearly(runtime: Runtime) -> None:
    with pytest.raises(ActionError) as refused:
        await catalogue_upload.check(runtime, GOOD, filename="a.csv", vendor_phone="9779800000000")
    assert refused.value.status == 422 and "add the vendor first" in refused.value.message


# ---------------------------------------------------------------- the page


async def upload(client: Client, text: str | bytes, vendor: str = "") -> tuple[int, str]:
    _, page, _ = await client.get("/console/catalogue")
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf_of(page))
    form.add_field("vendor", vendor)
    form.add_field("file", text.encode() if isinstance(text, str) else text,
                   filename="prices.csv", content_type="text/csv")
    async with client.http.post(client.base + "/console/catalogue/check", data=form,
                                allow_redirects=True) as r:
        return r.status, await r.text()


async def test_the_page_shows_the_bad_line_and_offers_no_apply(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await client.login("sita")
    status, html = await upload(client, BAD)
    assert status == 422
    assert 'id="row-errors"' in html and ">4<" in html and 'id="apply"' not in html
    assert await products(console.runtime) == 0


async def test_the_page_applies_a_checked_file(console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await client.login("sita")
    status, html = await upload(client, GOOD)
    assert status == 200 and "SUGAR-KG" in html and 'id="apply"' in html
    assert await products(console.runtime) == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    status, html, _ = await client.post("/console/catalogue/apply",
                                        {"csrf_token": csrf_of(html), "token": token},
                                        follow=True)
    assert status == 200 and "Imported: 2 new" in html
    assert await products(console.runtime) == 2


async def test_a_file_that_is_not_utf8_gets_a_clear_message(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await client.login("sita")
    status, html = await upload(client, b"sku,name\n\xff\xfe")
    assert status == 200 and "not UTF-8" in html
