"""The reader returns an answer for any text against any catalogue.

Catalogues are generated (names, aliases, categories and units of any script, with
digits, sizes and symbols), and texts are generated from the catalogue's own words
mixed with numbers, unit words and noise, so the property reaches the matching code
rather than stopping at "no word known".
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalog import Catalog, Product
from domain.normalize import phonetic_key, strip_invisible
from domain.ordertext import Intent, ParsedMessage, parse_message
from domain.resolver import CatalogIndex

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DEVANAGARI = "कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसहािीुूेैोौंँ्ःअआइईउएओ"
_SYMBOLS = "-_.,/()&+'%@#*!?:;|×½¼"
_word = st.text(alphabet=_LETTERS + _DEVANAGARI + "0123456789०१२५", min_size=1, max_size=9)
_noisy_word = st.text(alphabet=_LETTERS + _DEVANAGARI + _SYMBOLS + "0123456789 \u200b\u200d",
                      min_size=1, max_size=12)
_UNIT_WORDS = ("kg", "g", "ltr", "ml", "pkt", "packet", "pcs", "ota", "wata", "bora", "bag",
               "carton", "ctn", "peti", "bottle", "botal", "tin", "jar", "can", "box",
               "tray", "dozen", "crate", "strip", "sachet", "pouch", "roll", "loaf", "set",
               "केजी", "वटा", "प्याकेट", "quintal", "")
_NUMBER_WORDS = ("1", "2", "12", "2.5", "1/2", "½", "1½", "०", "५", "ek", "dui", "tin", "chha",
                 "saya", "aadha", "dedh", "sawa", "paune", "adhai", "two", "twelve",
                 "half", "dozen", "x3", "3x", "×", "-4", "0", "100000000000000000000000000")


@st.composite
def catalogues(draw: st.DrawFn) -> Catalog:
    n = draw(st.integers(min_value=1, max_value=12))
    products = []
    for i in range(n):
        name_words = draw(st.lists(st.one_of(_word, _noisy_word, st.sampled_from(_UNIT_WORDS)),
                                   min_size=1, max_size=5))
        size = draw(st.sampled_from(("", " 500ml", " 1L", " 25kg", " (30 pcs)", " 1.5 L",
                                     " Carton (24 pkt)", " 100g")))
        aliases = draw(st.lists(st.one_of(_word, _noisy_word), max_size=4))
        category = draw(st.one_of(_word, _noisy_word, st.just("personal care")))
        unit = draw(st.one_of(st.sampled_from(_UNIT_WORDS), _word))
        name = (" ".join(name_words) + size).strip() or f"p{i}"
        products.append(Product(f"SKU-{i}", name, unit or "pcs", category,
                                tuple(a for a in aliases if a.strip())))
    return Catalog(tuple(products))


@st.composite
def catalogue_and_text(draw: st.DrawFn) -> tuple[Catalog, str]:
    catalog = draw(catalogues())
    vocabulary = [w for p in catalog for text in (p.name, p.category, *p.aliases)
                  for w in text.split()]
    pieces = draw(st.lists(
        st.one_of(st.sampled_from(vocabulary), st.sampled_from(_UNIT_WORDS),
                  st.sampled_from(_NUMBER_WORDS), _noisy_word,
                  st.sampled_from((",", " ra ", "\n", "?", "1)", "- ", "cancle", "pani"))),
        max_size=14))
    return catalog, " ".join(pieces)


def _check(parsed: ParsedMessage, catalog: Catalog) -> None:
    assert isinstance(parsed.intent, Intent)
    for line in parsed.lines:
        if line.sku is not None:
            assert catalog.get(line.sku) is not None
        for c in line.candidates:
            assert catalog.get(c.sku) is not None
        assert line.qty is None or isinstance(line.qty, Decimal)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue_and_text())
def test_reader_answers_any_text_against_any_catalogue(case: tuple[Catalog, str]) -> None:
    catalog, text = case
    index = CatalogIndex.build(catalog)
    _check(parse_message(text, index), catalog)
    for c in index.search(text):
        assert catalog.get(c.sku) is not None


@settings(max_examples=200, deadline=None)
@given(catalogues(), st.text(max_size=80))
def test_reader_answers_arbitrary_unicode(catalog: Catalog, text: str) -> None:
    _check(parse_message(text, CatalogIndex.build(catalog)), catalog)


def test_category_words_alone_are_answered_not_a_crash(demo_index: CatalogIndex) -> None:
    # These once raised KeyError: a word found only in categories had no weight.
    for text in ("BEVERA", "snacks", "household", "personal care", "beverages 2 ota"):
        parse_message(text, demo_index)


def test_a_category_word_backs_a_name_but_is_not_a_product_by_itself(
        demo_index: CatalogIndex) -> None:
    parsed = parse_message("household", demo_index)
    assert not any(ln.is_resolved for ln in parsed.lines)


def test_zero_width_characters_do_not_split_a_word(demo_index: CatalogIndex) -> None:
    plain = parse_message("chini 5 kg", demo_index)
    hidden = parse_message("chi\u200bni\u200d 5\u2060 kg\ufeff", demo_index)
    assert [(ln.sku, ln.qty) for ln in hidden.lines] == [(ln.sku, ln.qty) for ln in plain.lines]
    assert [ln.qty for ln in hidden.lines] == [Decimal(5)]


def test_strip_invisible_keeps_visible_text() -> None:
    assert strip_invisible("a\u200bb\u00adc\u200ed\ufe0f") == "abcd"
    assert strip_invisible("चिनी 5 kg") == "चिनी 5 kg"


def test_huge_tokens_are_not_kept_in_the_key_cache() -> None:
    from domain import normalize

    before = normalize._cached_phonetic_key.cache_info().currsize
    phonetic_key("x" * 60_000)
    phonetic_key("y" * 60_000 + "z")
    assert normalize._cached_phonetic_key.cache_info().currsize == before


def test_a_long_run_of_number_words_reads_in_linear_time(demo_index: CatalogIndex) -> None:
    import time

    start = time.process_time()
    parse_message("sawa " * 20_000, demo_index)  # quadratic, this took over 20 s
    assert time.process_time() - start < 5
