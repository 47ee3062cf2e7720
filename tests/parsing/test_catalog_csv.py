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


def test_a_spreadsheet_as_people_save_it_reads() -> None:
    text = ("\ufeff Price ,SKU,name,UNIT,Aliases,Supplier,category\r\n"
            "\"1,250\",S1,Sugar 50kg Bag,Bag,chini bora,Ram Traders,staples\r\n"
            "Rs 95,S2,Salt,PKT,,Ram Traders,staples\r\n"
            "रु ९५,S3,Oil,ltr,tel|,Hari,oil\r\n"
            "95.00,S4,Dal,kg,,,pulses\r\n"
            "\"12,50,000\",S5,Truck of rice,truck,,,rice\r\n")
    got = parse_catalog_csv(text)
    assert got.ok, got.errors
    assert [r.price for r in got.rows] == [Decimal(1250), Decimal(95), Decimal(95),
                                           Decimal("95.00"), Decimal(1250000)]
    assert [r.product.unit for r in got.rows] == ["bag", "packet", "litre", "kg", "truck"]
    assert got.rows[2].product.aliases == ("tel",)
    assert got.ignored_columns == ("Supplier",)


def test_an_ambiguous_comma_in_a_price_is_refused_not_guessed() -> None:
    got = parse_catalog_csv(HEADER + "S1,Sugar,kg,,staples,\"12,50\"\n")
    assert [(e.line, "ambiguous" in e.message) for e in got.errors] == [(2, True)]


def test_a_missing_required_column_is_one_error_naming_it() -> None:
    got = parse_catalog_csv("sku,name,price\nS1,Sugar,95\n")
    assert [e.line for e in got.errors] == [1] and "unit" in got.errors[0].message


def test_a_pack_column_is_read() -> None:
    got = parse_catalog_csv("sku,name,unit,pack\nN1,Noodles box,carton,30 pkt\n")
    assert got.ok and got.rows[0].product.pack == "30 pkt"
