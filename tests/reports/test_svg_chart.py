"""Charts drawn as SVG on the server: well-formed XML, every value drawn, names escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.svg_chart import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"

def parse(svg: str) -> ET.Element:
    """Our own chart output (not untrusted input) as an element tree."""
    return ET.fromstring(svg)  # noqa: S314



def test_a_bar_chart_is_an_svg_document_with_one_bar_per_value() -> None:
    svg = bar_chart("GMV", ["w1", "w2", "w3"],
                    [Series("Kathmandu", (Decimal("1200.50"), Decimal(0), Decimal(900))),
                     Series("Pokhara", (Decimal(10), Decimal(20), Decimal(30)))])
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 6
    assert root.find(f"{SVG}title").text == "GMV"  # type: ignore[union-attr]


def test_a_taller_value_draws_a_taller_bar() -> None:
    svg = bar_chart("x", ["a", "b"], [Series("s", (Decimal(10), Decimal(40)))])
    heights = [float(r.get("height", "0")) for r in parse(svg).iter(f"{SVG}rect")
               if r.find(f"{SVG}title") is not None]
    assert heights[1] == pytest.approx(4 * heights[0])


def test_a_line_chart_draws_a_polyline_and_a_dot_per_value() -> None:
    svg = line_chart("Orders", ["a", "b", "c", "d"], [Series("all", (1, 5, 3, 0))])
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    assert len(list(root.iter(f"{SVG}circle"))) == 4


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart("x", ["a", "b", "c"], [Series("s", (1, 2))])


@given(st.lists(st.text(max_size=20), min_size=1, max_size=6),
       st.text(max_size=30), st.booleans())
def test_any_names_give_well_formed_svg(names: list[str], title: str, stacked: bool) -> None:
    # Area, shop and vendor names come from users: markup in them must stay text.
    clean = ["".join(ch for ch in n if ch.isprintable()) for n in names]
    title = "".join(ch for ch in title if ch.isprintable())
    values = tuple(Decimal(i * 7) for i in range(len(clean)))
    for chart in (bar_chart(title, clean, [Series(clean[0], values)], stacked=stacked),
                  line_chart(title, clean, [Series(clean[0], values)])):
        root = parse(chart)
        assert root.find(f"{SVG}title").text in (title, None)  # type: ignore[union-attr]


def test_an_empty_chart_still_renders() -> None:
    parse(bar_chart("nothing yet", [], []))
    parse(line_chart("nothing yet", [], []))
