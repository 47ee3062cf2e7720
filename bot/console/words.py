"""Every word the console shows, in English and Nepali, and the page's language.

The console is staff-facing, not the bot: its words live here rather than in
flows/i18n (which holds what the bot says to shops and vendors). A key missing
in either language fails tests/console/test_words.py, and `t()` raises on an
unknown key rather than showing a blank.

Add a page's words under its own prefix (`orders.…`, `inbox.…`).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

LANG_COOKIE = "khaacho_lang"
LANGUAGES = ("en", "ne")

# key: (English, Nepali)
WORDS: dict[str, tuple[str, str]] = {
    # layout and navigation
    "app.name": ("Khaacho console", "खाँचो कन्सोल"),
    "nav.dashboard": ("Today", "आज"),
    "nav.orders": ("Orders", "अर्डर"),
    "nav.retailers": ("Shops", "पसल"),
    "nav.vendors": ("Vendors", "थोक विक्रेता"),
    "nav.conversations": ("Conversations", "कुराकानी"),
    "nav.inbox": ("Inbox", "इनबक्स"),
    "nav.outbox": ("Outbox", "पठाउन बाँकी"),
    "nav.catalogue": ("Catalogue", "सामान सूची"),
    "nav.reports": ("Reports", "रिपोर्ट"),
    "nav.operators": ("Operators", "अपरेटर"),
    "nav.logout": ("Log out", "लग आउट"),
    "nav.signed_in_as": ("{name} ({role})", "{name} ({role})"),
    "lang.switch": ("नेपाली", "English"),
    "role.viewer": ("viewer", "हेर्ने"),
    "role.operator": ("operator", "अपरेटर"),
    "role.admin": ("admin", "एडमिन"),
    # login
    "login.title": ("Log in", "लग इन"),
    "login.submit": ("Log in", "लग इन गर्नुहोस्"),
    "login.failed": ("Wrong username or password.", "प्रयोगकर्ता नाम वा पासवर्ड मिलेन।"),
    "login.limited": ("Too many failed logins. Try again in {minutes} min.",
                      "धेरै पटक गलत भयो। {minutes} मिनेटपछि फेरि प्रयास गर्नुहोस्।"),
    "login.expired_form": ("The form had expired; please log in again.",
                           "फारमको समय सकियो; फेरि लग इन गर्नुहोस्।"),
    "login.logged_out": ("You are logged out.", "तपाईं लग आउट हुनुभयो।"),
    "field.username": ("Username", "प्रयोगकर्ता नाम"),
    "field.password": ("Password", "पासवर्ड"),
    # refusals
    "error.csrf": ("This form is out of date or was not sent from the console. Open the page "
                   "again and retry.",
                   "यो फारम पुरानो भयो वा कन्सोलबाट पठाइएन। पेज फेरि खोलेर प्रयास गर्नुहोस्।"),
    "error.role": ("Your account cannot do this: it needs the {role} role.",
                   "तपाईंको खाताले यो गर्न सक्दैन: {role} भूमिका चाहिन्छ।"),
    "error.not_found": ("Not found.", "भेटिएन।"),
    "error.title": ("Not allowed", "अनुमति छैन"),
    "error.back": ("Back to today", "आजको पेजमा फर्कनुहोस्"),
    "form.required": ("{field} is required.", "{field} चाहिन्छ।"),
    "form.too_long": ("{field} is longer than {n} characters.",
                      "{field} {n} अक्षरभन्दा लामो भयो।"),
    "form.invalid": ("{field} is not valid: {why}", "{field} मिलेन: {why}"),
    "common.none": ("None.", "केही छैन।"),
    "common.all": ("All", "सबै"),
    "common.filter": ("Filter", "छान्नुहोस्"),
    "common.save": ("Save", "सेभ गर्नुहोस्"),
    "common.yes": ("yes", "हो"),
    "common.no": ("no", "होइन"),
    # dashboard
    "dash.title": ("Today", "आज"),
    "dash.placed": ("Orders placed", "राखिएका अर्डर"),
    "dash.accepted": ("Accepted", "स्वीकार भएका"),
    "dash.delivered": ("Delivered", "पुर्‍याइएका"),
    "dash.gmv": ("GMV (today's orders)", "आजको कारोबार"),
    "dash.unroutable": ("Unroutable orders", "विक्रेता नभेटिएका अर्डर"),
    "dash.unroutable_list": ("Unroutable orders (assign a vendor)",
                             "विक्रेता नभेटिएका अर्डर (विक्रेता तोक्नुहोस्)"),
    "dash.disputes": ("Open disputes", "खुला उजुरी"),
    "dash.dead": ("Dead letters", "नपुगेका सन्देश"),
    "dash.dead_parts": ("outbox {outbox} · inbound {inbound} · webhooks {webhooks}",
                        "पठाउने {outbox} · आएका {inbound} · वेबहुक {webhooks}"),
    "dash.backlog": ("Message backlog", "बाँकी सन्देश"),
    "dash.backlog_parts": ("to handle {inbox} · to send {outbox}",
                           "हेर्न बाँकी {inbox} · पठाउन बाँकी {outbox}"),
    "dash.oldest": ("oldest", "सबैभन्दा पुरानो"),
    "dash.waiting": ("Waiting for a vendor (oldest first)",
                     "विक्रेताको जवाफ पर्खिरहेका (पुरानो पहिले)"),
    # table columns
    "col.shop": ("Shop", "पसल"),
    "col.area": ("Area", "क्षेत्र"),
    "col.vendor": ("Vendor", "विक्रेता"),
    "col.total": ("Total", "जम्मा"),
    "col.placed": ("Placed", "राखिएको"),
    "col.deadline": ("Answer by", "जवाफको म्याद"),
    # operators (admins)
    "field.role": ("Role", "भूमिका"),
    "operators.state": ("State", "अवस्था"),
    "operators.active": ("active", "सक्रिय"),
    "operators.disabled_state": ("disabled", "बन्द"),
    "operators.last_login": ("Last login", "अन्तिम लग इन"),
    "operators.created": ("Created", "बनाइएको"),
    "operators.add": ("Add an operator", "अपरेटर थप्नुहोस्"),
    "operators.added": ("Account {name} added.", "{name} खाता थपियो।"),
    "operators.disable": ("Disable", "बन्द गर्नुहोस्"),
    "operators.disabled": ("Account {name} disabled.", "{name} खाता बन्द गरियो।"),
    "operators.confirm_disable": ("Disable {name}? They are logged out at once.",
                                  "{name} बन्द गर्ने? उहाँ तुरुन्तै लग आउट हुनुहुन्छ।"),
    "operators.not_yourself": ("You cannot disable your own account.",
                               "आफ्नै खाता बन्द गर्न मिल्दैन।"),
}


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)` in `lang`: the wording with `{names}` filled in."""
    index = 1 if lang == "ne" else 0

    def t(key: str, **values: object) -> str:
        text = WORDS[key][index]
        return text.format(**values) if values else text

    return t


def language_of(request: web.Request) -> str:
    """The page's language: the operator's choice (a cookie), English by default."""
    lang = request.cookies.get(LANG_COOKIE, "en")
    return lang if lang in LANGUAGES else "en"
