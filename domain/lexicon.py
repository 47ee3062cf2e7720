"""Word lists of everyday Nepali shop talk, compared by phonetic key.

These are general vocabulary (how people ask politely, the Nepali names of
common grocery goods), not product names: product names live in the catalogue.
"""

from __future__ import annotations

from domain.normalize import phonetic_key, plain_form


def _keys(words: str) -> frozenset[str]:
    return frozenset(phonetic_key(w) for w in words.split())


def _plain_words(words: str) -> frozenset[str]:
    return frozenset(plain_form(w) for w in words.split())


#: Politeness, address and request verbs that carry no product or quantity.
FILLER_WORDS: frozenset[str] = _plain_words(
    "dai daju didi bhai bahini sathi sir madam bro brother hajur ji malai hamilai mero "
    "hamro lai ko ka ki la hai ni ta pani ali alikati kripaya kindly please pls plz plese "
    "send need want give me us we i my our some also more the a an of for to with order "
    "orders ordr chahiyo chaiyo chahiye chahincha chahinchha chainchha chaincha chayo "
    "chaheko hola holaa hos hus garnu garnus garidinu garidinus gardinu gardinus dinu "
    "dinus dinuhos dinuhola deu dim dinuhunchha huncha hunchha hunxa milcha milchha "
    "pathaunu pathau pathaideu pathaidinu pathaidinus pathaidinuhola pathaunus pathaidim "
    "pathayidinu pathaidinuhos aaja aja bholi today tomorrow urgent jaldi chito asap "
    "namaste namaskar dhanyabad dhanyawad thanks thank thankyou you hi hello hey "
    "दाइ दाई दिदी भाइ हजुर मलाई हामीलाई लाई को पनि कृपया चाहियो चाहिन्छ पठाइदिनु "
    "पठाउनु पठाइदिनुहोस् पठाइदिनुहोला होला गर्नु दिनु दिनुहोस् आज भोलि अर्डर नमस्ते "
    "नमस्कार धन्यवाद chha cha xa chaina ho hoina na ne re ok okay okk yes "
    "yo tyo yi tyi this that these those oi hapta haptaa week halnu haalnu halidinu "
    "haldinu rakhnu rakhidinu aru arko यो त्यो हप्ता हाल्नु"
)
#: Words that make a sentence a complaint or a report about a past delivery (broken,
#: spoilt, missing, "was", "came"): a sentence with one is never an order, even when
#: it names products and quantities.
COMPLAINT_WORDS: frozenset[str] = _plain_words(
    "futeko phuteko futyo phutyo futeka phuteka bigreko bigriyo bigryo bigrieko kharab "
    "kharaab chaldaina chalena chaldain nachalne damage damaged broken leak leaking leaked "
    "expired expiry missing complaint complain galat wrong thiyo thyo aayo ayo aako aayeko "
    "aaeko firta returned sadeko kuhieko फुटेको फुट्यो बिग्रेको बिग्रियो खराब चल्दैन थियो "
    "आयो आएको फिर्ता गलत कुहिएको"
)


def is_complaint(word: str) -> bool:
    """True for a word that reports a problem with goods already delivered."""
    return plain_form(word) in COMPLAINT_WORDS


#: Words after a size, price or descriptor that mark it as choosing a variant
#: ("100g wala", "Rs 10 wala", "vanilla wala"): never a product word.
DESCRIPTOR_MARKERS: frozenset[str] = _plain_words("wala wali wale vala vali bala वाला वाली")
#: Words before a number that make it a price ("Rs 10 wala"), not a quantity.
PRICE_WORDS: frozenset[str] = _plain_words("rs npr rupees rupiya rupaiya रु रू रुपैयाँ")
#: Words that make a sentence ending in "?" a polite request rather than a question.
REQUEST_WORDS: frozenset[str] = _plain_words(
    "chahiyo chaiyo chahiye chahincha chahinchha send need want order dinu dinus dinuhos "
    "deu dim please pls plz kripaya चाहियो चाहिन्छ दिनु दिनुहोस् कृपया"
)


def is_request(word: str) -> bool:
    """True for a word asking for goods (send, chahiyo, pathaidinu …)."""
    form = plain_form(word)
    return form in REQUEST_WORDS or (len(form) > 5 and form.startswith(FILLER_PREFIXES))
#: Words said after a person's name to address them ("Sitaram dai", "Hari ji", "Gita
#: didi"): the name before one is the person spoken to, not goods. Kinship and
#: honorifics only, so the rule is about how people are addressed, not about names.
ADDRESS_WORDS: frozenset[str] = _plain_words(
    "dai daju didi bhai bahini sathi sir madam hajur ji sahuji saahuji uncle aunty "
    "दाइ दाई दाजु दिदी भाइ बहिनी हजुर जी साहुजी"
)


def is_address(word: str) -> bool:
    """True for a kinship word or honorific that follows the name of the person addressed."""
    return plain_form(word) in ADDRESS_WORDS


#: Verb stems: any word starting with one is a request verb (pathaidinuhunchha …).
FILLER_PREFIXES: tuple[str, ...] = ("pathai", "pathau", "pathay", "pathaa", "patha")


def is_filler(word: str) -> bool:
    """True when a word is politeness, address or a request verb."""
    form = plain_form(word)
    return form in FILLER_WORDS or (len(form) > 5 and form.startswith(FILLER_PREFIXES))


# Common grocery words: every word on a line means the same thing to a shopkeeper.
_GLOSSARY: tuple[str, ...] = (
    "rice chamal chaamal bhat चामल",
    "dal daal lentil lentils pulse pulses दाल",
    "oil tel तेल",
    "sugar chini cheeni चिनी",
    "salt nun noon नुन",
    "flour pitho pitto पिठो",
    "tea chiya chia चिया",
    "soap sabun saboon साबुन",
    "biscuit biscuits biskut biskit cookie cookies बिस्कुट",
    "noodles noodle chauchau chowchow चाउचाउ",
    "spice spices masala मसला",
    "milk dudh doodh दुध दूध",
    "curd dahi दही",
    "ghee ghiu ghyu घिउ",
    "honey maha मह",
    "mustard tori तोरी",
    "soybean soyabean soya bhatmas भटमास",
    "cumin jeera jira जिरा",
    "turmeric besar haldi बेसार",
    "chilli chili khursani खुर्सानी",
    "coriander dhaniya dhania धनियाँ धनिया",
    "fenugreek methi मेथी",
    "garlic lasun लसुन",
    "ginger aduwa अदुवा",
    "chickpea chickpeas chana चना",
    "semolina suji sooji सुजी",
    "water pani",
    "matches matchbox salai सलाई",
    "candle candles mainbatti मैनबत्ती",
    "incense dhup धुप",
    "toothpaste manjan मन्जन",
    "detergent washing powder",
    "juice jus",
    "beaten chiura",
    "egg eggs anda अण्डा",
)


def _glossary() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _GLOSSARY:
        words = line.split()
        head = phonetic_key(words[0])
        for w in words:
            table.setdefault(phonetic_key(w), head)
    # "pani" (water) is also "too/also"; fillers win because people write it that way.
    table.pop(phonetic_key("pani"), None)
    table.pop(phonetic_key("powder"), None)
    table.pop(phonetic_key("washing"), None)
    return table


#: Phonetic key -> the key of the concept it names (chamal -> rice).
SYNONYMS: dict[str, str] = _glossary()


def concept(key: str) -> str:
    """Map a key to its glossary concept, or itself."""
    return SYNONYMS.get(key, key)


# Intent vocabulary. Phrases are matched as whole-word sequences of keys.
GREETING = ("hi", "hello", "helo", "hey", "namaste", "namaskar", "namaskaar", "good morning",
            "good evening", "good afternoon", "gm", "नमस्ते", "नमस्कार", "सुप्रभात", "jai nepal")
THANKS = ("thanks", "thank you", "thankyou", "thx", "ty", "dhanyabad", "dhanyawad",
          "dhanyabaad", "धन्यवाद", "thank u", "🙏")
STATUS = ("status", "order status", "kaha pugyo", "kata pugyo", "kaha pugeko", "kahile aaucha",
          "kahile aaunchha", "kahile aauchha", "kahile aaucha", "kahile auxa", "track",
          "tracking", "where is my order", "delivery kahile", "kahile aaune", "स्थिति",
          "कहाँ पुग्यो", "कहिले आउँछ", "aayena", "aaena", "ayena", "not arrived")
BALANCE = ("balance", "baki", "baaki", "udharo", "udhar", "hisab", "hisaab", "kati tirnu",
           "tirnu", "payment", "paid", "bhuktani", "credit", "due", "dues", "statement",
           "बाँकी", "उधारो", "हिसाब", "भुक्तानी", "paisa", "rakam")
HELP = ("help", "madat", "maddat", "sahayog", "menu", "how to", "kasari", "मद्दत", "सहयोग",
        "k garne", "ke garne")
CANCEL = ("cancel", "cancel garnu", "radda", "rad", "chaidaina", "chahidaina", "chaiyena",
          "chahiyena", "nachahine", "रद्द", "क्यान्सल", "चाहिँदैन", "चाहिएन")
CONFIRM = ("yes", "y", "ok", "okay", "okk", "confirm", "confirmed", "ho", "hunchha", "huncha",
           "hunxa", "thik cha", "thik chha", "thikai cha", "sahi", "done", "pakka", "हो",
           "हुन्छ", "ठिक छ", "ठीक छ", "👍", "✅", "👌", "sure")
REORDER = ("reorder", "re order", "repeat", "same as last", "last order", "same order",
           "pahile jastai", "pahilekai", "pahile ko jasto", "feri tehi", "tehi order",
           "उही", "पहिलेकै", "पहिले जस्तै", "again same", "same again")
#: Words that make a message a question rather than an order.
QUESTION_WORDS = _keys(
    "kati ke kahile kaha kata kina kasto kun kasari what when where why how which rate "
    "price mol dam daam cost कति के कहिले कहाँ किन कस्तो कुन कसरी मूल्य रेट भाउ bhau"
)


def phrase_keys(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Each phrase as a tuple of phonetic keys (emoji kept as they are)."""
    out = []
    for p in phrases:
        out.append(tuple(phonetic_key(w) or w for w in p.split()))
    return tuple(out)


# ---------------------------------------------------------------- whole-message commands
# A retailer's message that is exactly one of these words (case folded, trailing
# punctuation dropped) is a command to the conversation (flows/commands.py). They
# are read differently from the intent phrases above, which the order parser looks
# for by phonetic key inside any message; each command list is deliberately its own:
#
# - CONFIRM_COMMAND takes only an explicit "confirm" (pakka, order gara, ठीक छ …):
#   confirming places an order, so it takes the word, never a guess. CONFIRM above
#   also counts plain agreement (ok, yes, 👍), which the parser reads as the
#   message's intent but the conversation never turns into an order on its own.
# - YES_COMMAND / NO_COMMAND answer an offer (a smaller order after a shortfall);
#   YES_COMMAND is part of CONFIRM's agreement words, NO_COMMAND is not an intent.
# - The rest name what the conversation can do; they overlap the intent phrases
#   but are not the same lists (a command must be the whole message).

HELP_COMMAND = ("help", "menu", "madat", "maddat", "sahayog", "मद्दत", "मदत", "सहयोग", "मेनु", "?")
STATUS_COMMAND = ("status", "mero order", "my order", "my orders", "orders", "order status",
                  "mero orders", "order kaha pugyo", "मेरो अर्डर", "अर्डर", "स्थिति")
# "hisab" (the account) asks for a statement now (STATEMENT_WORDS); "baki" is the balance.
BALANCE_COMMAND = ("balance", "baki", "baaki", "udharo", "credit",
                   "बाँकी", "बाकी", "उधारो")
CANCEL_COMMAND = ("cancel", "cancel order", "cancel cart", "rad", "radd", "rad gara",
                  "radd gara", "rad garnu", "रद्द", "रद्द गर", "रद्द गर्नु", "क्यान्सिल")
REORDER_COMMAND = ("reorder", "re-order", "repeat", "repeat order", "same as last",
                   "pahile jastai", "pahila jastai", "pahilekai", "feri tyahi",
                   "पहिले जस्तै", "पहिला जस्तै", "फेरि त्यही")
ENGLISH_COMMAND = ("english", "eng", "in english", "अंग्रेजी", "इङ्लिस")
NEPALI_COMMAND = ("nepali", "नेपाली", "nepali ma", "नेपालीमा")
CONFIRM_COMMAND = ("confirm", "pakka", "pakka gara", "thik cha", "order gara", "पक्का",
                   "पक्का गर", "ठीक छ", "कन्फर्म")
EDIT_COMMAND = ("edit", "change", "badal", "badalnu", "sacha", "बदल", "बदल्नु", "बदल्नुहोस्")
GREETING_COMMAND = ("hi", "hello", "hey", "namaste", "namaskar", "नमस्ते", "नमस्कार", "start")
YES_COMMAND = ("yes", "y", "ho", "hunchha", "huncha", "हो", "हुन्छ")
# Marketing consent (any number, any state; read by flows/consent.py before any flow):
# STOP turns nudges off, START back on. Not a cancel word: stopping promotions never
# touches the cart or an order. Not `_COMMAND` lists: the conversation never sees them.
STOP_MARKETING_WORDS = ("stop", "unsubscribe", "banda", "band", "रोक", "रोक्नुहोस्",
                        "stop promotions")
START_MARKETING_WORDS = ("start", "resume", "subscribe", "suru", "सुरु")
# pay: paying from the chat (flows/retailer/paying.py); also read with an amount before
# or after it ("pay 500", "५०० तिर्नु") by domain.payments.read_pay_request.
PAY_COMMAND = ("pay", "pay now", "tirnu", "tirchu", "tirne", "bhuktani", "bhuktani garnu",
               "भुक्तानी", "भुक्तानी गर्नु", "तिर्नु", "तिर्छु")
# Words after a pay word that ask how much is owed ("kati tirnu"): the balance answers.
PAY_QUESTION = ("kati", "kati ho", "how much", "कति", "कति हो")
NO_COMMAND = ("no", "n", "hoina", "haina", "होइन", "हैन", "pardaina", "पर्दैन", "nai", "naai",
              "नाइँ", "नाई")

# ---------------------------------------------------------------- statements (paper)
# A message made of a statement word, filler words and at most one BS month name
# ("hisab mangsir", "statement for Kartik", "मंसिरको हिसाब") asks for a statement
# of account (flows/commands.statement_request); months are read by
# domain.nepali_calendar.month_from_word.
STATEMENT_WORDS = ("statement", "hisab", "hisaab", "hisap", "हिसाब", "हिसाप", "khata", "khaata",
                   "खाता")
STATEMENT_FILLERS = ("mero", "my", "for", "of", "ko", "ka", "the", "account", "please", "plz",
                     "send", "pathau", "pathaunu", "pathaunus", "pathaideu", "pathaidinus",
                     "dinus", "deu", "ma", "month", "mahina", "महिना", "मेरो", "को", "मा",
                     "पठाउ", "पठाउनु", "पठाउनुस्", "पठाइदिनुस्", "दिनुस्", "देउ")
#: Suffixes written onto a month name: "mangsirko", "मंसिरको".
STATEMENT_SUFFIXES = ("ko", "को", "ka")
