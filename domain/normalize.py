"""Text normalisation shared by the order reader and the catalogue index.

Retailers write the same word in Devanagari, in several romanisations and with
typos. Everything is reduced to a *phonetic key*: Devanagari is transliterated
to a plain roman spelling, then spellings that sound alike in Nepali are folded
together (aspirates, doubled letters, v/w/b, ee/i, plural -s), so that `चिनी`,
`chini` and `cheeni` share one key and fuzzy matching only has to absorb real
typos.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from domain.digits import to_ascii

_CONSONANTS: dict[str, str] = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "ng",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "व": "w", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h",
    "\u0958": "q", "\u0959": "kh", "\u095a": "g", "\u095b": "z",
    "\u095c": "r", "\u095d": "rh", "\u095e": "f", "\u095f": "y",
}
_NUKTA_FORMS: dict[str, str] = {"ड": "r", "ढ": "rh", "फ": "f", "ज": "z", "क": "q"}
_VOWELS: dict[str, str] = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o",
}
_MATRAS: dict[str, str] = {
    "ा": "aa", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o",
}
_VIRAMA = "\u094d"
_NASALS = {"\u0901", "\u0902"}  # chandrabindu, anusvara
_VISARGA = "\u0903"
_NUKTA = "\u093c"

_DEVANAGARI_RUN = re.compile(r"[\u0900-\u0963\u0970-\u097f]+")


class _Syllable:
    __slots__ = ("consonant", "schwa", "suffix", "vowel")

    def __init__(self, consonant: str, vowel: str, schwa: bool) -> None:
        self.consonant = consonant
        self.vowel = vowel
        self.schwa = schwa
        self.suffix = ""


def _transliterate_word(word: str) -> str:
    syllables: list[_Syllable] = []
    prev_char = ""
    for ch in word:
        if ch in _CONSONANTS:
            syllables.append(_Syllable(_CONSONANTS[ch], "a", True))
        elif ch == _NUKTA:
            if syllables and prev_char in _NUKTA_FORMS:
                syllables[-1].consonant = _NUKTA_FORMS[prev_char]
        elif ch in _MATRAS:
            if syllables and syllables[-1].schwa:
                syllables[-1].vowel = _MATRAS[ch]
                syllables[-1].schwa = False
            else:
                syllables.append(_Syllable("", _MATRAS[ch], False))
        elif ch == _VIRAMA:
            if syllables:
                syllables[-1].vowel = ""
                syllables[-1].schwa = False
        elif ch in _NASALS or ch == _VISARGA:
            if syllables:
                syllables[-1].suffix += "n" if ch in _NASALS else "h"
                syllables[-1].schwa = False
        elif ch in _VOWELS:
            syllables.append(_Syllable("", _VOWELS[ch], False))
        prev_char = ch
    _delete_schwas(syllables)
    return "".join(s.consonant + s.vowel + s.suffix for s in syllables)


def _delete_schwas(syllables: list[_Syllable]) -> None:
    """Drop the unspoken inherent vowels, as Nepali speakers do when typing roman.

    Word-final schwa goes (नुन → nun), then a medial schwa between a vowel and a
    consonant that carries a vowel (पोखरेली → pokhreli, रमपम → rampam).
    """
    n = len(syllables)
    if n > 1 and syllables[-1].schwa and syllables[-1].consonant:
        syllables[-1].vowel = ""
        syllables[-1].schwa = False
    for i in range(1, n - 1):
        s = syllables[i]
        if not s.schwa:
            continue
        before, after = syllables[i - 1], syllables[i + 1]
        if before.vowel and not before.suffix and after.consonant and after.vowel:
            s.vowel = ""
            s.schwa = False


def transliterate(text: str) -> str:
    """Replace every Devanagari word in `text` with a plain roman spelling."""
    return _DEVANAGARI_RUN.sub(lambda m: _transliterate_word(m.group()), text)


# Characters that draw nothing but split a word for a regex: zero-width space and
# joiners, direction marks, word joiner, soft hyphen, BOM, variation selectors. Phones
# insert them when text is pasted; "chi\u200bni" must still read as chini.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                        "\ufeff\uffa0\U000e0000-\U000e0fff]")


def strip_invisible(text: str) -> str:
    """`text` without zero-width and other invisible format characters."""
    return _INVISIBLE.sub("", text)


def fold_text(text: str) -> str:
    """Invisible characters out, NFC, Devanagari digits to ASCII, lower case: the form
    every reader starts from."""
    text = unicodedata.normalize("NFC", strip_invisible(text))
    return to_ascii(text).lower()


# Order matters: "ch" is parked as "\x01" so that a lone English "c" can become
# k or s (horlicks/horlics, juice/jus) without touching the Nepali "ch".
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("chh", "\x01"), ("ch", "\x01"), ("ck", "k"), ("ce", "se"), ("ci", "si"), ("cy", "si"),
    ("c", "k"), ("\x01", "c"), ("sh", "s"), ("ph", "f"), ("kh", "k"), ("gh", "g"),
    ("th", "t"), ("dh", "d"), ("bh", "b"), ("jh", "j"), ("q", "k"),
    ("z", "j"), ("w", "b"), ("v", "b"), ("y", "i"), ("x", "ks"), ("ee", "i"),
    ("oo", "u"),
)
_NON_ALNUM = re.compile(r"[^a-z0-9.]")


#: Tokens longer than this are not cached: the caches are keyed by user text, and an entry
#: costs memory in proportion to its token (a 60,000-character token held ~178 KB), so
#: only word-sized tokens, which are the ones that repeat, are kept. 65,536 entries of at
#: most 48 characters bound each cache to a few tens of MB however hostile the input.
MAX_CACHED_TOKEN = 48


def phonetic_key(token: str) -> str:
    """Fold one token (roman or Devanagari) to the key used for matching."""
    if len(token) > MAX_CACHED_TOKEN:
        return _phonetic_key(token)
    return _cached_phonetic_key(token)


def _phonetic_key(token: str) -> str:
    s = transliterate(fold_text(token))
    s = _NON_ALNUM.sub("", s)
    if not s or s[0].isdigit():
        return s
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    # Doubled letters carry no meaning in casual romanisation (atta/ata, maaza/maza).
    out = [s[0]]
    for ch in s[1:]:
        if ch != out[-1]:
            out.append(ch)
    s = "".join(out)
    if len(s) > 3 and s.endswith("s"):
        s = s[:-1]
    return s


_cached_phonetic_key = lru_cache(maxsize=65536)(_phonetic_key)


def plain_form(token: str) -> str:
    """Lower-case roman spelling without punctuation, no sound folding.

    Used for closed word lists (politeness words), where the aggressive phonetic
    key would make `wai` (noodles) equal `bhai` (brother).
    """
    if len(token) > MAX_CACHED_TOKEN:
        return _plain_form(token)
    return _cached_plain_form(token)


def _plain_form(token: str) -> str:
    return _NON_ALNUM.sub("", transliterate(fold_text(token)))


_cached_plain_form = lru_cache(maxsize=65536)(_plain_form)


_GLIDE = re.compile(r"(?<=[^aeiou])[iy](?=[aeiou])")
_FINAL_E = re.compile(r"(?<=[^aeiou])e$")
_OPEN_VOWELS = str.maketrans({"u": "a", "e": "a"})


def skeleton_key(key: str) -> str:
    """A phonetic key with the vowels English spelling and Devanagari disagree on folded.

    English brand spellings write the schwa as u (Surf, Lux, Dabur), a silent final e
    (Coke, Colgate) and no glide where Devanagari has one (क्या in नेस्क्याफे); the
    Devanagari reading writes a, nothing, and "ya". Folding u/e to a, dropping a final
    e and a glide makes सर्फ/Surf, लक्स/Lux, कोक/Coke, नेस्क्याफे/Nescafe one skeleton.
    Used only where the exact key is not known (see `CatalogIndex`).
    """
    if not key or not key.isalpha():
        return key
    s = _FINAL_E.sub("", key)
    s = _GLIDE.sub("", s)
    s = s.translate(_OPEN_VOWELS)
    out = [s[0]]
    for ch in s[1:]:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)
