"""Invoice figures: VAT-inclusive prices split into taxable value and 13 % VAT, numbers, PAN."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.invoice import PanError, SoldLine, document_number, figures, read_pan, split_vat
from domain.nepali_calendar import FiscalYear

D = Decimal
money = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


def test_vat_is_the_13_percent_inside_a_vat_inclusive_total() -> None:
    assert split_vat(D("1130.00")) == (D("1000.00"), D("130.00"))
    assert split_vat(D("1750.00")) == (D("1548.67"), D("201.33"))


@given(money)
def test_taxable_value_and_vat_add_up_to_the_total_exactly(total: Decimal) -> None:
    taxable, vat = split_vat(total)
    assert taxable + vat == total
    assert abs(vat - taxable * D("0.13")) <= D("0.01")


@given(st.lists(st.tuples(money, st.integers(min_value=1, max_value=50)), min_size=1,
                max_size=12))
def test_printed_lines_add_up_to_the_subtotal_and_subtotal_plus_vat_to_the_total(
        lines: list[tuple[Decimal, int]]) -> None:
    sold = [SoldLine(f"item {i}", "kg", D(q), amount) for i, (amount, q) in enumerate(lines)]
    f = figures(sold, vat_registered=True)
    assert sum(ln.amount for ln in f.lines) == f.subtotal
    assert f.subtotal + f.vat == f.total == sum(amount for amount, _ in lines)


def test_a_seller_not_vat_registered_prints_the_lines_as_ordered_and_no_vat() -> None:
    f = figures([SoldLine("sugar", "kg", D(10), D("1150"))], vat_registered=False)
    assert f.vat == 0 and f.subtotal == f.total == D("1150")
    assert f.lines[0].rate == D("115.00") and f.lines[0].amount == D("1150")


def test_document_numbers_name_the_fiscal_year_and_run_from_one() -> None:
    assert document_number(FiscalYear(2081), 42) == "2081/82-00042"
    with pytest.raises(ValueError):
        document_number(FiscalYear(2081), 0)


@pytest.mark.parametrize(("text", "pan"), [("601234567", "601234567"),
                                          ("६०१ २३४ ५६७", "601234567"),
                                          ("601-234-567", "601234567")])
def test_a_pan_is_nine_digits_in_either_script(text: str, pan: str) -> None:
    assert read_pan(text) == pan


@pytest.mark.parametrize("text", ["60123456", "6012345678", "PAN601234", "", "٦٠١٢٣٤٥٦٧"])
def test_anything_else_is_not_a_pan(text: str) -> None:
    with pytest.raises(PanError):
        read_pan(text)
