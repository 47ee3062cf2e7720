"""Nepali wording (Devanagari): the same keys as `flows/i18n/en.py`.

Commands stay recognisable in both scripts (`status`/`मेरो अर्डर`), so the
help text shows the Nepali forms a shopkeeper can type.
"""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # ---------------------------------------------------------------- retailer conversation
    "onboard.welcome": (
        "नमस्ते! 🙏 यो खाँचो हो — पसलको सामान WhatsApp मै अर्डर गर्नुहोस्।\n"
        "तपाईं नयाँ हुनुहुन्छ। पसलको नाम के हो?"
    ),
    "onboard.ask_area": "धन्यवाद! {shop} कुन ठाउँमा छ? (जस्तै कलंकी, बानेश्वर, पोखरा-८)",
    "onboard.bad_name": "कृपया पसलको नाम एउटै छोटो लाइनमा पठाउनुहोस् (१२० अक्षरसम्म)।",
    "onboard.bad_area": "कृपया ठाउँको नाम मात्र एउटै छोटो लाइनमा पठाउनुहोस् (८० अक्षरसम्म)।",
    "onboard.area_pick": "सूचीबाट छान्नुहोस्, वा त्यहाँ छैन भने लेख्नुहोस्।",
    "onboard.area_button": "ठाउँहरू",
    "onboard.area_unserved": (
        "{area} मा अहिलेसम्म खाचोका कुनै सप्लायरले सामान पुर्‍याउँदैनन्, त्यसैले त्यहाँको "
        "मूल्य देखाउन सकिन। अपरेटरले हेरेर तपाईंलाई जोड्नुहुनेछ।"
    ),
    "onboard.done": (
        "तपाईंको दर्ता भयो: {shop}, {area}। ✅\n"
        "छिट्टै अपरेटरले खाता स्वीकृत गर्नुहुनेछ। त्यतिन्जेल सामानको नाम पठाएर "
        "मूल्य हेर्न सक्नुहुन्छ, तर उधारो अर्डर स्वीकृतिपछि मात्र हुन्छ।"
    ),
    "account.pending": (
        "तपाईंको खाता अपरेटरको स्वीकृति पर्खिरहेको छ, त्यसैले अहिले उधारो अर्डर "
        "गर्न मिल्दैन। कार्ट राखिएको छ; स्वीकृत भएपछि अर्डर गर्न सकिन्छ।"
    ),
    "account.blocked": (
        "तपाईंको खाता रोकिएको छ ({reason}), त्यसैले नयाँ अर्डर गर्न मिल्दैन। "
        "कृपया बाँकी तिर्नुहोस् वा हामीलाई फोन गर्नुहोस्।"
    ),
    "account.blocked.noreason": "स्वीकृत छैन",
    "cart.added": "कार्टमा थपियो:",
    "cart.line": "{n}. {name} — {qty} {unit} × {price} = {total}",
    "cart.line.short": "{n}. {name} — {qty} {unit} ⚠",
    "cart.line.noprice": "{n}. {name} — {qty} {unit} (कुनै पसलको मूल्य छैन)",
    "cart.qty_needed": "{name} कति {unit} चाहियो? सङ्ख्या पठाउनुहोस्, जस्तै “{example}”।",
    "cart.qty_not_whole": (
        "{name} पूरा {unit} मा मात्र बिक्छ — कति {unit}? सङ्ख्या पठाउनुहोस्, जस्तै “{example}”।"
    ),
    "cart.qty_not_positive": (
        "{name}: {qty} अर्डर गर्न मिल्दैन — परिमाण शून्यभन्दा बढी हुनुपर्छ, जस्तै “{example}”।"
    ),
    "cart.unknown": "“{text}” सूचीमा भेटिएन।",
    "cart.unknown.suggest": "“{text}” भेटिएन। नजिकका: {suggestions}।",
    "cart.empty": (
        "तपाईंको कार्ट खाली छ। चाहिने सामान एउटै सन्देशमा पठाउनुहोस्, जस्तै\n"
        "“चिनी १० केजी, सोना २ बोरा, वाइवाइ २ कार्टुन”"
    ),
    "cart.cleared": "कार्ट खाली गरियो।",
    "cart.cancelled": "कार्ट रद्द गरियो। केही अर्डर भएको छैन।",
    "cart.nothing_understood": (
        "माफ गर्नुहोस्, बुझिनँ। सामान र परिमाण पठाउनुहोस्, जस्तै "
        "“चिनी १० केजी, वाइवाइ २ कार्टुन”, वा “मद्दत” पठाउनुहोस्।"
    ),
    "ask.which": "“{text}” भन्नाले कुन हो?",
    "ask.button": "छान्नुहोस्",
    "ask.none": "यीमध्ये कुनै होइन",
    "ask.none.desc": "यो सामान छोड्ने",
    "ask.skipped": "“{text}” छोडियो।",
    "ask.pick_from_list": "कृपया माथिको सूचीबाट छान्नुहोस्, वा “रद्द” पठाउनुहोस्।",
    "review.header": "तपाईंको अर्डर",
    "review.intro": "कृपया अर्डर जाँच्नुहोस् ({count} किसिम):",
    "review.total": "जम्मा: {total}",
    "review.total.rest": "नपुग सामानबाहेक जम्मा: {total}",
    "review.blocked": "तपाईंको खाता रोकिएको छ, त्यसैले उधारो उपलब्ध छैन।",
    "review.vendor": "आपूर्तिकर्ता: {vendor}",
    "review.credit": "बाँकी उधारो सीमा: {available}",
    "review.unpriced": "⚠ {count} सामानको मूल्य छैन, अर्डर गर्न मिल्दैन।",
    "short.stock.anyone": "{name} {available} {unit} मात्र स्टकमा छ (तपाईंले {asked} माग्नुभयो)।",
    "review.footer": "अर्डर गर्न पक्का थिच्नुहोस् वा “हो” लेख्नुहोस्",
    "btn.confirm": "पक्का",
    "btn.edit": "बदल्नुहोस्",
    "btn.cancel": "रद्द",
    "btn.reduce": "घटाउनुहोस्",
    "btn.take_available": "भएजति लिने",
    "btn.other_vendor": "अर्को पसल",
    "btn.yes": "हो",
    "btn.no": "होइन",
    "edit.help": (
        "परिवर्तन पठाउनुहोस्:\n"
        "• “चिनी २० केजी” — २० केजी बनाउने\n"
        "• “चिनी ५ केजी थप” — ५ केजी थप्ने\n"
        "• “रारा हटाउ” वा “२ हटाउ” — सामान वा २ नम्बर हटाउने\n"
        "• “सबै हटाउ” — कार्ट खाली गर्ने"
    ),
    "edit.changed": "{name} बदलियो: {old} → {new} {unit}।",
    "edit.increased": "{name} {added} {unit} थपियो: अब {new} {unit}।",
    "edit.same": "{name} पहिले नै {qty} {unit} छ।",
    "edit.not_in_cart": "“{text}” तपाईंको कार्टमा छैन।",
    "edit.no_line": "{n} नम्बर छैन — कार्टमा {count} लाइन मात्र छ।",
    "edit.removed": "{name} हटाइयो।",
    "edit.bad_qty": "परिमाण मिलेन: {problem}",
    "confirm.nothing": "पक्का गर्न कार्टमा केही छैन। अर्डर गर्न सामान पठाउनुहोस्।",
    "confirm.expired": "त्यो बटन पुरानो कार्टको हो। अहिलेको कार्ट यो हो:",
    "placed": (
        "✅ अर्डर #{number} {vendor} लाई पठाइयो।\n"
        "जम्मा {total}। उहाँले स्वीकार गरेपछि खबर गर्छु।"
    ),
    "placed.many": "✅ अर्डर बाँडियो: {orders}। हरेक स्वीकार भएपछि खबर गर्छु।",
    "short.credit": (
        "यो अर्डर {total} को हो, तर तपाईंको बाँकी उधारो सीमा {available} मात्र छ — "
        "{short} नपुग।"
    ),
    "short.credit.offer": "उधारो सीमाभित्र पर्ने गरी घटाउन सकिन्छ ({reduced})। घटाउने?",
    "short.credit.none": "अहिले उधारो सीमा बाँकी छैन। कृपया पहिले बाँकी तिर्नुहोस्।",
    "short.stock": "{vendor} सँग {name} {available} {unit} मात्र छ (तपाईंले {asked} माग्नुभयो)।",
    "short.stock.offer": "{name} {available} {unit} लिने?",
    "short.stock.offer_rest": "भएजति सामान मात्र अर्डर गर्ने?",
    "short.minimum": "{vendor} ले {name} कम्तीमा {minimum} {unit} बेच्छ (तपाईंले {asked} माग्नुभयो)।",
    "short.minimum.anyone": "{name} कम्तीमा {minimum} {unit} बिक्छ (तपाईंले {asked} माग्नुभयो)।",
    "short.stock.other": "अर्को आपूर्तिकर्ता ({vendor}) सँग छ: जम्मा {total}।",
    "short.unknown_items": "केही सामान अब बिक्रीमा छैनन्: {names}। हटाइयो।",
    "short.not_allowed": "माफ गर्नुहोस्, यो अर्डर गर्न मिलेन: {reason}",
    "short.no_vendor": (
        "तपाईंको क्षेत्रमा यी सामान दिने आपूर्तिकर्ता अहिले छैन। "
        "अपरेटरलाई खबर गरिएको छ।"
    ),
    "offer.declined": "ठीक छ, अर्डर गरिएन। कार्ट राखिएको छ — बदल्न “बदल्नुहोस्” पठाउनुहोस्।",
    "status.none": "तपाईंको कुनै अर्डर छैन।",
    "status.header": "तपाईंका हालका अर्डर:",
    "status.line": "#{number} — {status} — {total} ({date})",
    "balance": (
        "तपाईंको हिसाब:\n"
        "तिर्न बाँकी: {outstanding}\n"
        "खुला अर्डर: {open}\n"
        "उधारो सीमा: {limit}\n"
        "बाँकी उधारो सीमा: {available}\n"
        "{due}"
    ),
    "balance.due": "अर्को भुक्तानी: {date} भित्र {amount}",
    "balance.nodue": "अहिले तिर्नुपर्ने केही छैन।",
    "help": (
        "अर्डर गर्ने तरिका: सबै सामान एउटै सन्देशमा पठाउनुहोस्, जस्तै\n"
        "“चिनी १० केजी, सोना २ बोरा, वाइवाइ २ कार्टुन”\n"
        "अनि “पक्का” थिच्नुहोस्।\n\n"
        "आदेशहरू:\n"
        "• मेरो अर्डर — अर्डरको स्थिति\n"
        "• बाँकी — बाँकी र उधारो सीमा\n"
        "• हिसाब — खाताको विवरण (PDF), जस्तै “मंसिरको हिसाब”\n"
        "• भुक्तानी — बाँकी रकम च्याटबाटै तिर्नुहोस् (वा “५०० तिर्नु”)\n"
        "• पहिले जस्तै — अघिल्लो अर्डर फेरि\n"
        "• रद्द — कार्ट वा स्वीकार नभएको पछिल्लो अर्डर रद्द\n"
        "• रद्द १०४२ — अर्डर #१०४२ रद्द\n"
        "• english — अंग्रेजीमा जवाफ\n"
        "• रोक / START — प्रस्तावहरू बन्द / फेरि सुरु (अर्डर र भुक्तानीका सन्देश आइरहन्छन्)"
    ),
    "greeting.reply": (
        "नमस्ते, {shop}! 🙏 चाहिने सामान एउटै सन्देशमा पठाउनुहोस्, जस्तै “चिनी १० केजी”, "
        "वा के के गर्न सकिन्छ हेर्न “मद्दत” पठाउनुहोस्।"
    ),
    "thanks.reply": "धन्यवाद! 🙏",
    "ask.price": "{name}: {prices}",
    "ask.price.at": "{price}/{unit} ({vendor})",
    "ask.price.none": "{name}: तपाईंको क्षेत्रमा अहिले कुनै आपूर्तिकर्ताले बेच्दैनन्।",
    "ask.price.how_to_order": "अर्डर गर्न “चिनी १० केजी” जस्तै पठाउनुहोस्।",
    "ask.catalogue": "तपाईंको क्षेत्रका आपूर्तिकर्ताले बेच्ने सामान। मूल्य हेर्न किसिम छान्नुहोस्:",
    "ask.catalogue.button": "किसिमहरू",
    "ask.catalogue.section": "किसिमहरू",
    "ask.catalogue.count": "{count} सामान",
    "ask.catalogue.empty": "तपाईंको क्षेत्रमा अहिलेसम्म कुनै आपूर्तिकर्ता छैनन्। अपरेटरले जोड्नुहुनेछ।",
    "ask.category.header": "{category}:",
    "ask.category.line": "• {name} — {price}/{unit}",
    "delivery.thanks": "धन्यवाद! अर्डर #{number} राम्रोसँग पुग्यो। 🙏",
    "delivery.ask_problem": (
        "माफ गर्नुहोस्। अर्डर #{number} मा के गडबड भयो? "
        "जस्तै “पुगेन” वा “३ बोतल फुटेको”।"
    ),
    "delivery.case_opened": (
        "अर्डर #{number} को लागि माफ गर्नुहोस्। गुनासो दर्ता गरेँ, अपरेटरलाई खबर गरिएको छ; "
        "उहाँले फोन गरेर मिलाउनुहुनेछ।"
    ),
    "delivery.case_open_already": (
        "अर्डर #{number} को गुनासो अपरेटरसँग पहिले नै खुला छ; उहाँले फोन गर्नुहुनेछ।"
    ),
    "delivery.not_delivered": (
        "अर्डर #{number} अझै पुगेको भनी राखिएको छैन — कहाँ छ हेर्न “मेरो अर्डर” पठाउनुहोस्।"
    ),
    "order.delivered.ask": "सबै सामान राम्रो अवस्थामा आइपुग्यो?",
    "btn.received": "पायौँ ✅",
    "btn.problem": "समस्या छ",
    "cancel.nothing": "रद्द गर्ने केही छैन।",
    "cancel.order_done": "अर्डर #{number} रद्द भयो।",
    "cancel.unknown": "अर्डर #{number} भेटिएन। आफ्ना अर्डर हेर्न “मेरो अर्डर” पठाउनुहोस्।",
    "cancel.not_yours": "अर्डर #{number} तपाईंको होइन, त्यसैले रद्द गर्न मिल्दैन।",
    "cancel.delivered": (
        "अर्डर #{number} पुगिसकेको छ, त्यसैले रद्द गर्न मिल्दैन। "
        "केही गडबड छ भने हामीलाई भन्नुहोस्।"
    ),
    "cancel.already_cancelled": "अर्डर #{number} पहिले नै रद्द भइसकेको छ।",
    "cancel.order_too_late": (
        "अर्डर #{number} आपूर्तिकर्ताले स्वीकार गरिसक्नुभयो, यहाँबाट रद्द गर्न मिल्दैन। "
        "कृपया उहाँलाई फोन गर्नुहोस्।"
    ),
    "reorder.none": "दोहोर्याउने पहिलेको अर्डर छैन।",
    "reorder.loaded": "अघिल्लो अर्डर (#{number}) कार्टमा राखेँ:",
    "reorder.missing": "अब पाइँदैन: {names}।",
    "language.set": "ठीक छ, अब नेपालीमा जवाफ दिन्छु।",
    "need_phone": (
        "नमस्ते! WhatsApp ले तपाईंको फोन नम्बर हामीलाई दिएन, र पसल दर्ता गर्न त्यो चाहिन्छ। "
        "कृपया आफ्नो मोबाइल नम्बर पठाउनुहोस् (जस्तै ९८XXXXXXXX), वा हाम्रो टोलीलाई "
        "तपाईंको खाता जोड्न भन्नुहोस्।"
    ),
    "text_too_long": (
        "यो सन्देश एकैपटक पढ्न धेरै लामो भयो। कृपया अर्डर छोटा सन्देशहरूमा पठाउनुहोस्, "
        "एउटामा करिब सय लाइनसम्म।"
    ),
    # media (issue 16)
    "media.received.image": (
        "धन्यवाद, तपाईंको फोटो पाइयो। 📷 हाम्रो टोलीका एक जनाले यसबाट तपाईंको अर्डर तयार "
        "गरेर पुष्टि गर्न यहीँ पठाउनुहुनेछ।"
    ),
    "media.received.voice": (
        "धन्यवाद, तपाईंको भ्वाइस म्यासेज पाइयो। 🎤 हाम्रो टोलीका एक जनाले सुनेर तपाईंको "
        "अर्डर तयार गरी पुष्टि गर्न यहीँ पठाउनुहुनेछ।"
    ),
    "media.received.document": (
        "धन्यवाद, तपाईंको फाइल पाइयो। 📄 हाम्रो टोलीका एक जनाले यसबाट तपाईंको अर्डर तयार "
        "गरेर पुष्टि गर्न यहीँ पठाउनुहुनेछ।"
    ),
    "media.received.other": (
        "धन्यवाद, पाइयो। हाम्रो टोलीका एक जनाले हेर्नुहुनेछ। छिटो अर्डर गर्न टाइप "
        "गर्नुहोस्, जस्तै “चिनी १० केजी”।"
    ),
    "media.too_large": (
        "यो फाइल धेरै ठूलो भयो ({limit} MB सम्म मात्र राख्न सकिन्छ)। कृपया सानो फोटो "
        "पठाउनुहोस्, वा अर्डर टाइप गर्नुहोस्, जस्तै “चिनी १० केजी”।"
    ),
    "media.lost": (
        "माफ गर्नुहोस्, तपाईंले पठाएको फाइल प्राप्त गर्न सकिएन। कृपया फेरि पठाउनुहोस्, वा "
        "अर्डर टाइप गर्नुहोस्, जस्तै “चिनी १० केजी”।"
    ),
    "media.cart_prepared": (
        "तपाईंले पठाएको आधारमा हाम्रो टोलीले यो कार्ट तयार गर्‍यो। कृपया हेरेर पुष्टि गर्नुहोस्:"
    ),
    "location.saved": "📍 तपाईंको डेलिभरी ठेगाना सुरक्षित गरियो: {place}।",
    "unsupported": (
        "माफ गर्नुहोस्, म पाठ, बटन र सूची मात्र पढ्न सक्छु। कृपया अर्डर टाइप गर्नुहोस्, "
        "जस्तै “चिनी १० केजी”।"
    ),
    "restart": (
        "माफ गर्नुहोस् — हाम्रो कुराकानी हरायो, फेरि सुरु गरौँ। "
        "पठाइसकेका अर्डर सुरक्षित छन्।"
    ),
    "change.which": (
        "यो जवाफ अर्डर {numbers} (जसको आपूर्तिकर्ताले केही भाग मात्र पठाउन सक्नुहुन्छ) को "
        "लागि हो कि यहाँ देखिएको कुराको लागि? कृपया जुन सन्देशको हो त्यसैको बटन थिच्नुहोस्।"
    ),
    "change.which_order": (
        "अर्डर {numbers} का आपूर्तिकर्ताले केही भाग मात्र पठाउन सक्नुहुन्छ। जुन अर्डरको "
        "हो त्यसको सन्देशमा “यति लिने” वा “अर्को पसल” थिच्नुहोस्।"
    ),
    "stale_reply": "त्यो छनोट पुरानो सन्देशको हो। अलमल भए “मद्दत” पठाउनुहोस्।",
    "reminder": (
        "तपाईंको कार्टमा {count} सामान ({total}) बाँकी छ। "
        "अर्डर गर्न पक्का, नत्र रद्द थिच्नुहोस्।"
    ),
    "busy_error": "माफ गर्नुहोस्, हाम्रो तर्फबाट गडबडी भयो। एक मिनेटपछि फेरि पठाउनुहोस्।",
    "status.pending": "आपूर्तिकर्ताको जवाफ पर्खँदै",
    "status.accepted": "स्वीकार भयो",
    "status.dispatched": "बाटोमा छ",
    "status.delivered": "पुग्यो",
    "status.cancelled": "रद्द",
    "status.unroutable": "आपूर्तिकर्ता खोज्दै",
    # ---------------------------------------------------------------- units
    "unit.kg": "केजी",
    "unit.bag": "बोरा",
    "unit.carton": "कार्टुन",
    "unit.packet": "प्याकेट",
    "unit.piece": "वटा",
    "unit.litre": "लिटर",
    "unit.bottle": "बोतल",
    "unit.tin": "टिन",
    "unit.jar": "जार",
    "unit.tray": "ट्रे",
    "unit.bundle": "मुठा",
    "unit.dozen": "दर्जन",
    "unit.box": "बक्स",
    "unit.unit": "वटा",
}

# --- orders and vendors ---
# Owned by the vendors-and-money work (issue 6): what vendors read about their
# orders and the notices retailers get as an order moves.
STRINGS.update({
    "vendor.offer.header": "नयाँ अर्डर #{number}",
    "vendor.offer.body": (
        "{shop}, {area} बाट\n"
        "{lines}\n"
        "जम्मा: {total}\n"
        "कृपया {minutes} मिनेटभित्र जवाफ दिनुहोस्। अस्वीकार गर्न अस्वीकार थिच्नुहोस् वा "
        "“अस्वीकार {number} कारण” लेख्नुहोस्।"
    ),
    "vendor.offer.line": "• {name} — {qty} {unit} × {price} = {total}",
    "vendor.offer.more": "… र अरू {count} सामान",
    "vendor.offer.footer": "खाचो अर्डर",
    "vendor.btn.accept": "स्वीकार",
    "vendor.btn.reject": "अस्वीकार",
    "vendor.confirm_one": "अर्डर #{number} — {shop}, {total}। पक्का गर्न थिच्नुहोस्:",
    "vendor.pick": "कुन अर्डर भन्नुभएको? एउटा छान्नुहोस्:",
    "vendor.pick.button": "अर्डरहरू",
    "vendor.pick.row": "#{number} {shop}",
    "vendor.btn.dispatch": "पठाइयो",
    "vendor.btn.deliver": "पुग्यो",
    "vendor.accepted": (
        "✅ अर्डर #{number} स्वीकार भयो। {shop}, {area} मा पुर्‍याउनुहोस् (📞 {phone})।\n"
        "पठाएपछि “पठाइयो {number}” लेख्नुहोस्।"
    ),
    "vendor.rejected": "अर्डर #{number} अस्वीकार भयो ({reason})। अर्को आपूर्तिकर्तालाई पठाइनेछ।",
    "vendor.rejected.closed": (
        "अर्डर #{number} अस्वीकार गरियो ({reason})। अरू कुनै आपूर्तिकर्ताले लिन सक्दैनन्; "
        "अपरेटरले हेर्नुहुनेछ।"
    ),
    "vendor.timed_out.closed": (
        "अर्डर #{number} को {minutes} मिनेटभित्र जवाफ आएन, त्यसैले तपाईंको सूचीबाट हटाइयो; "
        "अपरेटरले हेर्नुहुनेछ। कृपया नपठाउनुहोस्।"
    ),
    "vendor.change.asked": (
        "तपाईंले पठाउन सक्ने सामान मात्र भएको अर्डर #{number} चाहिन्छ कि भनेर {shop} लाई "
        "सोधेँ (नयाँ जम्मा {total})। जवाफ आएपछि खबर गर्छु।"
    ),
    "vendor.change.unmatched": (
        "“{names}” अर्डर #{number} को कुनै सामानसँग मिलेन। सामानको नाम राखेर "
        "“{number} only mansuli” वा “{number} tokla chaina” जस्तै लेख्नुहोस्।"
    ),
    "vendor.change.nothing_left": (
        "यसो गर्दा अर्डर #{number} मा केही बाँकी रहँदैन। अस्वीकार गर्न “अस्वीकार {number} कारण” "
        "लेख्नुहोस्।"
    ),
    "vendor.change.wrong_step": (
        "अर्डर #{number} पठाउनुअघि मात्र बदल्न मिल्छ। बिग्रेको वा फिर्ता सामान पसलले "
        "डेलिभरीपछि समस्या भनेर जनाउँछ।"
    ),
    "vendor.change.dispatch_waiting": (
        "अर्डर #{number} अहिले पठाइयो भन्न मिल्दैन: सानो अर्डर लिने कि नलिने पसलले अझै "
        "भन्नुभएको छैन। जवाफ आएपछि खबर गर्छु।"
    ),
    "vendor.change.not_less": (
        "“{names}”: कति पठाउन सक्नुहुन्छ लेख्नुहोस् — शून्यभन्दा बढी र अर्डर #{number} मा "
        "भएभन्दा कम, जस्तै “{number} tokla 1”। कुनै सामान हटाउन “{number} tokla chaina” "
        "लेख्नुहोस्।"
    ),
    "vendor.change.not_whole": (
        "“{names}” पूरा {unit} मा मात्र जान्छ: अर्डर #{number} का लागि कति {unit} पठाउन "
        "सक्नुहुन्छ, पूर्ण संख्यामा लेख्नुहोस्, जस्तै “1”।"
    ),
    "vendor.change.other_unit": (
        "“{names}”: अर्डर #{number} मा यो {unit} मा छ, तपाईंको एकाइलाई {unit} मा बदल्न "
        "सकिएन। कति {unit} पठाउन सक्नुहुन्छ लेख्नुहोस्, जस्तै “1”।"
    ),
    "vendor.lines": (
        "अर्डर #{number}: कम पठाउने सामान छान्नुहोस्। कुनै सामान हटाउन "
        "“{number} tokla chaina” लेख्नुहोस्।"
    ),
    "vendor.lines.button": "सामान",
    "vendor.lines.section": "अर्डर #{number}",
    "vendor.lines.none": (
        "अर्डर #{number} बदल्न मिल्दैन: यो पठाउन बाँकी तपाईंको अर्डर होइन।"
    ),
    "vendor.lines.ask": (
        "अर्डर #{number} मा {name} कति पठाउन सक्नुहुन्छ? {qty} {unit} मगाइएको थियो। "
        "संख्या मात्र लेख्नुहोस्, जस्तै “1” (वा “{number} {written} 1”)।"
    ),
    "vendor.change.agreed": (
        "{shop} राजी हुनुभयो: अर्डर #{number} मा तपाईंले पठाउन सक्ने सामान मात्र पठाउनुहोस् "
        "(नयाँ जम्मा {total})।"
    ),
    "vendor.change.waiting": "अर्डर #{number} को परिवर्तन पसलको जवाफ पर्खिरहेको छ।",
    "vendor.change.timed_out": (
        "पसलले {minutes} मिनेटभित्र अर्डर #{number} तपाईंले पठाउन सक्ने सामान मात्र लिने कि "
        "भनेर जवाफ दिनुभएन, त्यसैले तपाईंको सूचीबाट हटाइयो। कृपया नपठाउनुहोस्।"
    ),
    "vendor.change.declined": (
        "पसललाई अर्डर #{number} पूरै चाहिएको थियो, त्यसैले तपाईंको सूचीबाट हटाइयो। "
        "कृपया नपठाउनुहोस्।"
    ),
    "vendor.rejected.noreason": "कारण दिइएन",
    "vendor.dispatched": (
        "🚚 अर्डर #{number} पठाइएको भनी राखियो। पसलमा पुगेपछि “पुग्यो {number}” लेख्नुहोस्।"
    ),
    "vendor.delivered": "📦 अर्डर #{number} पुग्यो: {total} {shop} को खातामा चढ्यो। धन्यवाद!",
    "vendor.already_accepted": "अर्डर #{number} पहिल्यै स्वीकार भइसकेको छ — केही बदलिएन।",
    "vendor.already": "अर्डर #{number} पहिल्यै {status} — केही बदलिएन।",
    "vendor.finished": "अर्डर #{number} {status}; अब यसमा गर्नुपर्ने केही छैन।",
    "vendor.wrong_step": "अर्डर #{number} {status} अवस्थामा छ, त्यसैले {action} भन्न मिल्दैन। {hint}",
    "vendor.hint.pending": "पहिले स्वीकार गर्नुहोस्: “स्वीकार {number}” लेख्नुहोस्।",
    "vendor.hint.accepted": "पहिले पठाइयो भन्नुहोस्: “पठाइयो {number}” लेख्नुहोस्।",
    "vendor.hint.none": "",
    "vendor.not_found": "अर्डर #{number} भेटिएन। नम्बर जाँच्नुहोस्।",
    "vendor.not_yours": "अर्डर #{number} तपाईंलाई दिइएको होइन, त्यसैले बदल्न मिल्दैन।",
    "vendor.timed_out": (
        "अर्डर #{number} को {minutes} मिनेटभित्र जवाफ नआएकाले अर्को आपूर्तिकर्तालाई पठाइयो।"
    ),
    "vendor.cancelled": "अर्डर #{number} रद्द भयो ({reason})। कृपया नपठाउनुहोस्।",
    "vendor.help": (
        "अर्डरको जवाफ बटन थिचेर, वा यसरी लेखेर दिनुहोस्:\n"
        "• स्वीकार 1042 (वा “1042 ok”)\n"
        "• अस्वीकार 1042 कारण (स्वीकार गरेपछि पनि, नपठाउँदासम्म)\n"
        "• पठाइयो 1042\n"
        "• पुग्यो 1042\n"
        "• 1042 tokla chaina / 1042 tokla 1 / बदल 1042 (कम पठाउन, पठाउनुअघि)\n"
        "खुला अर्डर हेर्न “अर्डर”, अंग्रेजीका लागि “english” लेख्नुहोस्।"
    ),
    "vendor.language.set": "ठीक छ, अबदेखि नेपालीमा लेख्छु।",
    "vendor.open.header": "तपाईंका खुला अर्डर:",
    "vendor.open.line": "#{number} — {status} — {shop} — {total}",
    "vendor.open.none": "अहिले तपाईंको कुनै खुला अर्डर छैन।",
    "vendor.action.accept": "स्वीकार",
    "vendor.action.reject": "अस्वीकार",
    "vendor.action.dispatch": "पठाइयो",
    "vendor.action.deliver": "पुग्यो",
    "vendor.unsupported": "कृपया लेखेर वा बटन थिचेर जवाफ दिनुहोस्। तरिका हेर्न “मद्दत” पठाउनुहोस्।",
    "order.placed_for_you": "तपाईंको लागि अर्डर #{number} {vendor} मा राखियो: जम्मा {total}।",
    "order.accepted": "✅ {vendor} ले तपाईंको अर्डर #{number} ({total}) स्वीकार गर्नुभयो।",
    "order.change": (
        "{vendor} ले अर्डर #{number} को केही भाग मात्र पठाउन सक्नुहुन्छ:\n{lines}\n"
        "नभएको: {dropped}\nनयाँ जम्मा: {total}। यति लिने, कि पूरै अर्डर अर्को "
        "आपूर्तिकर्तालाई पठाउने?"
    ),
    "order.change.less": (
        "{vendor} ले अर्डर #{number} को सामान कम मात्र पठाउन सक्नुहुन्छ:\n{lines}\n"
        "नयाँ जम्मा: {total}। यति लिने, कि पूरै अर्डर अर्को आपूर्तिकर्तालाई पठाउने?"
    ),
    "order.change.timed_out": (
        "{vendor} को सानो अर्डर #{number} लिने कि भनेर तपाईंले {minutes} मिनेटभित्र जवाफ "
        "दिनुभएन, त्यसैले अर्डर तपाईंले मगाएजस्तै पूरै रहन्छ।"
    ),
    "order.change.agreed": (
        "ठिक छ, {vendor} को अर्डर #{number} अब {total} भयो; डेलिभर भएको सामानको मात्र "
        "पैसा लाग्छ।"
    ),
    "btn.change_yes": "यति लिने",
    "btn.change_no": "अर्को पसल",
    "order.rerouted": (
        "{vendor} ले अर्डर #{number} लिन सक्नुभएन, त्यसैले {next} लाई पठाइयो। "
        "उहाँले स्वीकार गरेपछि खबर गर्छु।"
    ),
    "order.dispatched": "🚚 तपाईंको अर्डर #{number} {vendor} बाट बाटोमा छ।",
    "order.delivered": (
        "📦 अर्डर #{number} पुग्यो। {total} तपाईंको खातामा चढ्यो, {due} भित्र तिर्नुहोस्।"
    ),
    "order.unroutable": (
        "माफ गर्नुहोस् — अहिले कुनै आपूर्तिकर्ताले अर्डर #{number} लिन सक्नुभएन। "
        "सञ्चालकलाई खबर गरिएको छ, उहाँले सम्पर्क गर्नुहुनेछ।"
    ),
    "order.cancelled_by_operator": "अर्डर #{number} खाचोले रद्द गर्‍यो ({reason})।",
    "order.payment_received": "🙏 {amount} भुक्तानी प्राप्त भयो। अब बाँकी {balance}।",
    "order.payment_received.advance": (
        "🙏 {amount} भुक्तानी प्राप्त भयो। तपाईंको {advance} अग्रिम जम्मा छ।"
    ),
})

# --- jobs ---
# Owned by the job runner (issue 7): wording the worker's jobs store or send.
STRINGS.update({
    "jobs.reorder_nudge.body": (
        "{shop}, सामान थप्ने बेला भयो? तपाईंको सधैंको: {items}। "
        "कार्टमा राख्न 'फेरि मगाउनुहोस्' थिच्नुहोस्।"
    ),
    "jobs.reorder_nudge.button": "फेरि मगाउनुहोस्",
    "jobs.credit_block_reason": "{amount} {days} दिनदेखि बाँकी, अर्डर {order}",
})

# --- money & operators (branch money, issue 14) ---
# The same keys as the block of that name in en.py (flows/money_notices.py words them).
STRINGS.update({
    "money.balance.owed": "अब बाँकी {balance}।",
    "money.balance.advance": "तपाईंको {advance} अग्रिम जम्मा छ।",
    "money.payment_voided": (
        "तपाईंको {amount} भुक्तानी खाँचोको हिसाबबाट रद्द गरियो ({reason})। {balance} "
        "गलत हो भने हामीलाई फोन गर्नुहोस्।"
    ),
    "money.credit_note.reason.damaged": "बिग्रेको",
    "money.credit_note.reason.wrong": "गलत सामान",
    "money.credit_note.reason.returned": "फिर्ता",
    "money.credit_note.line": "• {name} {qty} {unit}: {amount}",
    "money.credit_note.retailer": (
        "🧾 अर्डर #{number} मा क्रेडिट नोट ({reason}): तपाईंको खाताबाट {amount} घटाइयो।\n"
        "{lines}\n{balance}"
    ),
    "money.credit_note.vendor": (
        "🧾 {shop} को अर्डर #{number} मा क्रेडिट नोट ({reason}): {amount}।\n{lines}"
    ),
    "money.credit_reopened": (
        "✅ धन्यवाद — अब कुनै बाँकी म्याद नाघेको छैन, फेरि उधारोमा अर्डर गर्न सक्नुहुन्छ। "
        "{balance}"
    ),
    "money.account_approved": (
        "✅ {shop}, तपाईंको खाँचो खाता स्वीकृत भयो, {limit} सम्म उधारो पाइन्छ। "
        "अर्डर गर्न सामानको नाम पठाउनुहोस्।"
    ),
    "money.account_approved.cart": (
        "✅ {shop}, तपाईंको खाँचो खाता स्वीकृत भयो, {limit} सम्म उधारो पाइन्छ। "
        "तपाईंको कार्ट राखिएको छ: हेरेर अर्डर गर्न “पक्का” पठाउनुहोस्।"
    ),
    "money.account_blocked": (
        "तपाईंको खाँचो खाता रोकिएको छ ({reason}), त्यसैले नयाँ अर्डर हुँदैन। "
        "पहिले गरिएका अर्डर चलिरहन्छन्। कृपया हामीलाई फोन गर्नुहोस्।"
    ),
    "money.account_unblocked": "✅ तपाईंको खाँचो खाता फेरि खुल्यो: उधारोमा अर्डर गर्न सक्नुहुन्छ।",
    "money.order_assigned": (
        "अर्डर #{number} अब {vendor} लाई दिइयो। उहाँले स्वीकार गरेपछि खबर गर्छु।"
    ),
    "money.order_taken_away": (
        "अर्डर #{number} खाँचोले अर्को सप्लायरलाई दियो: कृपया प्याक नगर्नुहोस्।"
    ),
    "money.operator_alert": "⚠️ खाँचो सूचना {id} ({kind}): {subject}\n`khaacho alerts list`",
})

# tmpl: marketing consent (STOP / START); order and payment messages continue.
STRINGS.update({
    "consent.stopped": (
        "भयो: अब खाँचोबाट अफर वा फेरि मगाउने सम्झना आउँदैन। अर्डर र भुक्तानीका सन्देश भने "
        "आइरहन्छन्। फेरि अफर चाहिए START पठाउनुहोस्।"
    ),
    "consent.started": "फेरि स्वागत छ: अफर र फेरि मगाउने सम्झना फेरि आउँछन्। "
                       "बन्द गर्न STOP पठाउनुहोस्।",
})

# ---------------------------------------------------------------- paper: invoices, statements
STRINGS.update({
    "doc.invoice.title": "कर बीजक",
    "doc.invoice.title.pan": "बीजक",
    "doc.credit_note.title": "क्रेडिट नोट",
    "doc.copy": "प्रतिलिपि (COPY)",
    "doc.seller": "बिक्रेता",
    "doc.buyer": "खरिदकर्ता",
    "doc.pan": "प्यान",
    "doc.vat_no": "भ्याट नं.",
    "doc.number": "बीजक नं.",
    "doc.credit_note.number": "क्रेडिट नोट नं.",
    "doc.against": "बीजक",
    "doc.reason": "कारण",
    "doc.order": "अर्डर",
    "doc.date_bs": "मिति (वि.सं.)",
    "doc.date_ad": "मिति (ई.सं.)",
    "doc.fiscal_year": "आर्थिक वर्ष",
    "doc.col.no": "क्र.सं.",
    "doc.col.item": "सामान",
    "doc.col.qty": "परिमाण",
    "doc.col.rate": "दर",
    "doc.col.amount": "रकम",
    "doc.subtotal": "जम्मा",
    "doc.taxable": "करयोग्य रकम",
    "doc.vat": "मूल्य अभिवृद्धि कर १३%",
    "doc.total": "कुल जम्मा",
    "doc.in_words": "अक्षरमा",
    "doc.prices_include_vat": "मूल्यमा भ्याट समावेश छ; देखाइएको भ्याट कुल रकमभित्रको १३% हो।",
    "doc.not_vat_registered": "बिक्रेता भ्याटमा दर्ता छैन: भ्याट लागेको छैन।",
    "doc.phone": "फोन",
    "doc.footer": "खाँचोमार्फत जारी।",
    "statement.title": "खाताको विवरण",
    "statement.period": "अवधि",
    "statement.opening": "सुरु बाँकी",
    "statement.closing": "अन्तिम बाँकी",
    "statement.col.date": "मिति",
    "statement.col.detail": "विवरण",
    "statement.col.debit": "डेबिट",
    "statement.col.credit": "क्रेडिट",
    "statement.col.balance": "बाँकी",
    "statement.kind.order": "अर्डर #{number} डेलिभर",
    "statement.kind.payment": "भुक्तानी प्राप्त",
    "statement.kind.credit_note": "क्रेडिट नोट, अर्डर #{number}",
    "statement.kind.payment_voided": "भुक्तानी रद्द",
    "statement.kind.adjustment": "सच्याइएको",
    "statement.ageing": "तिर्न बाँकी, डेलिभरी भएको दिनदेखि",
    "statement.age.0-15": "०-१५ दिन",
    "statement.age.16-30": "१६-३० दिन",
    "statement.age.31-60": "३१-६० दिन",
    "statement.age.60+": "६० दिनभन्दा बढी",
    "statement.none": "यो अवधिमा कुनै कारोबार छैन।",
    "statement.advance": "(अग्रिम)",
    "statement.caption": "🧾 तपाईंको खाता विवरण, {period}। तिर्न बाँकी {closing}।",
    "statement.caption.advance": "🧾 तपाईंको खाता विवरण, {period}। {closing} अग्रिम तिरिएको।",
    "statement.last_days": "पछिल्ला {days} दिन",
    "statement.coming": "🧾 {period} को तपाईंको खाता विवरण PDF मा आउँदैछ।",
    "statement.unknown_month": "कुन महिना? जस्तै “hisab mangsir” वा “मंसिरको हिसाब” पठाउनुहोस्।",
    "invoice.caption": "🧾 अर्डर #{order} को बीजक {number}: {total}।",
    "credit_note_doc.caption": "🧾 अर्डर #{order} को क्रेडिट नोट {number}: {total}।",
    "balance.button.statement": "खाता विवरण",
})

# --- pay (issue 18): च्याटबाटै भुक्तानी।
STRINGS.update({
    "pay.button": "भुक्तानी",
    "pay.method.fonepay": "फोनपे QR",
    "pay.method.khalti": "खल्ती",
    "pay.method.esewa": "इसेवा",
    "pay.choose": "तपाईंले {owed} तिर्न बाँकी छ। अहिले {amount} तिर्नुहोस्:",
    "pay.choose.order": "अर्डर #{number}: {owed} तिर्न बाँकी। अहिले {amount} तिर्नुहोस्:",
    "pay.other_amount": "अर्को रकम तिर्न लेख्नुहोस्, जस्तै “भुक्तानी ५००”।",
    "pay.unclear": (
        "कति तिर्नुहुन्छ? रकम लेख्नुहोस्, जस्तै “भुक्तानी ५००”, "
        "वा सबै तिर्न “भुक्तानी” मात्र।"
    ),
    "pay.nothing_due": "अहिले तिर्नुपर्ने केही छैन — धन्यवाद! 🙏",
    "pay.nothing_due.order": "अर्डर #{number} मा तिर्न बाँकी केही छैन। 🙏",
    "pay.over_due": (
        "तपाईंले {owed} तिर्न बाँकी छ, यहाँ त्यति सम्म तिर्न सकिन्छ। सबै तिर्न “भुक्तानी” "
        "लेख्नुहोस्, वा सानो रकम, जस्तै “भुक्तानी ५००”।"
    ),
    "pay.too_small": "यहाँ सबैभन्दा कम भुक्तानी {minimum} हो। कृपया ठूलो रकम लेख्नुहोस्।",
    "pay.not_offered": (
        "तपाईंले {owed} तिर्न बाँकी छ। च्याटबाट भुक्तानी अझै मिलाइएको छैन — कृपया सप्लायरलाई "
        "तिर्नुहोस् वा हामीलाई फोन गर्नुहोस्।"
    ),
    "pay.gateway_down": (
        "{method} अहिले जवाफ दिइरहेको छैन। केही मिनेटपछि फेरि प्रयास गर्नुहोस्, "
        "वा अर्को तरिका छान्नुहोस्।"
    ),
    "pay.link": (
        "{method} बाट {amount} तिर्नुहोस्: {url}\n"
        "लिंक {until} सम्म चल्छ। भुक्तानी आउनासाथ म यहीँ भन्छु।"
    ),
    "pay.qr": (
        "{amount} तिर्न यो QR आफ्नो बैंक वा वालेट एपले स्क्यान गर्नुहोस् (फोनपे)। यो {until} "
        "सम्म चल्छ। भुक्तानी आउनासाथ म यहीँ भन्छु।"
    ),
    "money.pay.vendor": "💰 {shop} ले अर्डर #{number} को {amount} तिर्नुभयो ({method})।",
    "money.pay.held": (
        "{method} बाट {paid} आयो, तर {asked} मागिएको थियो, त्यसैले अझै तपाईंको हिसाबमा "
        "चढाइएको छैन। अपरेटरले जाँचेर भन्नुहुन्छ।"
    ),
    "money.pay.held.refunded": (
        "तपाईंको {asked} को {method} भुक्तानी हिसाबमा पुग्नुअघि {method} ले फिर्ता गर्‍यो। "
        "अपरेटरले जाँचेर भन्नुहुन्छ।"
    ),
    "money.pay.expired": (
        "तपाईंको {amount} को {method} भुक्तानी समयमै भएन, केही काटिएको छैन। "
        "फेरि प्रयास गर्न “भुक्तानी” लेख्नुहोस्।"
    ),
    "money.pay.canceled": (
        "तपाईंको {amount} को {method} भुक्तानी रद्द भयो; केही काटिएको छैन। "
        "फेरि प्रयास गर्न “भुक्तानी” लेख्नुहोस्।"
    ),
    "pay.page.title": "खाँचो भुक्तानी",
    "pay.page.paid": "✅ {amount} भुक्तानी प्राप्त भयो — धन्यवाद। अब WhatsApp मा फर्कनुहोस्।",
    "pay.page.pending": (
        "तपाईंको {amount} भुक्तानी जाँच्दैछौं। पक्का हुनासाथ WhatsApp मा सन्देश आउँछ।"
    ),
    "pay.page.closed": (
        "यो भुक्तानी पूरा भएन। WhatsApp मा फर्केर फेरि “भुक्तानी” लेख्नुहोस्।"
    ),
    "pay.page.held": "आएको भुक्तानी हातैले जाँच्नुपर्ने छ; अपरेटरले भन्नुहुन्छ।",
    "pay.page.unknown": "यो भुक्तानी लिंक चिनिएन। WhatsApp मा फर्केर “भुक्तानी” लेख्नुहोस्।",
    "pay.page.esewa": "इसेवाबाट {amount} तिर्नुहोस्",
    "pay.page.esewa_button": "इसेवामा जानुहोस्",
})
