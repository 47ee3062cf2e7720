"""`khaacho catalog import` end to end: a vendor's messy spreadsheet through the real CLI.

The file is what a wholesaler's laptop exports: a BOM, CRLF line ends, headers in another
order and case with stray spaces, a column we do not read, prices written `Rs 99`,
`रु ४०` and `"1,250"`. The CLI runs against the real Postgres and Redis of this run.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import Settings
from bot.db import connect
from bot.runtime import Runtime
from bot.store import catalog as store
from domain.catalog import Catalog

VENDOR = "9779801000009"
FIRST = ("sku,name,unit,aliases,category,price\n"
         "SUGAR,Sugar,kg,chini,staples,95\n"
         "SALT,Salt 1kg,packet,nun,staples,25\n"
         "OIL,Dhara Oil 1L,bottle,dhara,oil,300\n"
         "DAL,Musuro Dal,kg,musuro,pulses,160\n")
# SUGAR moves 4% (and gains an alias), SALT 60% (रु ४० from 25), DAL is unchanged,
# RICE is new, OIL is no longer on the list.
MESSY = ("\ufeff Price ,Product Name, SKU ,UNIT,Notes,Aliases\r\n"
         "Rs 99,Sugar,SUGAR,KG,from dad,chini|cheeni\r\n"
         "रु ४०,Salt 1kg,SALT,Packet,,nun\r\n"
         "160.00,Musuro Dal,DAL,kg,,\r\n"
         "\"1,250\",Jeera Masino Rice 25kg,RICE,Bora,new this month,chamal\r\n")


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", settings.redis_key_prefix)


@pytest.fixture
async def listed(runtime: Runtime) -> Runtime:
    """A vendor whose first price list is already in."""
    async with runtime.pool.acquire() as conn:
        await conn.execute("INSERT INTO vendors (phone, name, areas) "
                           "VALUES ($1, 'Test Traders', '{Kathmandu}')", VENDOR)
    await store.import_csv(runtime.pool, FIRST, vendor_phone=VENDOR)
    return runtime


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "price list.csv"
    path.write_bytes(MESSY.encode("utf-8"))
    return path


async def _read_state(url: str) -> tuple[dict[str, Decimal], set[str], int]:
    conn = await connect(url)
    try:
        prices = {r["sku"]: r["price"] for r in await conn.fetch(
            "SELECT p.sku, vp.price FROM vendor_products vp "
            "JOIN products p ON p.id = vp.product_id")}
        skus = {r["sku"] for r in await conn.fetch("SELECT sku FROM products")}
        history = int(await conn.fetchval("SELECT count(*) FROM vendor_price_history"))
    finally:
        await conn.close()
    return prices, skus, history


def _state(rt: Runtime) -> tuple[dict[str, Decimal], set[str], int]:
    """(vendor prices by SKU, product SKUs, price-history rows): what an import may change.

    The tests are plain functions because the CLI runs its own event loop, so the
    database is read over a connection of a loop of its own.
    """
    return asyncio.run(_read_state(rt.settings.database_url))


async def _catalog(url: str) -> Catalog:
    conn = await connect(url)
    try:
        return await store.load_catalog(conn)
    finally:
        await conn.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["catalog", "import", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_dry_run_lists_new_updated_removed_and_flags_big_price_moves(
        listed: Runtime, cli_env: None, messy: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = _state(listed)
    code, out, _ = _run(capsys, str(messy), "--vendor", VENDOR, "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert "new (1): RICE" in lines
    assert "updated (1): SUGAR" in lines
    assert "not in this file (kept) (1): OIL" in lines
    assert "price SUGAR: 95 -> 99 (4%)" in lines
    assert "price SALT: 25 -> 40 (60%)  (over 30%)" in lines
    assert "ignored columns: Notes" in lines
    assert lines[-1] == f"dry run of {messy}: nothing written"
    assert _state(listed) == before


def test_a_big_price_move_without_consent_fails_and_imports_nothing(
        listed: Runtime, cli_env: None, messy: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = _state(listed)
    code, out, err = _run(capsys, str(messy), "--vendor", VENDOR)
    assert code == 1
    assert f"{messy}: price SALT: 25 -> 40 (60%)  (over 30%)" in err.splitlines()
    assert "SUGAR" not in err  # a 4% move is not one to confirm
    assert "--accept-price-changes" in err
    assert "imported" not in out
    assert _state(listed) == before


def test_with_consent_the_messy_list_goes_in_whole(
        listed: Runtime, cli_env: None, messy: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, _, history = _state(listed)
    code, out, err = _run(capsys, str(messy), "--vendor", VENDOR, "--accept-price-changes")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith(f"imported {messy}: 1 new, ")
    prices, skus, history_after = _state(listed)
    assert prices == {"SUGAR": Decimal(99), "SALT": Decimal(40), "DAL": Decimal(160),
                      "OIL": Decimal(300), "RICE": Decimal(1250)}  # OIL kept, not dropped
    assert "RICE" in skus
    assert history_after == history + 3  # SUGAR and SALT moved, RICE priced for the first time
    catalog = asyncio.run(_catalog(listed.settings.database_url))
    sugar, rice = catalog.get("SUGAR"), catalog.get("RICE")
    assert sugar is not None and set(sugar.aliases) == {"chini", "cheeni"}
    assert rice is not None and rice.unit == "bag"  # "Bora" is read as its canonical unit


def test_each_bad_row_is_reported_with_its_line_and_nothing_is_imported(
        listed: Runtime, cli_env: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes((MESSY
                     + "Rs 10,No Sku,,pcs,,\r\n"              # line 6: no SKU
                     + "\"12,50\",Biscuit,BISC,pkt,,\r\n"       # line 7: 12,50 is not a price
                     + "Rs 30,Oil,OIL2,,,\r\n"                # line 8: no unit
                     + "-5,Dal again,DAL,kg,,\r\n").encode())  # line 9: negative, repeated
    before = _state(listed)
    code, out, err = _run(capsys, str(bad), "--vendor", VENDOR, "--accept-price-changes")
    assert code == 1
    reported = [ln for ln in err.splitlines() if ln.startswith(f"{bad}: line ")]
    # line 9 is wrong twice (a negative price, a SKU already in the file): both are said
    assert sorted({ln.split(":")[1].strip() for ln in reported}) == [
        "line 6", "line 7", "line 8", "line 9"]
    assert len([ln for ln in reported if ": line 9:" in ln]) == 2
    assert all(len(ln.split(":", 2)[2].strip()) > 3 for ln in reported)  # each says why
    assert "imported" not in out
    assert _state(listed) == before
