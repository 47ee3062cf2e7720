"""Devanagari and romanised spellings of a word fold to one phonetic key."""

from __future__ import annotations

import pytest

from domain.normalize import fold_text, phonetic_key, transliterate


@pytest.mark.parametrize(
    ("devanagari", "roman"),
    [("चिनी", "chini"), ("नुन", "nun"), ("मुसुरो", "musuro"), ("पाँच", "panch"),
     ("कार्टुन", "kartun"), ("पोखरेली", "pokhreli"), ("नमस्कार", "namaskar"),
     ("बोतल", "botal"), ("रमपम", "rampam")],
)
def test_transliteration_drops_unspoken_vowels(devanagari: str, roman: str) -> None:
    assert phonetic_key(transliterate(devanagari)) == phonetic_key(roman)


@pytest.mark.parametrize(
    ("a", "b"),
    [("chini", "cheeni"), ("bhujiya", "bujiya"), ("maaza", "maza"), ("atta", "aata"),
     ("krackjack", "krakjak"), ("horlicks", "horlics"), ("wai", "vai"), ("tips", "tip"),
     ("चिनी", "chini")],
)
def test_spellings_that_sound_alike_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


def test_different_words_keep_different_keys() -> None:
    assert phonetic_key("mas") != phonetic_key("musuro")
    assert phonetic_key("chini") != phonetic_key("chana")


def test_devanagari_digits_fold_to_ascii() -> None:
    assert fold_text("चिनी १०") == "चिनी 10"


def test_numbers_in_names_are_kept() -> None:
    assert phonetic_key("2PM") == "2pm"
