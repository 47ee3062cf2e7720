"""Reading messages: one behaviour per test, on small catalogues written here."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digits import to_devanagari
from domain.ordertext import Intent, ParsedMessage, parse_message
from domain.resolver import CatalogIndex, LineStatus
from tests.parsing.conftest import index_from_csv

CATALOG = """sku,name,unit,aliases,category,price
RICE-MANSULI,Mansuli Rice 25kg,bag,mansuli|मन्सुली,rice,
RICE-JEERA,Jeera Masino Rice 25kg,bag,jeera masino,rice,
SPICE-JEERA,Jeera,kg,jeera|jira|जिरा,spices,
SUGAR,Sugar,kg,chini|चिनी,sugar,
SALT,Salt 1kg,packet,nun|नुन,salt,
OIL-DHARA-1,Dhara Mustard Oil 1L,bottle,dhara,oil,
OIL-DHARA-15,Dhara Mustard Oil 15L Tin,tin,dhara tin,oil,
COKE-500,Coca-Cola 500ml,bottle,coke,beverages,
COKE-1500,Coca-Cola 1.5L,bottle,coke,beverages,
LUX,Lux Soap 100g,piece,lux,soap,
MAGGI-PKT,Maggi Noodles 70g,packet,maggi,noodles,
MAGGI-CTN,Maggi Noodles Carton (48 pcs),carton,maggi,noodles,
DAL-MAS,Mas Dal,kg,mas,pulses,
DAL-MUSURO,Musuro Dal,kg,musuro,pulses,
METHI,Methi 100g,packet,methi,spices,
"""


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return index_from_csv(CATALOG)


def picks(msg: ParsedMessage) -> list[tuple[str | None, Decimal | None]]:
    return [(ln.sku, ln.qty) for ln in msg.lines]


def one(text: str, index: CatalogIndex) -> tuple[str | None, Decimal | None]:
    msg = parse_message(text, index)
    assert msg.intent is Intent.ORDER, msg
    assert len(msg.lines) == 1, msg.lines
    return msg.lines[0].sku, msg.lines[0].qty


# -- splitting ------------------------------------------------------------------

@pytest.mark.parametrize("sep", ["\n", ", ", "; ", " + ", " ra ", " ani ", " and ", " र ", " अनि "])
def test_lines_split_on_separators_and_connectors(index: CatalogIndex, sep: str) -> None:
    msg = parse_message(f"chini 5 kg{sep}nun 2 pkt", index)
    assert picks(msg) == [("SUGAR", 5), ("SALT", 2)]


def test_bullets_and_numbering_are_not_quantities(index: CatalogIndex) -> None:
    msg = parse_message("1. chini 5 kg\n2) nun 2 pkt\n• lux 3 pcs\n- maggi 4 pkt", index)
    assert picks(msg) == [("SUGAR", 5), ("SALT", 2), ("LUX", 3), ("MAGGI-PKT", 4)]


@pytest.mark.parametrize("text", ["chini -5 kg", "chini −5 kg", "chini -5", "chini -5kg"])
def test_a_minus_sign_keeps_the_quantity_negative_for_the_conversation_to_refuse(
        text: str, index: CatalogIndex) -> None:
    assert one(text, index) == ("SUGAR", Decimal(-5))


@given(st.integers(1, 999))
def test_a_negative_quantity_never_reads_as_the_positive_one(n: int) -> None:
    msg = parse_message(f"chini -{n} kg", index_from_csv(CATALOG))
    assert all(ln.qty is None or ln.qty < 0 for ln in msg.lines), msg.lines


def test_items_without_separators_are_cut_between_quantities(index: CatalogIndex) -> None:
    msg = parse_message("chini 5 kg nun 2 pkt lux 3 pcs", index)
    assert picks(msg) == [("SUGAR", 5), ("SALT", 2), ("LUX", 3)]


def test_quantity_first_items_without_separators(index: CatalogIndex) -> None:
    assert picks(parse_message("5 kg chini 2 pkt nun", index)) == [("SUGAR", 5), ("SALT", 2)]


# -- quantities -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "qty"),
    [("lux x2", 2), ("lux 2x", 2), ("lux *2", 2), ("lux x 2", 2), ("2 lux", 2),
     ("chini 10kg", 10), ("chini १० केजी", 10), ("chini das kg", 10), ("chini दश केजी", 10),
     ("chini 1/2 kg", Decimal("0.5")), ("chini aadha kg", Decimal("0.5")),
     ("chini dedh kg", Decimal("1.5")), ("chini adhai kg", Decimal("2.5")),
     ("chini 2.5 kg", Decimal("2.5")), ("chini pachas kg", 50), ("chini 1 1/2 kg", Decimal("1.5"))],
)
def test_quantity_forms(index: CatalogIndex, text: str, qty: Decimal) -> None:
    assert one(text, index)[1] == qty


_WORDS = {1: ["ek", "एक"], 2: ["dui", "दुई"], 4: ["char", "चार"], 5: ["panch", "पाँच"],
          10: ["das", "दश"], 12: ["bara"], 20: ["bis", "बीस"], 50: ["pachas", "पचास"]}


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["digits", "devanagari", "word"]),
       st.booleans(), st.data())
def test_any_quantity_in_any_form_reads_back_in_a_message(
        index: CatalogIndex, n: int, form: str, qty_first: bool, data: st.DataObject) -> None:
    if form == "word" and n in _WORDS:
        written = data.draw(st.sampled_from(_WORDS[n]))
    elif form == "devanagari":
        written = to_devanagari(str(n))
    else:
        written = str(n)
    text = f"{written} kg chini" if qty_first else f"chini {written} kg"
    assert one(text, index) == ("SUGAR", n)


def test_quantity_attached_to_a_unit(index: CatalogIndex) -> None:
    assert one("maggi 2ctn", index) == ("MAGGI-CTN", 2)


def test_no_quantity_reads_as_none(index: CatalogIndex) -> None:
    assert one("chini", index) == ("SUGAR", None)


# -- units and conversions --------------------------------------------------------

def test_dozen_is_twelve_pieces(index: CatalogIndex) -> None:
    assert one("2 dozen lux", index) == ("LUX", 24)
    assert one("lux 1 darjan", index) == ("LUX", 12)


def test_litres_become_bottles_of_the_one_litre_pack(index: CatalogIndex) -> None:
    assert one("5 ltr dhara", index) == ("OIL-DHARA-1", 5)


def test_weight_becomes_packets(index: CatalogIndex) -> None:
    assert one("methi 1 kg", index) == ("METHI", 10)


def test_resolved_line_reports_the_products_unit(index: CatalogIndex) -> None:
    line = parse_message("2 dozen lux", index).lines[0]
    assert line.unit == "piece"


# -- variants chosen by unit and size ----------------------------------------------

def test_unit_chooses_the_spice_over_the_rice(index: CatalogIndex) -> None:
    assert one("jeera 2 kg", index) == ("SPICE-JEERA", 2)
    assert one("jeera masino 2 bora", index) == ("RICE-JEERA", 2)


def test_tin_after_a_number_is_the_tin(index: CatalogIndex) -> None:
    assert one("ek tin dhara", index) == ("OIL-DHARA-15", 1)


def test_tin_before_a_unit_is_three(index: CatalogIndex) -> None:
    assert one("tin bora mansuli", index) == ("RICE-MANSULI", 3)


def test_carton_and_packet_variants(index: CatalogIndex) -> None:
    assert one("maggi 2 carton", index) == ("MAGGI-CTN", 2)
    assert one("maggi 10 packet", index) == ("MAGGI-PKT", 10)


def test_size_in_the_line_chooses_the_pack(index: CatalogIndex) -> None:
    assert one("coke 1.5L 6 bottle", index) == ("COKE-1500", 6)
    assert one("coke 500ml 24 bottle", index) == ("COKE-500", 24)
    assert one("coke 1.5 x 6", index) == ("COKE-1500", 6)


# -- resolution -------------------------------------------------------------------

def test_typos_are_tolerated(index: CatalogIndex) -> None:
    assert one("mansuly 1 bora", index) == ("RICE-MANSULI", 1)
    assert one("musoro 2 kg", index) == ("DAL-MUSURO", 2)


def test_devanagari_names(index: CatalogIndex) -> None:
    assert one("चिनी ५ केजी", index) == ("SUGAR", 5)
    assert one("मन्सुली २ बोरा", index) == ("RICE-MANSULI", 2)


def test_close_products_make_a_question_not_a_guess(index: CatalogIndex) -> None:
    line = parse_message("dal 2 kg", index).lines[0]
    assert line.status is LineStatus.ASK and line.sku is None and line.qty == 2
    assert {c.sku for c in line.candidates} >= {"DAL-MAS", "DAL-MUSURO"}


def test_same_name_in_two_sizes_is_a_question(index: CatalogIndex) -> None:
    line = parse_message("coke 6 bottle", index).lines[0]
    assert line.status is LineStatus.ASK
    assert {c.sku for c in line.candidates} == {"COKE-500", "COKE-1500"}


def test_unknown_product_has_no_candidates(index: CatalogIndex) -> None:
    line = parse_message("xylophone 2 kg", index).lines[0]
    assert line.status is LineStatus.UNKNOWN and line.candidates == ()


def test_a_unit_the_product_cannot_be_sold_in_is_asked(index: CatalogIndex) -> None:
    line = parse_message("chini 2 carton", index).lines[0]
    assert line.status is LineStatus.ASK


def test_polite_words_are_ignored(index: CatalogIndex) -> None:
    msg = parse_message("dai malai 5 kg chini chahiyo, hajur 2 pkt nun pathaidinu hola", index)
    assert picks(msg) == [("SUGAR", 5), ("SALT", 2)]
    msg = parse_message("please send need 3 kg mas", index)
    assert picks(msg) == [("DAL-MAS", 3)]


# -- intents ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intent"),
    [("hello", Intent.GREETING), ("namaskar dai", Intent.GREETING), ("नमस्ते", Intent.GREETING),
     ("dhanyabad", Intent.GREETING), ("🙏", Intent.GREETING),
     ("mero order kaha pugyo?", Intent.STATUS), ("order status", Intent.STATUS),
     ("balance kati cha", Intent.BALANCE), ("hisab pathaunu", Intent.BALANCE),
     ("help", Intent.HELP), ("cancel", Intent.CANCEL), ("order cancel garnu", Intent.CANCEL),
     ("ok", Intent.CONFIRM), ("👍", Intent.CONFIRM), ("thik cha", Intent.CONFIRM),
     ("pahile ko jasto order", Intent.REORDER), ("same as last", Intent.REORDER),
     ("chini ko rate kati ho?", Intent.OTHER), ("asdf qwerty", Intent.OTHER)],
)
def test_intents(index: CatalogIndex, text: str, intent: Intent) -> None:
    msg = parse_message(text, index)
    assert msg.intent is intent
    assert msg.lines == ()


def test_questions_never_produce_order_lines(index: CatalogIndex) -> None:
    assert parse_message("chini kati ho?", index).lines == ()
    assert parse_message("chini chha?", index).lines == ()
    assert parse_message("chini 5 kg chha?", index).lines == ()


def test_a_polite_request_ending_in_a_question_mark_is_an_order(index: CatalogIndex) -> None:
    msg = parse_message("5 kg chini pathaidinu hunchha?", index)
    assert msg.intent is Intent.ORDER and picks(msg) == [("SUGAR", 5)]


def test_ok_inside_an_order_is_not_a_product_word(index: CatalogIndex) -> None:
    assert one("ok 2 bora mansuli", index) == ("RICE-MANSULI", 2)


def test_a_greeting_around_an_order_is_still_an_order(index: CatalogIndex) -> None:
    msg = parse_message("Namaskar dai, order:\n1) chini 5 kg\nDhanyabad", index)
    assert msg.intent is Intent.ORDER and picks(msg) == [("SUGAR", 5)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_without_error(index: CatalogIndex, text: str) -> None:
    msg = parse_message(text, index)
    assert isinstance(msg.intent, Intent)
    for line in msg.lines:
        assert line.qty is None or line.qty >= 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["chini", "5", "kg", "tin", "bora", "ra", ",", "x", "2", "dozen", "lux", "१०", "aadha",
     "?", "hajur", "1.5L", "\n", "1.", "coke", "ctn", "dedh", "saya", "jeera"]), max_size=15))
def test_order_like_word_soup_parses_without_error(index: CatalogIndex, words: list[str]) -> None:
    parse_message(" ".join(words), index)


@pytest.mark.parametrize("text", ["chini " + "1" * 40 + " kg", "wai wai " + "7" * 30 + " carton"])
def test_an_absurdly_long_quantity_is_read_not_crashed_on(demo_index: CatalogIndex,
                                                          text: str) -> None:
    # Converting it between pack sizes once hit Decimal's 28-digit quantize limit.
    assert parse_message(text, demo_index).intent is Intent.ORDER
