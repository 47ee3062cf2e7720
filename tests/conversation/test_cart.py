"""The cart's pure operations: merging, removal by shown number, quantity changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import cart as carts
from domain.cart import CartError, CartLine

SKUS = ["SUGAR-KG", "RICE-SONA-30", "NOODLE-WAIWAI", "OIL-1L", "SALT-1KG"]

qtys = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(500), places=1)
lines = st.builds(lambda sku, q: CartLine(sku, sku.title(), "kg", q), st.sampled_from(SKUS), qtys)


@given(st.lists(lines, max_size=20))
def test_adding_never_makes_two_lines_for_one_product(items: list[CartLine]) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    assert len({line.sku for line in cart}) == len(cart)


@given(st.lists(lines, max_size=20))
def test_adding_keeps_the_total_quantity_of_each_product(items: list[CartLine]) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    for line in cart:
        assert line.qty == sum((i.qty for i in items if i.sku == line.sku), Decimal(0))


@given(st.lists(lines, max_size=20))
def test_lines_keep_the_order_products_were_first_asked_for(items: list[CartLine]) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    first_seen = list(dict.fromkeys(i.sku for i in items))
    assert [line.sku for line in cart] == first_seen


@given(st.lists(lines, min_size=1, max_size=10), st.data())
def test_remove_drops_exactly_the_numbered_line(items: list[CartLine], data: st.DataObject) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    n = data.draw(st.integers(min_value=1, max_value=len(cart)))
    after = carts.remove(cart, n)
    assert len(after) == len(cart) - 1
    assert cart[n - 1] not in after
    assert list(after) == [line for i, line in enumerate(cart, 1) if i != n]


@given(st.lists(lines, max_size=5), st.integers())
def test_remove_outside_the_cart_is_refused(items: list[CartLine], n: int) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    if 1 <= n <= len(cart):
        return
    with pytest.raises(CartError):
        carts.remove(cart, n)


@given(st.lists(lines, min_size=1, max_size=10), qtys, st.data())
def test_set_qty_replaces_only_that_product(
    items: list[CartLine], qty: Decimal, data: st.DataObject
) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    target = data.draw(st.sampled_from(cart))
    after = carts.set_qty(cart, target.sku, qty)
    assert [line.sku for line in after] == [line.sku for line in cart]
    for old, new in zip(cart, after, strict=True):
        assert new.qty == (qty if old.sku == target.sku else old.qty)


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal(10**7)])
def test_nonsense_quantities_are_refused(bad: Decimal) -> None:
    cart = (CartLine("SUGAR-KG", "Sugar", "kg", Decimal(1)),)
    with pytest.raises(CartError):
        carts.set_qty(cart, "SUGAR-KG", bad)


def test_clear_empties_any_cart() -> None:
    cart = (CartLine("SUGAR-KG", "Sugar", "kg", Decimal(1)),)
    assert carts.clear(cart) == ()


prices = st.dictionaries(st.sampled_from(SKUS),
                         st.decimals(min_value=Decimal(1), max_value=Decimal(5000), places=2))
budgets = st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=2)


@given(st.lists(lines, max_size=10), prices, budgets)
def test_fit_budget_costs_no_more_than_the_budget(
    items: list[CartLine], price: dict[str, Decimal], budget: Decimal
) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    fitted = carts.fit_budget(cart, price, budget)
    assert sum((ln.qty * price.get(ln.sku, Decimal(0)) for ln in fitted), Decimal(0)) <= budget


@given(st.lists(lines, max_size=10), prices, budgets)
def test_fit_budget_only_shrinks_and_keeps_the_order(
    items: list[CartLine], price: dict[str, Decimal], budget: Decimal
) -> None:
    cart = carts.add_all(carts.EMPTY, items)
    fitted = carts.fit_budget(cart, price, budget)
    before = {ln.sku: ln.qty for ln in cart}
    assert [ln.sku for ln in fitted] == [ln.sku for ln in cart if ln.sku in
                                        {f.sku for f in fitted}]
    assert all(ln.qty <= before[ln.sku] for ln in fitted)


def test_fit_budget_drops_the_last_lines_first() -> None:
    cart = (CartLine("SUGAR-KG", "Sugar", "kg", Decimal(10)),
            CartLine("RICE-SONA-25", "Sona", "bag", Decimal(2)))
    fitted = carts.fit_budget(cart, {"SUGAR-KG": Decimal(98), "RICE-SONA-25": Decimal(2250)},
                              Decimal(1000))
    assert fitted == (cart[0],)


def test_fit_budget_offers_a_later_line_when_the_first_is_too_dear() -> None:
    cart = (CartLine("RICE-SONA-25", "Sona", "bag", Decimal(2)),
            CartLine("SUGAR-KG", "Sugar", "kg", Decimal(5)))
    fitted = carts.fit_budget(cart, {"SUGAR-KG": Decimal(98), "RICE-SONA-25": Decimal(2250)},
                              Decimal(1000))
    assert fitted == (cart[1],)


def test_fit_budget_cuts_a_line_to_the_whole_units_that_fit() -> None:
    cart = (CartLine("SUGAR-KG", "Sugar", "kg", Decimal(10)),)
    fitted = carts.fit_budget(cart, {"SUGAR-KG": Decimal(98)}, Decimal(500))
    assert fitted == (CartLine("SUGAR-KG", "Sugar", "kg", Decimal(5)),)
