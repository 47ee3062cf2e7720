"""The catalogue CSV: all-or-nothing validation naming every bad line."""

from __future__ import annotations

from decimal import Decimal

from domain.catalog import parse_catalog_csv, write_catalog_csv

HEADER = "sku,name,unit,aliases,category,price\n"


def test_a_good_file_reads_products_prices_and_aliases() -> None:
    got = parse_catalog_csv(HEADER + "S1,Sugar,kg,chini| cheeni |चिनी,staples,95.50\n")
    assert got.ok
    row = got.rows[0]
    assert row.product.aliases == ("chini", "cheeni", "चिनी")
    assert row.price == Decimal("95.50")
    assert row.stock is None


def test_price_is_optional() -> None:
    got = parse_catalog_csv(HEADER + "S1,Sugar,kg,,staples,\n")
    assert got.ok and got.rows[0].price is None


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    text = (HEADER
            + "S1,Sugar,kg,chini,staples,95\n"      # 2 fine
            + ",Salt,packet,nun,staples,25\n"       # 3 missing sku
            + "S3,Oil,250,tel,oil,300\n"            # 4 a number is not a unit
            + "S4,Rice,bag,chamal,rice,-5\n"        # 5 negative price
            + "S5,Dal,kg,dal,pulses,cheap\n"        # 6 not a number
            + "S1,Sugar again,kg,,staples,90\n")    # 7 duplicate sku
    got = parse_catalog_csv(text)
    assert not got.ok
    by_line = {e.line: e.message for e in got.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert "missing sku" in by_line[3]
    assert "250" in by_line[4]
    assert "negative" in by_line[5]
    assert "not a number" in by_line[6]
    assert "duplicate sku S1" in by_line[7] and "line 2" in by_line[7]


def test_a_wrong_header_is_one_error_on_line_one() -> None:
    got = parse_catalog_csv("code,title\nS1,Sugar\n")
    assert [e.line for e in got.errors] == [1]


def test_an_empty_file_is_an_error() -> None:
    assert not parse_catalog_csv("").ok
    assert not parse_catalog_csv(HEADER).ok


def test_stock_column_is_read_when_present() -> None:
    got = parse_catalog_csv(HEADER.strip() + ",stock\nS1,Sugar,kg,,staples,95,120.5\n")
    assert got.has_stock_column and got.rows[0].stock == Decimal("120.5")


def test_negative_stock_is_refused() -> None:
    got = parse_catalog_csv(HEADER.strip() + ",stock\nS1,Sugar,kg,,staples,95,-1\n")
    assert [e.line for e in got.errors] == [2]


def test_export_reads_back_to_the_same_rows() -> None:
    text = HEADER + 'S1,"Rice, Sona 25kg",bag,sona|सोना,rice,2300\nS2,Salt,packet,,staples,\n'
    first = parse_catalog_csv(text)
    again = parse_catalog_csv(write_catalog_csv(first.rows))
    assert [r.product for r in again.rows] == [r.product for r in first.rows]
    assert [r.price for r in again.rows] == [r.price for r in first.rows]


def test_unit_synonyms_are_stored_as_canonical_units() -> None:
    got = parse_catalog_csv(HEADER + "S1,Rice,bora,,rice,\n")
    assert got.rows[0].product.unit == "bag"
