"""`/console/retailers` and `/console/retailers/{phone}`: shops, their credit and their money.

The detail page shows balance, limit, available credit, the latest credit score
and risk band, the whole ledger with a running balance, and payments. Its forms
call the services the admin API and CLI call (bot.services.operator_actions):
record a payment (receipt on WhatsApp), void one, set the limit, block and
unblock, approve a pending shop, correct name, area and language.
"""

from __future__ import annotations

from aiohttp import web

from bot.console import forms
from bot.console.formatting import money
from bot.console.guard import ConsoleRoutes, Visit
from bot.conversation import session_admin
from bot.services import ledger, operator_actions, parties
from bot.store import operator_views, reports
from flows import money_notices, order_notices

PAGE = ConsoleRoutes()

STATUSES = ("pending", "active", "blocked")
LANGUAGES = ("en", "ne")


@PAGE.get("/console/retailers", name="console.retailers")
async def retailers(visit: Visit) -> web.StreamResponse:
    """Shops with balance, available credit, score and band; by status, area, name or phone."""
    q = visit.request.query
    status = q.get("status") or None
    problems = []
    if status is not None and status not in STATUSES:
        problems.append(visit.t("form.invalid", field=visit.t("field.status"), why=status))
        status = None
    area = (q.get("area") or "").strip()[:80] or None
    search = (q.get("q") or "").strip()[:80] or None
    async with visit.runtime.pool.acquire() as conn:
        rows = await reports.list_retailers(conn, status=status, area=area, search=search)
        areas = await operator_views.areas(conn)
    return await visit.render("retailers.html", {
        "rows": rows, "statuses": STATUSES, "areas": areas, "problems": problems,
        "filters": {"status": status or "", "area": area or "", "q": search or ""}})


@PAGE.get("/console/retailers/{phone}", name="console.retailer")
async def retailer(visit: Visit) -> web.StreamResponse:
    """One shop: credit, score, ledger with running balance, payments, orders, actions."""
    async with visit.runtime.pool.acquire() as conn:
        try:
            found = await parties.find_retailer(conn, visit.request.match_info["phone"])
        except parties.PartyError:
            return await visit.not_found()
        row = await reports.retailer_detail(conn, found.phone)
        entries = await operator_views.ledger_with_balance(conn, found.phone)
        paid = await operator_views.payments(conn, found.phone)
    if row is None:
        return await visit.not_found()
    return await visit.render("retailer.html", {
        "r": row, "ledger": entries, "payments": paid, "methods": ledger.METHODS,
        "languages": LANGUAGES})


def _phone(visit: Visit) -> str:
    return visit.request.match_info["phone"]


def _page(visit: Visit) -> str:
    return f"/console/retailers/{_phone(visit)}"


@PAGE.post("/console/retailers/{phone}/payment", name="console.retailer.payment")
async def record_payment(visit: Visit) -> web.StreamResponse:
    """Post a payment to the ledger; the shop gets a receipt on WhatsApp."""
    amount = forms.amount(visit, "amount")
    method = forms.choice(visit, "method", ledger.METHODS)
    reference = visit.field("reference", required=False, max_length=120) or None
    order_number = forms.whole(visit, "order", low=1, high=999_999_999, required=False)
    advance = visit.field("advance", required=False) == "yes"
    async with visit.runtime.pool.acquire() as conn:
        result = await operator_actions.record_payment(
            conn, retailer=_phone(visit), amount=amount, method=method, reference=reference,
            order_number=order_number, actor=visit.actor, word=order_notices.outgoing,
            word_money=money_notices.outgoing,
            block_after_days=visit.runtime.settings.block_after_days_overdue, advance=advance,
            context=visit.audit_context())
    key = "retailer.payment_repeated" if result["duplicate"] else "retailer.payment_recorded"
    return await visit.done(_page(visit), visit.t(key, amount=money(result["amount"], visit.lang),
                                                  balance=money(result["balance"], visit.lang)))


@PAGE.post("/console/retailers/{phone}/payments/{id}/void", name="console.retailer.void",
           back="/console/retailers/{phone}")
async def void_payment(visit: Visit) -> web.StreamResponse:
    """Void a payment of this shop: a reversing debit, and they are told why."""
    payment_id = forms.path_number(visit.request.match_info["id"])
    reason = visit.field("reason")
    async with visit.runtime.pool.acquire() as conn:
        shop = await parties.find_retailer(conn, _phone(visit))
        owner = await conn.fetchval(
            "SELECT retailer_id FROM payments WHERE id = $1", payment_id
        ) if payment_id is not None else None
        # Only this shop's payments are voided from this shop's page.
        if payment_id is None or owner != shop.id:
            raise operator_actions.ActionError(404, visit.t("error.not_found"))
        await operator_actions.void_payment(conn, payment_id, reason=reason,
                                            actor=visit.actor, word=money_notices.outgoing,
                                            context=visit.audit_context())
    return await visit.done(_page(visit), visit.t("retailer.voided", id=payment_id))


@PAGE.post("/console/retailers/{phone}/limit", name="console.retailer.limit")
async def set_limit(visit: Visit) -> web.StreamResponse:
    """Change the credit limit (and the credit terms when given)."""
    limit = forms.limit_amount(visit, "limit")
    terms = forms.whole(visit, "terms_days", low=1, high=365, required=False)
    async with visit.runtime.pool.acquire() as conn:
        await operator_actions.set_credit_limit(conn, _phone(visit), limit, terms_days=terms,
                                                actor=visit.actor)
    return await visit.done(_page(visit), visit.t("retailer.limit_set",
                                                  limit=money(limit, visit.lang)))


@PAGE.post("/console/retailers/{phone}/block", name="console.retailer.block")
async def block(visit: Visit) -> web.StreamResponse:
    """Stop the shop ordering (placed orders carry on); they are told why."""
    reason = visit.field("reason")
    async with visit.runtime.pool.acquire() as conn:
        await operator_actions.block_retailer(conn, _phone(visit), reason=reason,
                                              actor=visit.actor, word=money_notices.outgoing)
    return await visit.done(_page(visit), visit.t("retailer.blocked"))


@PAGE.post("/console/retailers/{phone}/approve", name="console.retailer.approve")
async def approve(visit: Visit) -> web.StreamResponse:
    """Approve a pending shop (at a limit when given) or unblock a blocked one; they are told."""
    limit = forms.limit_amount(visit, "limit") if visit.field(
        "limit", required=False) else None
    async with visit.runtime.pool.acquire() as conn:
        found = await parties.find_retailer(conn, _phone(visit))
        data, _ = await session_admin.read_session(visit.runtime, found.phone)
        result = await operator_actions.approve_retailer(
            conn, found.phone, actor=visit.actor, limit=limit,
            cart_kept=bool((data or {}).get("cart")), word=money_notices.outgoing)
    return await visit.done(_page(visit), visit.t("retailer.approved",
                                                  status=visit.t(f"rstatus.{result['status']}")))


@PAGE.post("/console/retailers/{phone}/edit", name="console.retailer.edit")
async def edit(visit: Visit) -> web.StreamResponse:
    """Correct the shop's name, area or language (only what changed is sent)."""
    async with visit.runtime.pool.acquire() as conn:
        current = await parties.find_retailer(conn, _phone(visit))
        name = visit.field("shop_name", max_length=120)
        area = visit.field("area", max_length=80)
        language = forms.choice(visit, "language", LANGUAGES)
        changes = {k: v for k, v in (("shop_name", name), ("area", area),
                                     ("language", language))
                   if v != getattr(current, k)}
        if not changes:
            return await visit.done(_page(visit), visit.t("retailer.nothing_changed"))
        await operator_actions.update_retailer(conn, current.phone, actor=visit.actor,
                                               **changes)
    return await visit.done(_page(visit), visit.t("retailer.updated"))
