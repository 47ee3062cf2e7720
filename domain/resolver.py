"""The in-memory product index: fuzzy lookup of what a retailer named.

Every product name and alias becomes a *term*: a list of phonetic-key tokens
(sizes and unit words taken out, grocery synonyms folded to one concept). A
query is scored against a term by weighted token coverage in both directions,
weights being inverse document frequency, so a brand word counts for more than
"dal" or "oil". Only terms sharing a token (exactly or by a close typo) with the
query are scored, which keeps a line well under a millisecond at 10k products.

Then the unit and any size the retailer wrote choose between pack variants, and
the decision rule asks instead of guessing whenever two products stay close.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from domain.catalog import Catalog, Product
from domain.lexicon import SYNONYMS, concept
from domain.normalize import fold_text, phonetic_key, skeleton_key, transliterate
from domain.units import (
    MEASURE_UNITS,
    WEAK_UNIT_WORDS,
    Fit,
    Measure,
    PackCount,
    Unit,
    convert,
    find_measures,
    find_pack_count,
    size_token,
    unit_from_word,
)

#: A size the retailer wrote next to the product: a measure (500ml) or a bare number (2.25).
SizeHint = Measure | Decimal

ACCEPT = 0.8          # a product scoring at least this may be picked without asking
MARGIN = 0.1          # ... if no other product is within this distance
ASK_WINDOW = 0.16     # products this close to the best are offered in a question
MIN_CANDIDATE = 0.5   # below this a product is not worth offering
MAX_OFFERED = 5
_BIG_POSTING = 400    # generic tokens only re-score terms that a rarer token found
_LOOSE_SPELLING = 0.7  # a word this far from the one written only ever makes a question
_SKELETON_MATCH = 0.95  # the same word in the other script's spelling (सर्फ for Surf)
_SWAPPED = 0.92       # the word with two neighbouring letters swapped
_ALONE_FLOOR = 0.65    # the least a fully named, unrivalled product may score and be picked

_FIT_BONUS: dict[Fit, float] = {
    Fit.SAME: 0.06, Fit.CONVERTED: 0.03, Fit.LOOSE: 0.03, Fit.NONE_GIVEN: 0.0,
    # Counting a pack's contents is right when nothing is sold in that unit itself, so a
    # product sold per packet beats the carton for "30 packet" by more than the margin.
    Fit.PACKED: -0.05, Fit.NOT_WHOLE: -0.05, Fit.INCOMPATIBLE: -0.3,
}
_SIZE_MATCH, _SIZE_MISMATCH, _SIZE_UNKNOWN = 0.15, -0.5, -0.05
_HINT_WEIGHT = 1.0    # weight of a unit word inside a name or alias ("wai wai peti")
_CATEGORY_CREDIT = 0.5  # a word matching only the category backs a name up, never replaces it

_KINDS: frozenset[str] = frozenset(SYNONYMS.values())
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_TERM_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?[a-z]*|[a-z][a-z0-9]*")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A product offered for a line, with how well it matched (0..1)."""

    sku: str
    name: str
    score: float


class LineStatus(StrEnum):
    """What the conversation should do with a line."""

    RESOLVED = "resolved"
    ASK = "ask"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one item: a pick, a question, or nothing.

    `qty` is in the picked product's unit (for a question: the one quantity every
    offered product converts to, or None when they differ); `not_whole` says the
    count does not make whole selling units, so the quantity must be asked.
    """

    status: LineStatus
    sku: str | None
    qty: Decimal | None
    unit: str | None
    candidates: tuple[Candidate, ...]
    not_whole: bool = False


@dataclass(frozen=True, slots=True)
class _Entry:
    product: Product
    unit: Unit | None      # None: a unit word the project does not know (see label)
    label: str             # the unit as the catalogue stores it
    pack: Measure | None
    forms: frozenset[Unit]
    contents: PackCount | None


@dataclass(frozen=True, slots=True)
class _Term:
    entry: int
    tokens: tuple[str, ...]
    hints: frozenset[Unit]
    total_weight: float
    category: bool = False  # supports a query word ("chiya") but is never a name by itself


@dataclass(frozen=True, slots=True)
class _Scored:
    entry: int
    name_score: float
    final: float
    fit: Fit
    qty: Decimal | None


def _pack_of(product: Product) -> Measure | None:
    for text in (product.pack, product.name, *product.aliases):
        found = find_measures(transliterate(fold_text(text)))
        if found:
            return found[-1]
    return None


def _contents_of(product: Product) -> PackCount | None:
    for text in (product.pack, product.name, *product.aliases):
        found = find_pack_count(fold_text(text))
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class _TermText:
    keys: tuple[str, ...]
    hints: frozenset[Unit]
    together: str | None


def _term_text(text: str, pack: Measure | None) -> _TermText:
    """Content keys of a name or alias, the unit words in it, and its words run together."""
    raw = _TERM_TOKEN_RE.findall(transliterate(fold_text(text)))
    keys: list[str] = []
    hints: set[Unit] = set()
    joined: list[str] = []
    skip_next = False
    for i, tok in enumerate(raw):
        if skip_next:
            skip_next = False
            continue
        m = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]*)", tok)
        if m:
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            sized = size_token(Decimal(m.group(1)), m.group(2) or nxt)
            if sized is not None:
                # "9W", "2 inch": a descriptive size is one name word, written either way
                skip_next = not m.group(2)
                joined.append(sized)
                keys.append(sized)
                continue
            if m.group(2) and unit_from_word(m.group(2)) is not None:
                continue  # a size (1L) or a pack count (30pcs) is not a name word
            if not m.group(2) and unit_from_word(nxt) is not None:
                skip_next = True
                continue
            value = Decimal(m.group(1)) if not m.group(2) else None
            if value is not None and pack is not None and value in (pack.value, pack.base):
                continue
        else:
            unit = unit_from_word(tok)
            if unit is not None and tok not in WEAK_UNIT_WORDS:
                hints.add(unit)  # "Tin", "Pouch", "peti": the form, matched against the unit
                continue
        joined.append(tok)
        key = phonetic_key(tok)
        if key:
            keys.append(concept(key))
    together = phonetic_key("".join(joined)) if 2 <= len(joined) <= 3 else None
    return _TermText(tuple(keys), frozenset(hints), together)


class CatalogIndex:
    """Fuzzy index over a catalogue's names and aliases; build once, query many times."""

    def __init__(self, catalog: Catalog) -> None:
        self._entries: list[_Entry] = []
        self._by_sku: dict[str, int] = {}
        self._labels: set[str] = set()
        self._category_keys: set[str] = set()
        deva_keys: set[str] = set()   # keys of names written in Devanagari
        latin_keys: set[str] = set()  # ... and in Latin letters
        texts: list[tuple[int, tuple[str, ...], frozenset[Unit]]] = []
        categories: list[tuple[int, tuple[str, ...]]] = []
        for product in catalog:
            unit = unit_from_word(product.unit)
            label = unit.value if unit is not None else " ".join(product.unit.lower().split())
            pack = _pack_of(product)
            idx = len(self._entries)
            name = _term_text(product.name, pack)
            forms = name.hints - {unit} if unit is not None else name.hints
            self._entries.append(_Entry(product, unit, label, pack, forms,
                                        _contents_of(product)))
            if unit is None and label:
                self._labels.add(label)
            self._by_sku[product.sku] = idx
            cat_keys = tuple(dict.fromkeys(
                concept(k) for k in (phonetic_key(w) for w in re.split(r"[\W_]+", product.category))
                if k))
            if cat_keys:
                categories.append((idx, cat_keys))
                self._category_keys.update(cat_keys)
            seen: set[tuple[tuple[str, ...], frozenset[Unit]]] = set()
            for text in (product.name, *product.aliases):
                term = name if text is product.name else _term_text(text, pack)
                (deva_keys if _DEVANAGARI.search(text) else latin_keys).update(term.keys)
                variants = [term.keys] + ([(term.together,)] if term.together else [])
                for keys in variants:
                    if keys and (keys, term.hints) not in seen:
                        seen.add((keys, term.hints))
                        texts.append((idx, keys, term.hints))
        df: dict[str, int] = defaultdict(int)
        per_entry: dict[int, set[str]] = defaultdict(set)
        for idx, keys, _ in texts:
            per_entry[idx].update(keys)
        for keys_set in per_entry.values():
            for k in keys_set:
                df[k] += 1
        # A word that occurs only in categories ("snacks", "household") is still a word a
        # query can be looked up by, so it needs a weight too: every posting key has one.
        cat_df: dict[str, int] = defaultdict(int)
        for _, keys in categories:
            for k in set(keys):
                if k not in df:
                    cat_df[k] += 1
        n = max(len(self._entries), 1)
        self._idf: dict[str, float] = {k: math.log(1 + n / c) for k, c in df.items()}
        self._idf.update({k: math.log(1 + n / c) for k, c in cat_df.items()})
        self._unknown_weight = 0.35 * max(self._idf.values(), default=1.0)
        self._terms: list[_Term] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._entry_terms: list[list[int]] = [[] for _ in self._entries]
        for idx, keys, hints in texts:
            unique = tuple(dict.fromkeys(keys))
            tid = len(self._terms)
            weight = sum(self._idf[k] for k in unique) + (_HINT_WEIGHT if hints else 0.0)
            self._terms.append(_Term(idx, unique, hints, weight))
            self._entry_terms[idx].append(tid)
            for k in unique:
                self._postings[k].append(tid)
        for idx, keys in categories:
            tid = len(self._terms)
            self._terms.append(_Term(idx, keys, frozenset(), 1.0, category=True))
            self._entry_terms[idx].append(tid)
            for k in keys:
                self._postings[k].append(tid)
        for tids in self._postings.values():
            # Shortest names first: for a word alone they are the best-covered matches.
            tids.sort(key=lambda t: self._terms[t].total_weight)
        # Spellings we can look a query word up by: every vocabulary key, and every
        # glossary synonym of one (so a typo of "chamal" still finds "rice").
        self._lookup: dict[str, str] = {k: k for k in self._postings}
        for syn, head in SYNONYMS.items():
            if head in self._postings:
                self._lookup.setdefault(syn, head)
        buckets: dict[str, list[str]] = defaultdict(list)
        for spelling in self._lookup:
            buckets[spelling[0]].append(spelling)
        self._buckets = dict(buckets)
        # Cross-script spellings of a brand (सर्फ / Surf, लक्स / Lux) meet on a skeleton
        # of their keys: the whole catalogue's vocabulary, not an alias list.
        # Only across scripts: within one script the skeleton would merge words that are
        # spelt apart on purpose (soap and soup).
        self._skeletons: dict[bool, dict[str, tuple[str, ...]]] = {}
        for deva, origin in ((True, latin_keys), (False, deva_keys)):
            skeletons: dict[str, set[str]] = defaultdict(set)
            for key in origin:
                sk = skeleton_key(key)
                if len(sk) >= 3 and key in self._lookup:
                    skeletons[sk].add(self._lookup[key])
            self._skeletons[deva] = {k: tuple(sorted(v)) for k, v in skeletons.items()}
        # Two letters swapped (blub for bulb, choclate) is a typo the ratio scores low on
        # short words: looked up among spellings with the same letters.
        anagrams: dict[str, list[str]] = defaultdict(list)
        for spelling in self._lookup:
            if len(spelling) >= 4 and spelling.isalpha():
                anagrams["".join(sorted(spelling))].append(spelling)
        self._anagrams = dict(anagrams)

    @classmethod
    def build(cls, catalog: Catalog) -> CatalogIndex:
        """Index every product of `catalog`."""
        return cls(catalog)

    def __len__(self) -> int:
        return len(self._entries)

    def product(self, sku: str) -> Product:
        """The product with this SKU; KeyError if the catalogue has none."""
        return self._entries[self._by_sku[sku]].product

    def is_unit_label(self, word: str) -> bool:
        """True when some product is sold in this unit word the project does not know."""
        return word in self._labels

    def names_together(self, first: str, second: str) -> bool:
        """True when one product's name or alias holds both words (namaste + ghee)."""
        a, b = concept(phonetic_key(first)), concept(phonetic_key(second))
        terms = self._terms
        return any(b in terms[t].tokens for t in self._postings.get(a, ())
                   if not terms[t].category)

    def names_a_kind(self, words: Sequence[str]) -> bool:
        """True when a word names a kind of goods (ghiu, oil, noodles), not only a brand."""
        return self._names_a_kind(words)

    def has_name_token(self, word: str) -> bool:
        """True when a word (e.g. the "555" of a soap brand) occurs in some product name."""
        return phonetic_key(word) in self._postings

    # -- matching ---------------------------------------------------------------

    def _match_word(self, key: str, exact: bool = False, deva: bool = False
                    ) -> list[tuple[str, float]]:
        hit = self._lookup.get(key)
        if hit is not None:
            return [(hit, 1.0)]
        if exact or len(key) < 3 or key[0].isdigit():
            return []
        best: dict[str, float] = {}
        for head in self._skeletons[deva].get(skeleton_key(key), ()):
            best[head] = _SKELETON_MATCH
        for spelling in self._anagrams.get("".join(sorted(key)), ()):
            if OSA.distance(key, spelling, score_cutoff=1) <= 1:
                head = self._lookup[spelling]
                best[head] = max(best.get(head, 0.0), _SWAPPED)
        cutoff = 85.0 if len(key) == 3 else 80.0 if len(key) <= 5 else 75.0
        found = process.extract(
            key, self._buckets.get(key[0], ()), scorer=fuzz.ratio, processor=None,
            score_cutoff=cutoff, limit=8,
        )
        for spelling, score, _ in found:
            head = self._lookup[spelling]
            # A close spelling is nearly as good as the word: typos are the norm. But a
            # word two or more letters longer or shorter is another word as often as a
            # typo (khajuri/kaju, dates/cashew): it may be offered, never picked alone.
            sim = 0.5 + 0.5 * score / 100.0 - 0.02
            if abs(len(spelling) - len(key)) >= 2:
                sim = min(sim, _LOOSE_SPELLING)
            if sim > best.get(head, 0.0):
                best[head] = sim
        return list(best.items())

    def _score_keys(self, keys: Sequence[str], unit: Unit | None, exact: bool = False,
                    deva: Sequence[bool] = ()) -> dict[int, tuple[float, float, bool]]:
        """Best name score (0..1) per entry for a query given as concept keys, with how
        much of the query the entry covers (0..1), and whether the query also wrote every
        word of one of its names or aliases (unit words aside).

        Query coverage is counted per product (a word may match the name and another
        an alias), term coverage per name or alias, the best one.
        """
        scripts = list(deva) or [False] * len(keys)
        matches = [self._match_word(k, exact, d) for k, d in zip(keys, scripts, strict=True)]
        weights = [max((self._idf[v] for v, _ in m), default=self._unknown_weight)
                   for m in matches]
        total_q = sum(weights)
        if total_q <= 0:
            return {}
        pairs = sorted(
            ((i, v, s) for i, m in enumerate(matches) for v, s in m),
            key=lambda p: len(self._postings[p[1]]),
        )
        per_q: dict[int, list[float]] = {}
        per_v: dict[int, dict[str, float]] = {}
        nq = len(keys)
        terms = self._terms
        anchored = False
        for i, v, s in pairs:
            postings: Sequence[int] = self._postings[v]
            if per_q and (len(postings) > _BIG_POSTING or (anchored and len(postings) > 32)):
                # Once a rarer word matched exactly (a brand), a commoner one ("masoor",
                # "oil", "gold") only re-scores the products already found: any other
                # product lacks that word and cannot come close.
                postings = [tid for e in per_q for tid in self._entry_terms[e]
                            if v in terms[tid].tokens]
            elif len(postings) > _BIG_POSTING:
                postings = postings[:_BIG_POSTING]
            anchored = anchored or s == 1.0
            for tid in postings:
                tv = per_v.get(tid)
                if tv is None:
                    tv = per_v[tid] = {}
                if s > tv.get(v, 0.0):
                    tv[v] = s
                term = terms[tid]
                bq = per_q.get(term.entry)
                if bq is None:
                    bq = per_q[term.entry] = [0.0] * nq
                credit = s * _CATEGORY_CREDIT if term.category else s
                if credit > bq[i]:
                    bq[i] = credit
        tcov: dict[int, float] = {}
        whole: set[int] = set()  # entries one of whose names' words the query all wrote
        idf = self._idf
        for tid, tv in per_v.items():
            term = terms[tid]
            if term.category:
                continue
            covered = sum(idf[v] * s for v, s in tv.items())
            content = term.total_weight - (_HINT_WEIGHT if term.hints else 0.0)
            if content > 0 and covered >= content - 1e-9:
                whole.add(term.entry)
            if term.hints and unit is not None and unit in term.hints:
                covered += _HINT_WEIGHT
            t = covered / term.total_weight
            if t > tcov.get(term.entry, 0.0):
                tcov[term.entry] = t
        out: dict[int, tuple[float, float, bool]] = {}
        for entry, bq in per_q.items():
            if entry in tcov:
                qcov = sum(w * b for w, b in zip(weights, bq, strict=True)) / total_q
                out[entry] = (qcov * (0.4 + 0.6 * tcov[entry]), qcov, entry in whole)
        return out

    def _name_scores(self, words: Sequence[str], unit: Unit | None = None
                     ) -> dict[int, tuple[float, float, bool]]:
        pairs = [(concept(k), bool(_DEVANAGARI.search(w)))
                 for w, k in ((w, phonetic_key(w)) for w in words) if k]
        keys = [k for k, _ in pairs]
        if not keys:
            return {}
        scores = self._score_keys(keys, unit, deva=[d for _, d in pairs])
        if 2 <= len(keys) <= 3:
            # "krak jack" for "Krackjack", "rum pum" for "Rumpum": only an exact run-together
            # spelling counts, a fuzzy one would blur a different brand into the same string.
            together = phonetic_key("".join(words))
            if together:
                for entry, s in self._score_keys([together], unit, exact=True).items():
                    if s[0] > scores.get(entry, (0.0, 0.0, False))[0]:
                        scores[entry] = s
        return scores

    def search(self, query: str, limit: int = 10) -> list[Candidate]:
        """Products whose name or alias best matches free text, best first."""
        words = _TERM_TOKEN_RE.findall(transliterate(fold_text(query)))
        scores = {e: s for e, (s, _, _) in self._name_scores(words).items()}
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [self._candidate(e, s) for e, s in ranked if s >= MIN_CANDIDATE / 2]

    def _candidate(self, entry: int, score: float) -> Candidate:
        p = self._entries[entry].product
        return Candidate(p.sku, p.name, round(min(max(score, 0.0), 1.0), 3))

    def resolve(
        self,
        words: Sequence[str],
        qty: Decimal | None,
        unit: Unit | None,
        sizes: Sequence[SizeHint] = (),
        label: str | None = None,
    ) -> Resolution:
        """Decide which product `words` names, in what quantity, or what to ask.

        `label` is a unit word the project does not know but the catalogue sells in.
        """
        asked_unit = unit.value if unit is not None else label
        names = self._name_scores(words, unit)
        if not names:
            return Resolution(LineStatus.UNKNOWN, None, qty, asked_unit, ())
        # Unit and size move a score by well under 0.5: only near-best names can win.
        best_name = max(s for s, _, _ in names.values())
        scored = sorted(
            (self._adjust(e, s, qty, unit, sizes, label) for e, (s, _, _) in names.items()
             if s >= best_name - 0.5),
            key=lambda r: (-r.final, r.entry),
        )
        top = scored[0]
        if top.final < MIN_CANDIDATE:
            return Resolution(LineStatus.UNKNOWN, None, qty, asked_unit, ())
        runner_up = scored[1].final if len(scored) > 1 else 0.0
        kept = [r for r in scored[:MAX_OFFERED]
                if r.final >= max(top.final - ASK_WINDOW, MIN_CANDIDATE)]
        family = (self._family(top, scored, names, unit is None and label is None)
                  if not sizes else [])
        if family:
            # Every word the retailer wrote names each of these products and the unit
            # tells none apart (a brand sold in a packet and a carton, two sizes of one
            # oil): a question offering every one, never the one with the closer alias.
            kept = [top, *family][:MAX_OFFERED]
            runner_up = top.final
        offered = tuple(self._candidate(r.entry, r.final) for r in kept)
        # Every word written names this product, in either script, and nothing else is
        # even a candidate: a short name for a long one ("lux" for "Lux Soap 100g").
        # Not for kinds of goods ("toothpaste", "oil"): a kind names more products than
        # the catalogue's names say.
        alone = (names[top.entry][1] >= _SKELETON_MATCH - 1e-9 and runner_up < MIN_CANDIDATE
                 and top.final >= _ALONE_FLOOR and not self._names_a_kind(words))
        if ((top.final >= ACCEPT or alone) and top.final - runner_up >= MARGIN
                and top.fit != Fit.INCOMPATIBLE):
            entry = self._entries[top.entry]
            return Resolution(LineStatus.RESOLVED, entry.product.sku, top.qty,
                              entry.label, offered, not_whole=top.fit is Fit.NOT_WHOLE)
        # A question offers the products that can take the quantity as written, if any
        # can; its quantity is the one they all read it as, or none (asked after the
        # choice) when they count it differently.
        fitting = [r for r in kept if r.fit not in (Fit.INCOMPATIBLE, Fit.NOT_WHOLE)]
        if fitting:
            offered = tuple(self._candidate(r.entry, r.final) for r in fitting)
        quantities = {r.qty for r in fitting}
        if len(quantities) == 1:
            return Resolution(LineStatus.ASK, None, quantities.pop(), asked_unit, offered)
        return Resolution(LineStatus.ASK, None, None, asked_unit, offered,
                          not_whole=qty is not None)

    def _names_a_kind(self, words: Sequence[str]) -> bool:
        """True when a word is a kind of goods: a glossary concept or a category word."""
        keys = {concept(k) for k in (phonetic_key(w) for w in words) if k}
        return bool(keys & _KINDS or keys & self._category_keys)

    @staticmethod
    def _family(top: _Scored, scored: Sequence[_Scored],
                names: dict[int, tuple[float, float, bool]], no_unit: bool) -> list[_Scored]:
        """Other products the query names as fully as the top one, fitting its unit alike.

        With a unit, a member must have every word of a name written (a brand sold in a
        packet and a carton); with neither unit nor size, every product whose names hold
        all the words written is one ("dettol 3": the soap or the handwash?).
        """
        _, top_q, top_whole = names[top.entry]
        if top_q < 0.999 or not top_whole or top.fit is Fit.INCOMPATIBLE:
            return []
        return [r for r in scored[1:]
                if names[r.entry][1] >= 0.999 and (no_unit or names[r.entry][2])
                and r.fit is top.fit and r.final >= MIN_CANDIDATE]

    def _adjust(
        self, entry_idx: int, name_score: float, qty: Decimal | None, unit: Unit | None,
        sizes: Sequence[SizeHint], label: str | None = None,
    ) -> _Scored:
        entry = self._entries[entry_idx]
        new_qty, fit = convert(qty, unit, entry.unit, entry.pack, entry.forms, entry.contents,
                               label, entry.label)
        final = name_score + _FIT_BONUS[fit]
        for hint in sizes:
            final += _size_fit(hint, entry)
        return _Scored(entry_idx, name_score, final, fit, new_qty)


def _size_fit(hint: SizeHint, entry: _Entry) -> float:
    pack = entry.pack
    if pack is None:
        if isinstance(hint, Measure) and entry.unit in MEASURE_UNITS:
            return 0.0  # loose goods sold by weight have no pack size to compare
        return _SIZE_UNKNOWN
    if isinstance(hint, Measure):
        return _SIZE_MATCH if hint.same_amount(pack) else _SIZE_MISMATCH
    return _SIZE_MATCH if hint in (pack.value, pack.base) else _SIZE_MISMATCH
