"""English wording: every string the bot says in English.

Keys are shared with `flows/i18n/ne.py` (a test checks both have the same keys
and the same `{placeholders}`). Button titles must stay ≤ 20 characters and
list-row titles ≤ 24 — the platform's limits.
"""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # ---------------------------------------------------------------- retailer conversation
    "onboard.welcome": (
        "Namaste! 🙏 This is Khaacho — order stock for your shop on WhatsApp.\n"
        "You're new here. What is your shop's name?"
    ),
    "onboard.ask_area": "Thanks! Which area is {shop} in? (e.g. Kalanki, Baneshwor, Pokhara-8)",
    "onboard.bad_name": "Please send the shop's name in one short line (up to 120 letters).",
    "onboard.bad_area": "Please send just the area name in one short line (up to 80 letters).",
    "onboard.area_pick": "Pick it from the list, or type it if it isn't there.",
    "onboard.area_button": "Areas",
    "onboard.area_unserved": (
        "No supplier on Khaacho delivers to {area} yet, so I can't show prices there. "
        "An operator will check and connect you."
    ),
    "onboard.done": (
        "You're registered: {shop}, {area}. ✅\n"
        "An operator will approve your account soon. Until then you can send item "
        "names to see prices, but orders on credit wait for approval."
    ),
    "account.pending": (
        "Your account is waiting for an operator's approval, so I can't place a credit "
        "order yet. Your cart is kept; I'll place it once you're approved."
    ),
    "account.blocked": (
        "Your account is on hold ({reason}), so new orders can't be placed. "
        "Please clear your dues or call us."
    ),
    "account.blocked.noreason": "not approved",
    "cart.added": "Added to your cart:",
    "cart.line": "{n}. {name} — {qty} {unit} × {price} = {total}",
    "cart.line.short": "{n}. {name} — {qty} {unit} ⚠",
    "cart.line.noprice": "{n}. {name} — {qty} {unit} (no price from a vendor yet)",
    "cart.qty_needed": "How many {unit} of {name}? Send the number, e.g. “{example}”.",
    "cart.qty_not_whole": (
        "{name} is sold in whole {unit} — how many {unit}? Send the number, e.g. “{example}”."
    ),
    "cart.qty_not_positive": (
        "{name}: {qty} can't be ordered — the quantity must be more than zero, e.g. “{example}”."
    ),
    "cart.unknown": "I couldn't find “{text}” in the catalogue.",
    "cart.unknown.suggest": "I couldn't find “{text}”. Closest: {suggestions}.",
    "cart.empty": (
        "Your cart is empty. Send what you need in one message, e.g.\n"
        "“chini 10 kg, 2 bora sona, wai wai 2 ctn”"
    ),
    "cart.cleared": "Cart cleared.",
    "cart.cancelled": "Cart cancelled. Nothing was ordered.",
    "cart.nothing_understood": (
        "Sorry, I didn't understand that. Send items with quantities, e.g. "
        "“chini 10 kg, 2 ctn wai wai”, or send “help”."
    ),
    "ask.which": "Which one do you mean by “{text}”?",
    "ask.button": "Choose",
    "ask.none": "None of these",
    "ask.none.desc": "Skip this item",
    "ask.skipped": "Skipped “{text}”.",
    "ask.pick_from_list": "Please choose from the list above, or send “cancel”.",
    "review.header": "Your order",
    "review.intro": "Please check your order ({count} line(s)):",
    "review.total": "Total: {total}",
    "review.total.rest": "Total without the items short: {total}",
    "review.blocked": "Your account is on hold, so no credit is available.",
    "review.vendor": "Supplier: {vendor}",
    "review.credit": "Available credit: {available}",
    "review.unpriced": "⚠ {count} item(s) have no vendor price yet and can't be ordered.",
    "short.stock.anyone": "Only {available} {unit} of {name} is in stock (you asked {asked}).",
    "review.footer": "Tap Confirm or reply “ok” to place it",
    "btn.confirm": "Confirm",
    "btn.edit": "Edit",
    "btn.cancel": "Cancel",
    "btn.reduce": "Reduce order",
    "btn.take_available": "Take available",
    "btn.other_vendor": "Other vendor",
    "btn.yes": "Yes",
    "btn.no": "No",
    "edit.help": (
        "Send a change:\n"
        "• “chini 20 kg” — make it 20 kg\n"
        "• “chini 5 kg thap” or “add 5 kg chini” — 5 kg more\n"
        "• “remove rara” or “remove 2” — remove an item or line 2\n"
        "• “clear” — empty the cart"
    ),
    "edit.changed": "Changed {name}: {old} → {new} {unit}.",
    "edit.increased": "Added {added} {unit} of {name}: now {new} {unit}.",
    "edit.same": "{name} is already {qty} {unit}.",
    "edit.not_in_cart": "“{text}” is not in your cart.",
    "edit.no_line": "There is no line {n} — your cart has {count} line(s).",
    "edit.removed": "Removed {name}.",
    "edit.bad_qty": "That quantity doesn't look right: {problem}",
    "confirm.nothing": "There's nothing in your cart to confirm. Send items to order.",
    "confirm.expired": "That button is from an earlier cart. Here's your current one:",
    "placed": (
        "✅ Order #{number} placed with {vendor}.\n"
        "Total {total}. I'll tell you when they accept it."
    ),
    "placed.many": "✅ Your order was split: {orders}. I'll tell you as each is accepted.",
    "short.credit": (
        "This order is {total}, but your available credit is {available} — "
        "{short} short."
    ),
    "short.credit.offer": "I can reduce it to fit your credit ({reduced}). Reduce it?",
    "short.credit.none": "There's no credit available right now. Please pay your dues first.",
    "short.stock": "{vendor} has only {available} {unit} of {name} (you asked {asked}).",
    "short.stock.offer": "Take {available} {unit} of {name}?",
    "short.stock.offer_rest": "Order what is available?",
    "short.minimum": "{vendor} sells {name} from {minimum} {unit} (you asked {asked}).",
    "short.minimum.anyone": "{name} is sold from {minimum} {unit} (you asked {asked}).",
    "short.stock.other": "Another supplier ({vendor}) has it: total {total}.",
    "short.unknown_items": "Some items are no longer sold: {names}. I removed them.",
    "short.not_allowed": "Sorry, this order can't be placed: {reason}",
    "short.no_vendor": (
        "No supplier serves your area with these items right now. "
        "An operator has been told."
    ),
    "offer.declined": "OK, the order is not placed. Your cart is kept — send “edit” to change it.",
    "status.none": "You have no orders yet.",
    "status.header": "Your recent orders:",
    "status.line": "#{number} — {status} — {total} ({date})",
    "balance": (
        "Your account:\n"
        "Outstanding: {outstanding}\n"
        "Open orders: {open}\n"
        "Credit limit: {limit}\n"
        "Available credit: {available}\n"
        "{due}"
    ),
    "balance.due": "Next payment due: {amount} by {date}",
    "balance.nodue": "Nothing due right now.",
    "help": (
        "How to order: send everything in one message, e.g.\n"
        "“chini 10 kg, 2 bora sona, wai wai 2 ctn”\n"
        "Then tap Confirm.\n\n"
        "Commands:\n"
        "• status — your orders\n"
        "• balance — what you owe and your credit\n"
        "• statement — your statement of account (PDF), e.g. “hisab mangsir”\n"
        "• pay — pay what you owe from the chat (or “pay 500”)\n"
        "• reorder — your last order again\n"
        "• cancel — cancel the cart or your latest order not yet accepted\n"
        "• cancel 1042 — cancel order #1042\n"
        "• नेपाली — reply in Nepali\n"
        "• STOP / START — offers off / on again (orders and payments still reach you)"
    ),
    "greeting.reply": (
        "Namaste, {shop}! 🙏 Send what you need in one message, e.g. “chini 10 kg”, "
        "or “help” to see what I can do."
    ),
    "thanks.reply": "You're welcome! 🙏",
    "ask.price": "{name}: {prices}",
    "ask.price.at": "{price}/{unit} ({vendor})",
    "ask.price.none": "{name}: no supplier in your area sells it right now.",
    "ask.price.how_to_order": "To order, send e.g. “chini 10 kg”.",
    "ask.catalogue": "Here is what suppliers in your area sell. Pick a category to see prices:",
    "ask.catalogue.button": "Categories",
    "ask.catalogue.section": "Categories",
    "ask.catalogue.count": "{count} item(s)",
    "ask.catalogue.empty": "No supplier sells in your area yet. An operator will connect you.",
    "ask.category.header": "{category}:",
    "ask.category.line": "• {name} — {price}/{unit}",
    "delivery.thanks": "Thank you! Glad order #{number} arrived well. 🙏",
    "delivery.ask_problem": (
        "Sorry to hear that. What is wrong with order #{number}? "
        "e.g. “not received” or “3 bottle futeko” (3 bottles broken)."
    ),
    "delivery.case_opened": (
        "Sorry about order #{number}. I've opened a case and an operator has been told; "
        "they will call you to put it right."
    ),
    "delivery.case_open_already": (
        "An operator already has a case open for order #{number}; they will call you."
    ),
    "delivery.not_delivered": (
        "Order #{number} is not marked delivered yet — send “status” to see where it is."
    ),
    "order.delivered.ask": "Did it all arrive in good condition?",
    "btn.received": "Received ✅",
    "btn.problem": "Problem",
    "cancel.nothing": "There's nothing to cancel.",
    "cancel.order_done": "Order #{number} is cancelled.",
    "cancel.unknown": "I can't find order #{number}. Send “status” to see your orders.",
    "cancel.not_yours": "Order #{number} is not one of your orders, so I can't cancel it.",
    "cancel.delivered": (
        "Order #{number} was already delivered, so it can't be cancelled. "
        "If something is wrong with it, please tell us."
    ),
    "cancel.already_cancelled": "Order #{number} is already cancelled.",
    "cancel.order_too_late": (
        "Order #{number} was already accepted by the supplier, so it can't be cancelled here. "
        "Please call them."
    ),
    "reorder.none": "You have no earlier order to repeat.",
    "reorder.loaded": "I put your last order (#{number}) into the cart:",
    "reorder.missing": "No longer available: {names}.",
    "language.set": "OK, I'll reply in English.",
    "need_phone": (
        "Namaste! WhatsApp did not share your phone number with us, and we need it to "
        "set up your shop. Please send us your mobile number (e.g. 98XXXXXXXX), or ask "
        "our team to link your account."
    ),
    "text_too_long": (
        "That message is too long for me to read in one go. Please send your order in "
        "shorter messages, up to about a hundred lines each."
    ),
    # media (issue 16): what retailers send that a person reads (bot/conversation/media_intake.py)
    "media.received.image": (
        "Thanks, I got your photo. 📷 A person from our team will prepare your order from it "
        "and send it here for you to confirm."
    ),
    "media.received.voice": (
        "Thanks, I got your voice message. 🎤 A person from our team will listen to it, "
        "prepare your order and send it here for you to confirm."
    ),
    "media.received.document": (
        "Thanks, I got your file. 📄 A person from our team will prepare your order from it "
        "and send it here for you to confirm."
    ),
    "media.received.other": (
        "Thanks, I got it. A person from our team will look at it. To order faster, type "
        "your order, e.g. “chini 10 kg”."
    ),
    "media.too_large": (
        "That file is too large for me to keep (up to {limit} MB). Please send a smaller "
        "photo, or type your order, e.g. “chini 10 kg”."
    ),
    "media.lost": (
        "Sorry, I could not receive the file you sent. Please send it again, or type your "
        "order, e.g. “chini 10 kg”."
    ),
    "media.cart_prepared": (
        "Our team prepared this cart from what you sent. Please check it and confirm:"
    ),
    "location.saved": "📍 Saved as your delivery location: {place}.",
    "unsupported": (
        "Sorry, I can only read text, buttons and lists. Please type your order, e.g. "
        "“chini 10 kg”."
    ),
    "restart": (
        "Sorry — I lost track of our conversation, so let's start again. "
        "Your placed orders are safe."
    ),
    "change.which": (
        "Is that your answer to order {numbers}, whose supplier can send only part of it, "
        "or to what is on screen here? Please tap the button on the message you mean."
    ),
    "change.which_order": (
        "Suppliers of orders {numbers} can each send only part of them. Please tap "
        "“Take it” or “Other supplier” on the message of the order you mean."
    ),
    "stale_reply": "That choice is from an earlier message. Send “help” if you're stuck.",
    "reminder": (
        "You have {count} item(s) in your cart ({total}) waiting. "
        "Tap Confirm to order, or Cancel."
    ),
    "busy_error": "Sorry, something went wrong on our side. Please send that again in a minute.",
    "status.pending": "waiting for supplier",
    "status.accepted": "accepted",
    "status.dispatched": "on the way",
    "status.delivered": "delivered",
    "status.cancelled": "cancelled",
    "status.unroutable": "finding a supplier",
    # ---------------------------------------------------------------- units
    "unit.kg": "kg",
    "unit.bag": "bag",
    "unit.bag.pl": "bags",
    "unit.carton": "ctn",
    "unit.packet": "pkt",
    "unit.piece": "pc",
    "unit.piece.pl": "pcs",
    "unit.litre": "L",
    "unit.bottle": "bottle",
    "unit.bottle.pl": "bottles",
    "unit.tin": "tin",
    "unit.tin.pl": "tins",
    "unit.jar": "jar",
    "unit.jar.pl": "jars",
    "unit.tray": "tray",
    "unit.tray.pl": "trays",
    "unit.bundle": "bundle",
    "unit.bundle.pl": "bundles",
    "unit.dozen": "dozen",
    "unit.box": "box",
    "unit.box.pl": "boxes",
    "unit.unit": "unit",
    "unit.unit.pl": "units",
}

# --- orders and vendors ---
# Owned by the vendors-and-money work (issue 6): what vendors read about their
# orders and the notices retailers get as an order moves.
STRINGS.update({
    "vendor.offer.header": "New order #{number}",
    "vendor.offer.body": (
        "From {shop}, {area}\n"
        "{lines}\n"
        "Total: {total}\n"
        "Please answer within {minutes} minutes. To reject, tap Reject or reply "
        "“REJECT {number} reason”."
    ),
    "vendor.offer.line": "• {name} — {qty} {unit} × {price} = {total}",
    "vendor.offer.more": "… and {count} more item(s)",
    "vendor.offer.footer": "Khaacho order",
    "vendor.btn.accept": "Accept",
    "vendor.btn.reject": "Reject",
    "vendor.confirm_one": "Order #{number} — {shop}, {total}. Tap to confirm:",
    "vendor.pick": "Which order do you mean? Choose one:",
    "vendor.pick.button": "Orders",
    "vendor.pick.row": "#{number} {shop}",
    "vendor.btn.dispatch": "Dispatched",
    "vendor.btn.deliver": "Delivered",
    "vendor.accepted": (
        "✅ Order #{number} accepted. Deliver to {shop}, {area} (📞 {phone}).\n"
        "When it leaves, reply “DISPATCHED {number}”."
    ),
    "vendor.rejected": "Order #{number} rejected ({reason}). We'll offer it to another supplier.",
    "vendor.rejected.closed": (
        "Order #{number} rejected ({reason}). No other supplier can take it; "
        "an operator will handle it."
    ),
    "vendor.timed_out.closed": (
        "Order #{number} was not answered within {minutes} minutes, so it was taken off "
        "your list; an operator will handle it. Please don't send it."
    ),
    "vendor.change.asked": (
        "I've asked {shop} whether they want order #{number} with only what you can send "
        "(new total {total}). I'll tell you their answer."
    ),
    "vendor.change.unmatched": (
        "I couldn't match “{names}” to a line of order #{number}. Write e.g. "
        "“{number} only mansuli” or “{number} tokla chaina” with the items' names."
    ),
    "vendor.change.nothing_left": (
        "That leaves nothing of order #{number}. To turn it down, reply “REJECT {number} reason”."
    ),
    "vendor.change.wrong_step": (
        "Order #{number} can be changed only before it is dispatched. For damaged or "
        "returned items the shop reports a problem on delivery."
    ),
    "vendor.change.dispatch_waiting": (
        "Order #{number} can't be marked dispatched yet: the shop hasn't answered "
        "whether they take the smaller order. I'll tell you their answer."
    ),
    "vendor.change.not_less": (
        "“{names}”: write how many you can send, more than none and less than order "
        "#{number} has — e.g. “{number} tokla 1”. To leave an item out, write "
        "“{number} tokla chaina”."
    ),
    "vendor.change.not_whole": (
        "“{names}” goes in whole {unit}: write a whole number of {unit} you can send "
        "for order #{number}, e.g. “1”."
    ),
    "vendor.change.other_unit": (
        "“{names}”: order #{number} has it in {unit}, and I can't turn your unit into "
        "{unit}. Write how many {unit} you can send, e.g. “1”."
    ),
    "vendor.lines": (
        "Order #{number}: pick the item you can send less of. To leave an item out, "
        "write “{number} tokla chaina”."
    ),
    "vendor.lines.button": "Items",
    "vendor.lines.section": "Order #{number}",
    "vendor.lines.none": (
        "Order #{number} can't be changed: it isn't one of your orders waiting to be sent."
    ),
    "vendor.lines.ask": (
        "How many {name} can you send for order #{number}? {qty} {unit} were ordered. "
        "Reply with the number, e.g. “1” (or “{number} {written} 1”)."
    ),
    "vendor.change.agreed": (
        "{shop} agreed: send order #{number} with only what you can send (new total {total})."
    ),
    "vendor.change.waiting": "A change to order #{number} is already waiting for the shop.",
    "vendor.change.timed_out": (
        "The shop didn't answer within {minutes} minutes whether they take order #{number} "
        "with only what you can send, so it is taken off your list. Please don't send it."
    ),
    "vendor.change.declined": (
        "The shop wanted order #{number} complete, so it is taken off your list. "
        "Please don't send it."
    ),
    "vendor.rejected.noreason": "no reason given",
    "vendor.dispatched": (
        "🚚 Order #{number} marked dispatched. Reply “DELIVERED {number}” once the shop has it."
    ),
    "vendor.delivered": "📦 Order #{number} delivered: {total} is on {shop}'s account. Thank you!",
    "vendor.already_accepted": "Order #{number} is already accepted — nothing changed.",
    "vendor.already": "Order #{number} is already {status} — nothing changed.",
    "vendor.finished": "Order #{number} is {status}; there is nothing more to do on it.",
    "vendor.wrong_step": "Order #{number} is {status}, so it can't be marked {action}. {hint}",
    "vendor.hint.pending": "Accept it first: reply “ACCEPT {number}”.",
    "vendor.hint.accepted": "Mark it dispatched first: reply “DISPATCHED {number}”.",
    "vendor.hint.none": "",
    "vendor.not_found": "I can't find order #{number}. Please check the number.",
    "vendor.not_yours": "Order #{number} is not assigned to you, so I can't change it.",
    "vendor.timed_out": (
        "Order #{number} was not answered within {minutes} minutes, so it went to another "
        "supplier."
    ),
    "vendor.cancelled": "Order #{number} was cancelled ({reason}). Please don't send it.",
    "vendor.help": (
        "Answer an order with the buttons, or reply:\n"
        "• ACCEPT 1042 (or “1042 ok”)\n"
        "• REJECT 1042 reason (also after accepting, before it leaves)\n"
        "• DISPATCHED 1042\n"
        "• DELIVERED 1042\n"
        "• 1042 tokla chaina / 1042 tokla 1 / change 1042 (send less, before dispatch)\n"
        "Send “orders” to see your open orders, “नेपाली” for Nepali."
    ),
    "vendor.language.set": "OK, I'll write to you in English.",
    "vendor.open.header": "Your open orders:",
    "vendor.open.line": "#{number} — {status} — {shop} — {total}",
    "vendor.open.none": "You have no open orders right now.",
    "vendor.action.accept": "accepted",
    "vendor.action.reject": "rejected",
    "vendor.action.dispatch": "dispatched",
    "vendor.action.deliver": "delivered",
    "vendor.unsupported": "Please reply with text or the buttons. Send “help” to see how.",
    "order.placed_for_you": "Order #{number} was placed for you with {vendor}: total {total}.",
    "order.accepted": "✅ {vendor} accepted your order #{number} ({total}).",
    "order.change": (
        "{vendor} can send only part of order #{number}:\n{lines}\n"
        "Not available: {dropped}\nNew total: {total}. Take it, or send the whole order "
        "to another supplier?"
    ),
    "order.change.less": (
        "{vendor} can send less of order #{number}:\n{lines}\n"
        "New total: {total}. Take it, or send the whole order to another supplier?"
    ),
    "order.change.timed_out": (
        "You didn't answer within {minutes} minutes whether you take {vendor}'s smaller "
        "order #{number}, so it stays as you ordered it, complete."
    ),
    "order.change.agreed": (
        "OK, order #{number} from {vendor} is now {total}; you'll be charged only for "
        "what is delivered."
    ),
    "btn.change_yes": "Take it",
    "btn.change_no": "Other supplier",
    "order.rerouted": (
        "{vendor} couldn't take order #{number}, so I sent it to {next}. "
        "I'll tell you when they accept."
    ),
    "order.dispatched": "🚚 Your order #{number} is on its way from {vendor}.",
    "order.delivered": (
        "📦 Order #{number} delivered. {total} has been added to your account, due by {due}."
    ),
    "order.unroutable": (
        "Sorry — no supplier can take order #{number} right now. An operator has been told "
        "and will contact you."
    ),
    "order.cancelled_by_operator": "Order #{number} was cancelled by Khaacho ({reason}).",
    "order.payment_received": (
        "🙏 Payment of {amount} received. You now owe {balance}."
    ),
    "order.payment_received.advance": (
        "🙏 Payment of {amount} received. You have {advance} paid in advance."
    ),
})

# --- jobs ---
# Owned by the job runner (issue 7): wording the worker's jobs store or send.
STRINGS.update({
    "jobs.reorder_nudge.body": (
        "{shop}, time to restock? Your usual: {items}. "
        "Tap Reorder to put them in your cart."
    ),
    "jobs.reorder_nudge.button": "Reorder",
    "jobs.credit_block_reason": "{amount} overdue for {days} days, order {order}",
})

# --- money & operators (branch money, issue 14) ---
# Worded by flows/money_notices.py: voids, credit notes, accounts reopened,
# approved or blocked by an operator, and the operators' own alert notices.
STRINGS.update({
    "money.balance.owed": "You now owe {balance}.",
    "money.balance.advance": "You have {advance} paid in advance.",
    "money.payment_voided": (
        "Your payment of {amount} was cancelled in Khaacho's books ({reason}). {balance} "
        "Call us if this is wrong."
    ),
    "money.credit_note.reason.damaged": "damaged",
    "money.credit_note.reason.wrong": "wrong item",
    "money.credit_note.reason.returned": "returned",
    "money.credit_note.line": "• {name} {qty} {unit}: {amount}",
    "money.credit_note.retailer": (
        "🧾 Credit note on order #{number} ({reason}): {amount} taken off your account.\n"
        "{lines}\n{balance}"
    ),
    "money.credit_note.vendor": (
        "🧾 Credit note on order #{number} for {shop} ({reason}): {amount}.\n{lines}"
    ),
    "money.credit_reopened": (
        "✅ Thank you — nothing is overdue now, so you can order on credit again. {balance}"
    ),
    "money.account_approved": (
        "✅ {shop}, your Khaacho account is approved, with credit up to {limit}. "
        "Send item names to order."
    ),
    "money.account_approved.cart": (
        "✅ {shop}, your Khaacho account is approved, with credit up to {limit}. "
        "Your cart is kept: send “confirm” to review and place it."
    ),
    "money.account_blocked": (
        "Your Khaacho account is on hold ({reason}), so new orders can't be placed. "
        "Orders already placed carry on. Please call us."
    ),
    "money.account_unblocked": "✅ Your Khaacho account is open again: you can order on credit.",
    "money.order_assigned": (
        "Order #{number} is now with {vendor}. I'll tell you when they accept."
    ),
    "money.order_taken_away": (
        "Order #{number} has been moved to another supplier by Khaacho: please don't pack it."
    ),
    "money.operator_alert": "⚠️ Khaacho alert {id} ({kind}): {subject}\n`khaacho alerts list`",
})

# tmpl: marketing consent (STOP / START); order and payment messages continue.
STRINGS.update({
    "consent.stopped": (
        "Done: no more offers or reorder reminders from Khaacho. You will still get messages "
        "about your orders and payments. Send START to get offers again."
    ),
    "consent.started": "Welcome back: you will get offers and reorder reminders again. "
                       "Send STOP to turn them off.",
})

# ---------------------------------------------------------------- paper: invoices, statements
STRINGS.update({
    "doc.invoice.title": "TAX INVOICE",
    "doc.invoice.title.pan": "INVOICE",
    "doc.credit_note.title": "CREDIT NOTE",
    "doc.copy": "COPY",
    "doc.seller": "Seller",
    "doc.buyer": "Buyer",
    "doc.pan": "PAN",
    "doc.vat_no": "VAT No.",
    "doc.number": "Invoice No.",
    "doc.credit_note.number": "Credit Note No.",
    "doc.against": "Against invoice",
    "doc.reason": "Reason",
    "doc.order": "Order",
    "doc.date_bs": "Date (BS)",
    "doc.date_ad": "Date (AD)",
    "doc.fiscal_year": "Fiscal year",
    "doc.col.no": "#",
    "doc.col.item": "Item",
    "doc.col.qty": "Qty",
    "doc.col.rate": "Rate",
    "doc.col.amount": "Amount",
    "doc.subtotal": "Subtotal",
    "doc.taxable": "Taxable amount",
    "doc.vat": "VAT 13%",
    "doc.total": "Total",
    "doc.in_words": "In words",
    "doc.prices_include_vat": "Prices include VAT: the VAT shown is the 13% within the total.",
    "doc.not_vat_registered": "Seller is not VAT-registered: no VAT is charged.",
    "doc.phone": "Phone",
    "doc.footer": "Issued through Khaacho.",
    "statement.title": "STATEMENT OF ACCOUNT",
    "statement.period": "Period",
    "statement.opening": "Opening balance",
    "statement.closing": "Closing balance",
    "statement.col.date": "Date",
    "statement.col.detail": "Detail",
    "statement.col.debit": "Debit",
    "statement.col.credit": "Credit",
    "statement.col.balance": "Balance",
    "statement.kind.order": "Order #{number} delivered",
    "statement.kind.payment": "Payment received",
    "statement.kind.credit_note": "Credit note, order #{number}",
    "statement.kind.payment_voided": "Payment cancelled",
    "statement.kind.adjustment": "Correction",
    "statement.ageing": "Still owed, by days since delivery",
    "statement.age.0-15": "0-15 days",
    "statement.age.16-30": "16-30 days",
    "statement.age.31-60": "31-60 days",
    "statement.age.60+": "Over 60 days",
    "statement.none": "No entries in this period.",
    "statement.advance": "(in advance)",
    "statement.caption": "🧾 Your statement, {period}. You owe {closing}.",
    "statement.caption.advance": "🧾 Your statement, {period}. {closing} paid in advance.",
    "statement.last_days": "last {days} days",
    "statement.coming": "🧾 Your statement for {period} is on its way as a PDF.",
    "statement.unknown_month": (
        "Which month? Send for example “hisab mangsir” or “statement for Kartik”."
    ),
    "invoice.caption": "🧾 Invoice {number} for order #{order}: {total}.",
    "credit_note_doc.caption": "🧾 Credit note {number} for order #{order}: {total}.",
    "balance.button.statement": "Statement",
})

# --- pay (issue 18): paying from the chat (flows/retailer/paying.py, flows/money_notices.py,
# and the pages a customer's browser sees after paying, bot/web/payments.py).
STRINGS.update({
    "pay.button": "Pay",
    "pay.method.fonepay": "Fonepay QR",
    "pay.method.khalti": "Khalti",
    "pay.method.esewa": "eSewa",
    "pay.choose": "You owe {owed}. Pay {amount} now with:",
    "pay.choose.order": "Order #{number}: {owed} left to pay. Pay {amount} now with:",
    "pay.other_amount": "To pay another amount, write it, e.g. “pay 500”.",
    "pay.unclear": (
        "How much would you like to pay? Write the amount, e.g. “pay 500”, "
        "or just “pay” to pay all you owe."
    ),
    "pay.nothing_due": "You owe nothing right now — thank you! 🙏",
    "pay.nothing_due.order": "Nothing is left to pay on order #{number}. 🙏",
    "pay.over_due": (
        "You owe {owed}, so you can pay up to that here. Write “pay” to pay all of it, "
        "or a smaller amount, e.g. “pay 500”."
    ),
    "pay.too_small": "The smallest payment here is {minimum}. Please write a larger amount.",
    "pay.not_offered": (
        "You owe {owed}. Paying in the chat isn't set up yet — please pay your supplier "
        "or call us."
    ),
    "pay.gateway_down": (
        "{method} isn't answering right now. Please try again in a few minutes, "
        "or choose another way to pay."
    ),
    "pay.link": (
        "Pay {amount} with {method}: {url}\n"
        "The link works until {until}. I'll tell you here as soon as the payment arrives."
    ),
    "pay.qr": (
        "Scan this QR with your bank or wallet app to pay {amount} (Fonepay). It works "
        "until {until}. I'll tell you here as soon as the payment arrives."
    ),
    "money.pay.vendor": "💰 {shop} paid {amount} for order #{number} ({method}).",
    "money.pay.held": (
        "We received {paid} through {method}, but {asked} was asked, so it is not on your "
        "account yet. An operator will check it and tell you."
    ),
    "money.pay.held.refunded": (
        "Your {method} payment of {asked} was returned by {method} before it reached your "
        "account. An operator will check it and tell you."
    ),
    "money.pay.expired": (
        "Your {method} payment of {amount} was not made in time, so nothing was charged. "
        "Write “pay” to try again."
    ),
    "money.pay.canceled": (
        "Your {method} payment of {amount} was cancelled; nothing was charged. "
        "Write “pay” to try again."
    ),
    "pay.page.title": "Khaacho payment",
    "pay.page.paid": "✅ Payment of {amount} received — thank you. You can go back to WhatsApp.",
    "pay.page.pending": (
        "We are checking your payment of {amount}. You'll get a WhatsApp message as soon as "
        "it is confirmed."
    ),
    "pay.page.closed": (
        "This payment was not completed. Go back to WhatsApp and write “pay” to try again."
    ),
    "pay.page.held": "We received a payment we must check by hand; an operator will tell you.",
    "pay.page.unknown": "This payment link is not known. Go back to WhatsApp and write “pay”.",
    "pay.page.esewa": "Pay {amount} with eSewa",
    "pay.page.esewa_button": "Continue to eSewa",
})
