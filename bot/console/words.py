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
    # console2: conversations (take over / hand back), catalogue upload, reports
    "conv.title": ("Conversations", "कुराकानी"),
    "conv.live": ("Live conversations", "चलिरहेका कुराकानी"),
    "conv.taken": ("Taken over by an operator", "अपरेटरले लिएका कुराकानी"),
    "conv.phone": ("Phone", "फोन"),
    "conv.state": ("State", "अवस्था"),
    "conv.cart_lines": ("Cart lines", "कार्टका सामान"),
    "conv.idle": ("Idle (min)", "निष्क्रिय (मिनेट)"),
    "conv.by": ("By", "द्वारा"),
    "conv.since": ("Since", "देखि"),
    "conv.note": ("Note", "टिप्पणी"),
    "conv.open": ("Open", "खोल्नुहोस्"),
    "conv.find": ("Open a phone number", "फोन नम्बर खोल्नुहोस्"),
    "conv.bad_phone": ("Not a phone number: {phone}", "फोन नम्बर मिलेन: {phone}"),
    "conv.bot_answers": ("The bot is answering this person.", "यो व्यक्तिलाई बोटले जवाफ दिइरहेको छ।"),
    "conv.held_by": ("Taken over by {name} since {since}. The bot is silent.",
                     "{since} देखि {name} ले लिनुभएको। बोट चुप छ।"),
    "conv.window_open": ("24-hour window open until {until}: free text can be sent.",
                         "२४ घण्टाको समय {until} सम्म खुला: सामान्य सन्देश पठाउन मिल्छ।"),
    "conv.window_closed": ("24-hour window closed: only an approved template can be sent.",
                           "२४ घण्टाको समय सकियो: स्वीकृत टेम्प्लेट मात्र पठाउन मिल्छ।"),
    "conv.transcript": ("Last messages", "पछिल्ला सन्देश"),
    "conv.session": ("Bot session", "बोटको सत्र"),
    "conv.no_session": ("No live session.", "चलिरहेको सत्र छैन।"),
    "conv.cart": ("Cart", "कार्ट"),
    "conv.takeover": ("Take over", "आफैं जवाफ दिनुहोस्"),
    "conv.taken_ok": ("You have taken over {phone}; the bot is silent.",
                      "{phone} तपाईंले लिनुभयो; बोट चुप छ।"),
    "conv.reply": ("Reply", "जवाफ"),
    "conv.send": ("Send", "पठाउनुहोस्"),
    "conv.sent": ("Queued for sending.", "पठाउन लाइनमा राखियो।"),
    "conv.template": ("Send template", "टेम्प्लेट पठाउनुहोस्"),
    "conv.signed": ("Your name in the message", "सन्देशमा तपाईंको नाम"),
    "conv.handback": ("Hand back to the bot", "बोटलाई फिर्ता दिनुहोस्"),
    "conv.handed_back": ("{phone} is back with the bot.", "{phone} फेरि बोटसँग।"),
    "conv.confirm_handback": ("Hand this conversation back to the bot?",
                              "यो कुराकानी बोटलाई फिर्ता दिने?"),
    "conv.who.person": ("them", "उहाँ"),
    "conv.who.bot": ("bot", "बोट"),
    "conv.who.operator": ("operator", "अपरेटर"),
    "conv.history": ("Earlier take-overs", "पहिलेका पटक"),
    "field.text": ("Reply", "जवाफ"),
    "field.note": ("Note", "टिप्पणी"),
    "field.signed": ("Name", "नाम"),
    "field.template": ("Template", "टेम्प्लेट"),
    "cat.title": ("Catalogue upload", "सामान सूची अपलोड"),
    "cat.intro": ("Upload a price list CSV (sku,name,unit,aliases,category,price[,stock][,pack]). "
                  "You see what would change first; nothing is written until you apply it.",
                  "मूल्य सूची CSV अपलोड गर्नुहोस्। पहिले के फेरिन्छ देखिन्छ; लागू नगरेसम्म केही "
                  "लेखिँदैन।"),
    "cat.file": ("CSV file", "CSV फाइल"),
    "cat.vendor": ("Vendor (for a vendor's price list)", "विक्रेता (उसको मूल्य सूचीका लागि)"),
    "cat.no_vendor": ("— the shared catalogue —", "— साझा सूची —"),
    "cat.check": ("Check (dry run)", "जाँच्नुहोस्"),
    "cat.rejected": ("{n} bad row(s): nothing can be imported until they are fixed.",
                     "{n} वटा गलत पङ्क्ति: नसच्याएसम्म आयात हुँदैन।"),
    "cat.line": ("Line", "पङ्क्ति"),
    "cat.problem": ("Problem", "समस्या"),
    "cat.plan": ("What applying this file would do", "यो फाइल लागू गर्दा के हुन्छ"),
    "cat.new": ("New", "नयाँ"),
    "cat.updated": ("Changed", "फेरिएका"),
    "cat.unchanged": ("Unchanged", "नफेरिएका"),
    "cat.absent": ("On the list but not in this file (kept)", "सूचीमा छ तर फाइलमा छैन (राखिन्छ)"),
    "cat.kept_names": ("Shared name kept", "साझा नाम राखियो"),
    "cat.ignored": ("Ignored columns", "बेवास्ता गरिएका स्तम्भ"),
    "cat.prices": ("Price changes", "मूल्य परिवर्तन"),
    "cat.old": ("Old", "पुरानो"),
    "cat.new_price": ("New", "नयाँ"),
    "cat.large": ("over 30%", "३०% भन्दा बढी"),
    "cat.accept": ("I have checked the large price changes", "ठूला मूल्य परिवर्तन जाँचेँ"),
    "cat.apply": ("Apply", "लागू गर्नुहोस्"),
    "cat.applied": ("Imported: {new} new, {changed} changed, {prices} prices.",
                    "आयात भयो: {new} नयाँ, {changed} फेरिएका, {prices} मूल्य।"),
    "cat.expired": ("That upload has expired; upload the file again.",
                    "त्यो अपलोडको समय सकियो; फेरि अपलोड गर्नुहोस्।"),
    "cat.no_file": ("Choose a CSV file to upload.", "CSV फाइल छान्नुहोस्।"),
    "cat.unreadable": ("The file is not UTF-8 text.", "फाइल UTF-8 पाठ होइन।"),
    "cat.too_big": ("The file is larger than {mb} MB.", "फाइल {mb} MB भन्दा ठूलो छ।"),
    "rep.title": ("Reports", "रिपोर्ट"),
    "rep.weeks": ("Weeks", "हप्ता"),
    "rep.gmv": ("GMV and orders by area", "क्षेत्र अनुसार कारोबार र अर्डर"),
    "rep.collections": ("Collections against dues", "तिर्नुपर्ने र उठेको रकम"),
    "rep.ageing": ("Ageing of what shops owe", "बाँकी रकमको उमेर"),
    "rep.league": ("Vendor league (week from {first})", "विक्रेता तालिका ({first} देखिको हप्ता)"),
    "rep.csv": ("Download CSV", "CSV डाउनलोड"),
    "rep.week": ("Week from", "हप्ता सुरु"),
    "rep.orders": ("Orders", "अर्डर"),
    "rep.gmv_col": ("GMV", "कारोबार"),
    "rep.due": ("Due", "तिर्नुपर्ने"),
    "rep.collected": ("Collected", "उठेको"),
    "rep.rate": ("Rate", "दर"),
    "rep.total": ("Total", "जम्मा"),
    "rep.rank": ("Rank", "स्थान"),
    "rep.value": ("Value", "मूल्य"),
    "rep.accept_rate": ("Accepted", "स्वीकृत"),
    "rep.fill_rate": ("Fulfilled", "पूरा"),
    "rep.unknown": ("Unknown report.", "यस्तो रिपोर्ट छैन।"),
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
