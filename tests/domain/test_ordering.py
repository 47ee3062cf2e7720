"""Order planning is pure: merging lines, choosing and pricing the vendor, saying why not."""

from __future__ import annotations

from decimal import Decimal

from domain import credit, ordering
from domain.ordering import (
    Alternative,
    Item,
    Market,
    NotAllowed,
    Plan,
    Product,
    Refusal,
    ShortLine,
    SplitOffer,
    StockShort,
)
from domain.routing import Candidate, Offer

D = Decimal
AREA = "Kalanki"
PRODUCTS = {"sugar": Product(1, "sugar", "Sugar", "kg"), "rice": Product(2, "rice", "Rice", "bag")}


def vendor(vid: int, name: str, offers: dict[str, tuple[str, str | None]],
           areas: tuple[str, ...] = (AREA,)) -> Candidate:
    return Candidate(vid, name, areas, {sku: Offer(sku, D(price), None if stock is None
                                                   else D(stock))
                                        for sku, (price, stock) in offers.items()})


def market(*vendors: Candidate) -> Market:
    return Market(PRODUCTS, {v.vendor_id: v for v in vendors})


def test_merge_adds_up_repeated_products_and_rounds_to_grams() -> None:
    merged = ordering.merge([Item("sugar", D(2)), Item("rice", D(1)), Item("sugar", D("0.0004"))])
    assert merged == [Item("sugar", D("2.000")), Item("rice", D("1.000"))]


def test_merge_refuses_an_empty_cart_and_bad_quantities() -> None:
    assert ordering.merge([]) == NotAllowed(Refusal.EMPTY, "the order has no items")
    for qty in (D(0), D(-1), D("NaN"), D(100001), D("0.0001")):
        got = ordering.merge([Item("sugar", qty)])
        assert isinstance(got, NotAllowed) and got.code is Refusal.BAD_QTY, qty


def test_refusal_of_names_pending_and_blocked_retailers() -> None:
    assert ordering.refusal_of(credit.RetailerStatus.ACTIVE) is None
    pending = ordering.refusal_of(credit.RetailerStatus.PENDING)
    assert pending is not None and pending.code is Refusal.PENDING
    blocked = ordering.refusal_of(credit.RetailerStatus.BLOCKED)
    assert blocked is not None and blocked.code is Refusal.BLOCKED


def test_plan_prices_every_line_at_the_chosen_vendor() -> None:
    cheap = vendor(1, "Cheap", {"sugar": ("95.50", None), "rice": ("2000", None)})
    dear = vendor(2, "Dear", {"sugar": ("120", None), "rice": ("2500", None)})
    got = ordering.plan(market(cheap, dear), AREA, [Item("sugar", D("2.5")), Item("rice", D(1))],
                        None, 900)
    assert isinstance(got, Plan) and (got.vendor_id, got.vendor_name) == (1, "Cheap")
    assert [(ln.line_no, ln.sku, ln.unit_price, ln.line_total) for ln in got.lines] == [
        (1, "sugar", D("95.50"), D("238.75")), (2, "rice", D("2000"), D("2000.00"))]
    assert got.total == D("2238.75")
    assert [s.vendor_id for s in got.ranking] == [1, 2]


def test_a_vendor_asked_for_is_honoured_even_when_dearer() -> None:
    cheap = vendor(1, "Cheap", {"sugar": ("90", None)})
    dear = vendor(2, "Dear", {"sugar": ("120", None)})
    got = ordering.plan(market(cheap, dear), AREA, [Item("sugar", D(1))], 2, 900)
    assert isinstance(got, Plan) and got.vendor_id == 2
    assert got.explanation == "Dear chosen by the retailer"


def test_a_vendor_asked_for_outside_the_area_is_not_allowed() -> None:
    far = vendor(1, "Far", {"sugar": ("90", None)}, areas=("Pokhara",))
    got = ordering.plan(market(far), AREA, [Item("sugar", D(1))], 1, 900)
    assert isinstance(got, NotAllowed) and got.code is Refusal.VENDOR


def test_a_vendor_asked_for_without_the_stock_names_the_line_and_who_has_it() -> None:
    small = vendor(1, "Small", {"rice": ("1900", "3")})
    big = vendor(2, "Big", {"rice": ("2000", "50")})
    got = ordering.plan(market(small, big), AREA, [Item("rice", D(4))], 1, 900)
    assert got == StockShort((ShortLine("rice", "Rice", "bag", D(4), D(3), 1, "Small"),),
                             (Alternative(2, "Big", D("8000.00")),))


def test_no_vendor_with_a_line_is_a_shortage_of_that_line() -> None:
    only = vendor(1, "Only", {"sugar": ("90", "1")})
    got = ordering.plan(market(only), AREA, [Item("sugar", D(4))], None, 900)
    assert got == StockShort((ShortLine("sugar", "Sugar", "kg", D(4), D(1)),))


def test_a_cart_no_one_vendor_has_is_split_between_vendors() -> None:
    sugar_shop = vendor(1, "Sugar Shop", {"sugar": ("90", None)})
    rice_shop = vendor(2, "Rice Shop", {"rice": ("2000", None)})
    got = ordering.plan(market(sugar_shop, rice_shop), AREA,
                        [Item("sugar", D(2)), Item("rice", D(1))], None, 900)
    assert isinstance(got, SplitOffer)
    assert [(p.vendor_name, [ln.sku for ln in p.lines], p.total) for p in got.parts] == [
        ("Sugar Shop", ["sugar"], D("180.00")), ("Rice Shop", ["rice"], D("2000.00"))]
    assert got.total == D("2180.00")
    assert got.parts[1].items == (Item("rice", D(1)),)


def test_a_quote_for_an_unknown_product_names_it() -> None:
    q = ordering.quote_from(7, D(500), None, market(), AREA, [Item("ghee", D(1))], None, 900)
    assert q.unknown == ("ghee",) and q.lines == () and q.available == D(500)


def test_a_quote_keeps_the_retailers_problem_next_to_the_prices() -> None:
    shop = vendor(1, "Shop", {"sugar": ("100", None)})
    problem = NotAllowed(Refusal.PENDING, "account not approved yet")
    q = ordering.quote_from(7, D(50), problem, market(shop), AREA, [Item("sugar", D(1))],
                            None, 900)
    assert q.problem == problem and q.total == D("100.00")
    assert q.credit_shortfall == D("50.00")
    assert q.vendor_names == ("Shop",) and [ln.sku for ln in q.priced] == ["sugar"]


def test_a_split_quote_prices_every_part_and_names_every_vendor() -> None:
    a = vendor(1, "A", {"sugar": ("90", None)})
    b = vendor(2, "B", {"rice": ("2000", None)})
    q = ordering.quote_from(7, D(0), None, market(a, b), AREA,
                            [Item("sugar", D(1)), Item("rice", D(1))], None, 900)
    assert q.lines == () and q.vendor_names == ("A", "B")
    assert [ln.sku for ln in q.priced] == ["sugar", "rice"] and q.total == D("2090.00")


def test_short_of_credit_carries_the_plans_unit_prices() -> None:
    shop = vendor(1, "Shop", {"sugar": ("100", None)})
    chosen = ordering.plan(market(shop), AREA, [Item("sugar", D(5))], None, 900)
    assert isinstance(chosen, Plan)
    decision = credit.decide(credit.CreditPosition(D(300), D(0), D(0)), chosen.total)
    short = ordering.short_of_credit(decision, chosen)
    assert (short.shortfall, short.available, short.total) == (D("200.00"), D("300.00"),
                                                               D("500.00"))
    assert short.prices == {"sugar": D(100)}
    # The prices are a help for a smaller order, not part of what the refusal is.
    assert short == ordering.CreditShort(D("200.00"), D("300.00"), D("500.00"))
