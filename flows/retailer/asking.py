"""Questions a shopkeeper asks instead of ordering: what something costs, what there is,
and the small talk (thanks, greetings) that deserves a short answer, not the help menu.

Prices come from the vendors serving the retailer's area (the `offers` port), the
cheapest first; the catalogue is shown as a WhatsApp list of categories, and a
tapped category as its products with their prices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from domain import lexicon
from domain.normalize import plain_form
from flows.choices import CategoryChoice
from flows.i18n import money, unit
from flows.replies import ListMenu, ListRow, ListSection, Text
from flows.retailer.ports import LineStatus, PriceOffer
from flows.retailer.titles import fit
from flows.retailer.turn import Turn

# Words that make a message a question about price ("chini ko bhau kati ho?").
_PRICE_WORDS = frozenset(plain_form(w) for w in [
    "price", "prices", "rate", "rates", "bhau", "bhaau", "bhav", "mol", "mool", "moll", "dam",
    "daam", "cost", "costs", "mulya", "मूल्य", "रेट", "भाउ", "दाम", "मोल"
])
# Words around the product in such a question, that name no product.
_QUESTION_WORDS = frozenset(plain_form(w) for w in [
    "what", "whats", "is", "the", "of", "how", "much", "per", "kati", "k", "ke", "ko", "ka",
    "ki", "ho", "hola", "cha", "chha", "xa", "ta", "tyo", "aaja", "ajako", "aajako", "today",
    "kg", "के", "कति", "को", "का", "की", "हो", "होला", "छ", "आज", "आजको"
])
# The whole message asks what there is ("k k xa?", "what do you have?").
_CATALOGUE_QUESTIONS = frozenset((
    "what do you have", "what do you sell", "what you have", "what have you got",
    "what is available", "whats available", "what products", "products", "catalogue",
    "catalog", "price list", "rate list", "list", "items", "k k xa", "k k cha", "k k chha",
    "ke ke xa", "ke ke cha", "ke ke chha", "k k paincha", "ke ke paincha", "k k painxa",
    "के के छ", "के के पाइन्छ", "के के छन्", "सामान", "सूची",
))
_WORD = re.compile(r"[^\s?.,!।:;]+")
_CLEAN = re.compile(r"[\s?.,!।:;]+")
# Emoji and symbols: "dhanyabad 🙏" is thanks, "good morning ☀️" a greeting.
_SYMBOLS = re.compile(r"[^\w\s\u0900-\u097F]+")

_THANKS = frozenset(p for p in (" ".join(plain_form(w) for w in ph.split())
                                for ph in lexicon.THANKS) if p)
_GREETINGS = frozenset(p for p in (" ".join(plain_form(w) for w in ph.split())
                                   for ph in lexicon.GREETING) if p)
# Address words said with thanks or a greeting ("dhanyabad dai", "namaste hajur").
_ADDRESS = frozenset(plain_form(w) for w in [
    "dai", "daju", "didi", "bhai", "bahini", "sathi", "sir", "madam", "hajur", "ji", "ni",
    "hai", "la", "ta", "है", "दाइ", "दाई", "दिदी", "हजुर", "जी"
])
MAX_PRICES_PER_PRODUCT = 3
MAX_PRODUCTS = 5
MAX_CATEGORY_LINES = 30


def price_subject(text: str) -> str | None:
    """The product words of a price question ("chini ko bhau kati ho?" → "chini"), else None."""
    words = _WORD.findall(text)
    if not any(plain_form(w) in _PRICE_WORDS for w in words):
        return None
    rest = []
    for w in words:
        form = plain_form(w)
        if form in _PRICE_WORDS or form in _QUESTION_WORDS or lexicon.is_filler(w):
            continue
        # Nepali glues the postposition on: चिनीको भाउ.
        rest.append(w.removesuffix("को") if len(w) > 2 else w)
    return " ".join(rest) or None


def asks_catalogue(text: str) -> bool:
    """True when the whole message asks what there is to buy."""
    return _CLEAN.sub(" ", text.casefold()).strip() in _CATALOGUE_QUESTIONS


def small_talk(text: str) -> str | None:
    """"thanks" or "greeting" when the whole message is only that (and address words)."""
    forms = [plain_form(w) for w in _SYMBOLS.sub(" ", text).split()]
    forms = [f for f in forms if f and f not in _ADDRESS]
    said = " ".join(forms)
    if "🙏" in text and not forms:
        return "thanks"
    if said in _THANKS:
        return "thanks"
    if said in _GREETINGS:
        return "greeting"
    return None


async def answer_price(turn: Turn, subject: str) -> None:
    """The price of each product the question names, from the area's vendors."""
    reading = await turn.backend.understand(subject)
    skus: list[str] = []
    unknown: list[str] = []
    for line in reading.lines:
        if line.status is LineStatus.RESOLVED and line.sku:
            skus.append(line.sku)
        elif line.status is LineStatus.ASK and line.options:
            skus += [o.sku for o in line.options[:MAX_PRICES_PER_PRODUCT]]
        else:
            unknown.append(line.text)
    skus = list(dict.fromkeys(skus))[:MAX_PRODUCTS]
    offers = await turn.backend.offers(turn.retailer, skus) if skus else []
    body: list[str] = []
    for sku in skus:
        mine = [o for o in offers if o.sku == sku]
        if mine:
            body.append(_price_line(turn, mine))
        else:
            name = next((ln.name for ln in reading.lines if ln.sku == sku), None) or next(
                (o.name for ln in reading.lines for o in ln.options if o.sku == sku), sku)
            body.append(turn.tr("ask.price.none", name=name))
    body += [turn.tr("cart.unknown", text=text) for text in unknown]
    if not body:
        body.append(turn.tr("cart.unknown", text=subject))
    body.append(turn.tr("ask.price.how_to_order"))
    turn.say(Text("\n".join(body)))


def _price_line(turn: Turn, offers: Sequence[PriceOffer]) -> str:
    first = offers[0]
    per = unit(turn.lang, first.unit, Decimal(1))
    prices = ", ".join(turn.tr("ask.price.at", price=money(turn.lang, o.price), unit=per,
                               vendor=o.vendor)
                       for o in offers[:MAX_PRICES_PER_PRODUCT])
    return turn.tr("ask.price", name=first.name, prices=prices)


async def show_categories(turn: Turn) -> None:
    """The categories the area's vendors sell in, as a list to tap."""
    categories = await turn.backend.categories(turn.retailer)
    if not categories:
        turn.text("ask.catalogue.empty")
        return
    rows = tuple(ListRow(id=CategoryChoice(c.name).to_id(), title=fit(c.name.title(), 24),
                         description=turn.tr("ask.catalogue.count", count=c.products))
                 for c in categories[:10])
    turn.say(ListMenu(body=turn.tr("ask.catalogue"), button=turn.tr("ask.catalogue.button"),
                      sections=(ListSection(title=turn.tr("ask.catalogue.section"),
                                            rows=rows),)))


async def show_category(turn: Turn, choice: CategoryChoice) -> None:
    """A tapped category: its products with the cheapest price in the area."""
    offers = await turn.backend.category_offers(turn.retailer, choice.category)
    if not offers:
        turn.text("stale_reply")
        return
    cheapest: dict[str, PriceOffer] = {}
    for o in offers:
        cheapest.setdefault(o.sku, o)
    lines = [turn.tr("ask.category.header", category=choice.category.title())]
    for o in list(cheapest.values())[:MAX_CATEGORY_LINES]:
        lines.append(turn.tr("ask.category.line", name=o.name, price=money(turn.lang, o.price),
                             unit=unit(turn.lang, o.unit, Decimal(1))))
    lines.append(turn.tr("ask.price.how_to_order"))
    turn.say(Text("\n".join(lines)))
