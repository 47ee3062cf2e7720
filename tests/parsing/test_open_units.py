"""Units are open: any unit word a catalogue uses loads, and is read back in orders."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.store import catalog as store
from domain.catalog import parse_catalog_csv
from domain.ordertext import QtyNote, parse_message
from tests.parsing.conftest import index_from_csv

HEADER = "sku,name,unit,aliases,category,price\n"
SHEET = (HEADER
         + "PAPER-A4,A4 Paper,Ream,kagaj|paper,stationery,550\n"
         + "TAPE-CELLO,Cello Tape,roll,tape,stationery,40\n"
         + "SPRITE-CAN,Sprite Can 300ml,kan,sprite,drinks,60\n"
         + "EGG-TRAY,Eggs Tray (30 pcs),Tray,anda|egg,dairy,450\n"
         + "RICE-25,Jeera Masino Rice 25kg,BORA,jeera masino,rice,2400\n"
         + "PEN-DZ,Blue Pen,dozen,pen|kalam,stationery,120\n")


def test_units_outside_any_list_load_as_labels() -> None:
    got = parse_catalog_csv(SHEET)
    assert got.ok, got.errors
    assert [r.product.unit for r in got.rows] == ["ream", "roll", "can", "tray", "bag", "dozen"]


@pytest.mark.parametrize("name", ["dev_catalog.csv", "dev_catalog2.csv"])
def test_both_shared_eval_catalogues_load(shared_dir: Path, name: str) -> None:
    path = shared_dir / "eval" / name
    if not path.is_file():
        pytest.skip("no shared eval set")
    got = parse_catalog_csv(path.read_text(encoding="utf-8"))
    assert got.ok, got.errors


def test_a_label_unit_in_an_order_is_matched_literally() -> None:
    index = index_from_csv(SHEET)
    line, = parse_message("kagaj 5 ream", index).lines
    assert (line.sku, line.qty, line.unit) == ("PAPER-A4", Decimal(5), "ream")


def test_pieces_of_a_tray_product_are_trays() -> None:
    line, = parse_message("anda 60 ota", index_from_csv(SHEET)).lines
    assert (line.sku, line.qty) == ("EGG-TRAY", Decimal(2))


def test_pieces_that_are_not_whole_trays_ask_for_the_quantity() -> None:
    line, = parse_message("anda 45 ota", index_from_csv(SHEET)).lines
    assert line.sku == "EGG-TRAY" and line.qty is None
    assert line.qty_note is QtyNote.NOT_WHOLE


def test_packets_of_a_per_dozen_product_are_dozens() -> None:
    line, = parse_message("pen 24 packet", index_from_csv(SHEET)).lines
    assert (line.sku, line.qty) == ("PEN-DZ", Decimal(2))


def test_kilograms_of_a_bag_are_bags_and_a_quintal_is_a_hundred_kg() -> None:
    index = index_from_csv(SHEET)
    assert [(ln.sku, ln.qty) for ln in parse_message("jeera masino 50 kg", index).lines] == [
        ("RICE-25", Decimal(2))]
    assert [(ln.sku, ln.qty) for ln in parse_message("jeera masino 1 quintal", index).lines] == [
        ("RICE-25", Decimal(4))]


async def test_a_label_unit_is_stored_and_read_back(runtime: Runtime) -> None:
    await store.import_csv(runtime.pool, SHEET)
    async with runtime.pool.acquire() as conn:
        catalog = await store.load_catalog(conn)
    paper = catalog.get("PAPER-A4")
    assert paper is not None and paper.unit == "ream"


def test_a_pack_column_gives_contents_the_name_does_not() -> None:
    index = index_from_csv("sku,name,unit,aliases,category,price,pack\n"
                           "NOODLE-CTN,Mayos Noodles Peti,carton,mayos,noodles,600,30 pkt\n")
    line, = parse_message("mayos 90 packet", index).lines
    assert (line.sku, line.qty) == ("NOODLE-CTN", Decimal(3))
