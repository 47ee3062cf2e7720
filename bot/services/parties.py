"""Onboarding and managing retailers and vendors (operator actions, audited)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal

import asyncpg

from bot.store import parties as store
from domain.money import MAX_AMOUNT, format_npr, to_paisa

_PHONE_JUNK = re.compile(r"[\s\-().]")
LANGUAGES = ("en", "ne")


class PartyError(Exception):
    """An operator request that cannot be done (one clear line)."""


def normalize_phone(text: str) -> str:
    """The WhatsApp id for a phone as operators type it.

    `+977 981-2345678`, `9779812345678` and `9812345678` (a Nepali mobile
    written without the country code) all become `9779812345678`.
    """
    phone = _PHONE_JUNK.sub("", text.strip())
    if phone.startswith("+"):
        phone = phone[1:]
    elif phone.startswith("00"):
        phone = phone[2:]
    if len(phone) == 10 and phone.startswith("9") and phone.isdigit():
        phone = "977" + phone
    if not re.fullmatch(r"[0-9]{6,15}", phone):
        raise PartyError(f"not a phone number: {text!r}")
    return phone


async def find_retailer(conn: asyncpg.Connection, phone: str) -> store.Retailer:
    """The retailer with this phone (as typed or normalised), or PartyError."""
    found = await store.retailer_by_phone(conn, phone.strip())
    if found is None:
        found = await store.retailer_by_phone(conn, normalize_phone(phone))
    if found is None:
        raise PartyError(f"no retailer with phone {phone}")
    return found


async def find_vendor(conn: asyncpg.Connection, phone: str) -> store.Vendor:
    found = await store.vendor_by_phone(conn, phone.strip())
    if found is None:
        found = await store.vendor_by_phone(conn, normalize_phone(phone))
    if found is None:
        raise PartyError(f"no vendor with phone {phone}")
    return found


def _text(value: str, what: str, limit: int) -> str:
    value = " ".join(value.split())
    if not 1 <= len(value) <= limit:
        raise PartyError(f"{what} must be 1 to {limit} characters")
    return value


async def add_retailer(conn: asyncpg.Connection, *, phone: str, shop_name: str, area: str,
                       owner_name: str | None = None, credit_limit: Decimal = Decimal(0),
                       terms_days: int = 30, language: str = "en", approve: bool = False,
                       actor: str, now: dt.datetime) -> store.Retailer:
    """Register a retailer (pending unless `approve`)."""
    if language not in LANGUAGES:
        raise PartyError("language must be en or ne")
    _check_limit(credit_limit)
    if not 1 <= terms_days <= 365:
        raise PartyError("credit terms must be 1 to 365 days")
    async with conn.transaction():
        retailer = await store.insert_retailer(
            conn, phone=normalize_phone(phone), shop_name=_text(shop_name, "shop name", 120),
            area=_text(area, "area", 80), owner_name=owner_name,
            credit_limit=to_paisa(credit_limit), terms_days=terms_days, language=language)
        if retailer is None:
            raise PartyError(f"a retailer with phone {phone} already exists")
        await store.audit(conn, actor=actor, action="retailer.add", target=retailer.phone,
                          details={"shop": retailer.shop_name, "area": retailer.area,
                                   "limit": str(retailer.credit_limit)}, now=now)
        if approve:
            retailer = await _set_status(conn, retailer, "active", None, actor, now)
        return retailer


async def _set_status(conn: asyncpg.Connection, retailer: store.Retailer, status: str,
                      reason: str | None, actor: str, now: dt.datetime) -> store.Retailer:
    changes: dict[str, object] = {"status": status, "blocked_reason": reason}
    if status == "active" and retailer.approved_at is None:
        changes["approved_at"] = now
    updated = await store.update_retailer(conn, retailer.id, now=now, **changes)
    await store.audit(conn, actor=actor, action=f"retailer.{status}", target=retailer.phone,
                      details={"from": retailer.status, "reason": reason}, now=now)
    return updated


async def approve_retailer(conn: asyncpg.Connection, phone: str, *, actor: str,
                           now: dt.datetime, limit: Decimal | None = None) -> store.Retailer:
    """Let a pending (or blocked) retailer order on credit; `limit` sets their credit too."""
    if limit is not None:
        _check_limit(limit)
    async with conn.transaction():
        retailer = await find_retailer(conn, phone)
        if limit is not None and to_paisa(limit) != retailer.credit_limit:
            retailer = await set_limit(conn, retailer.phone, limit, actor=actor, now=now)
        if retailer.status == "active":
            return retailer
        return await _set_status(conn, retailer, "active", None, actor, now)


def _check_limit(limit: Decimal) -> None:
    if limit < 0:
        raise PartyError("credit limit cannot be negative")
    if limit > MAX_AMOUNT or limit != to_paisa(limit):
        raise PartyError(f"credit limit must be whole paisa up to {format_npr(MAX_AMOUNT)}")


async def update_retailer(conn: asyncpg.Connection, phone: str, *, actor: str,
                          now: dt.datetime, shop_name: str | None = None,
                          area: str | None = None, language: str | None = None
                          ) -> store.Retailer:
    """Correct a retailer's shop name, area (which vendors serve them) or language."""
    changes: dict[str, object] = {}
    if shop_name is not None:
        changes["shop_name"] = _text(shop_name, "shop name", 120)
    if area is not None:
        changes["area"] = _text(area, "area", 80)
    if language is not None:
        if language not in LANGUAGES:
            raise PartyError("language must be en or ne")
        changes["language"] = language
    if not changes:
        raise PartyError("nothing to change: give a name, an area or a language")
    async with conn.transaction():
        found = await find_retailer(conn, phone)
        retailer = await store.retailer(conn, found.id, for_update=True)
        assert retailer is not None
        updated = await store.update_retailer(conn, retailer.id, now=now, **changes)
        await store.audit(conn, actor=actor, action="retailer.update", target=retailer.phone,
                          details={k: {"from": getattr(retailer, k), "to": v}
                                   for k, v in changes.items()}, now=now)
        return updated


async def set_vendor_active(conn: asyncpg.Connection, phone: str, active: bool, *,
                            actor: str, now: dt.datetime,
                            reason: str | None = None) -> tuple[store.Vendor, int]:
    """Stop (or restart) offering orders to a vendor; (vendor, their open orders).

    A deactivated vendor is left out of pricing and routing at once; orders they
    already hold stay with them until an operator assigns them elsewhere.
    """
    async with conn.transaction():
        vendor = await find_vendor(conn, phone)
        updated = await store.set_vendor_active(conn, vendor.id, active)
        open_orders: int = await conn.fetchval(
            "SELECT count(*) FROM orders WHERE vendor_id = $1 AND order_is_open(status)",
            vendor.id)
        await store.audit(conn, actor=actor,
                          action="vendor.activate" if active else "vendor.deactivate",
                          target=vendor.phone,
                          details={"from": vendor.active, "reason": reason,
                                   "open_orders": open_orders}, now=now)
        return updated, open_orders


async def block_retailer(conn: asyncpg.Connection, phone: str, *, reason: str, actor: str,
                         now: dt.datetime) -> store.Retailer:
    """Stop a retailer from placing orders; placed orders carry on."""
    async with conn.transaction():
        retailer = await find_retailer(conn, phone)
        return await _set_status(conn, retailer, "blocked", _text(reason, "reason", 200),
                                 actor, now)


async def set_limit(conn: asyncpg.Connection, phone: str, limit: Decimal, *, actor: str,
                    now: dt.datetime, terms_days: int | None = None) -> store.Retailer:
    """Change a retailer's credit limit (and optionally their credit terms)."""
    _check_limit(limit)
    if terms_days is not None and not 1 <= terms_days <= 365:
        raise PartyError("credit terms must be 1 to 365 days")
    async with conn.transaction():
        # Lock the row: a limit change must not interleave with a credit check.
        found = await find_retailer(conn, phone)
        retailer = await store.retailer(conn, found.id, for_update=True)
        assert retailer is not None
        changes: dict[str, object] = {"credit_limit": to_paisa(limit)}
        if terms_days is not None:
            changes["credit_terms_days"] = terms_days
        updated = await store.update_retailer(conn, retailer.id, now=now, **changes)
        await store.audit(conn, actor=actor, action="retailer.set_limit", target=retailer.phone,
                          details={"from": str(retailer.credit_limit), "to": str(to_paisa(limit)),
                                   "terms_days": terms_days}, now=now)
        return updated


async def add_vendor(conn: asyncpg.Connection, *, phone: str, name: str, areas: Sequence[str],
                     language: str = "en", actor: str, now: dt.datetime) -> store.Vendor:
    """Register an active vendor serving `areas` (`*` = everywhere)."""
    if language not in LANGUAGES:
        raise PartyError("language must be en or ne")
    clean = [_text(a, "area", 80) for a in areas if a.strip()]
    if not clean:
        raise PartyError("a vendor needs at least one area (or * for everywhere)")
    async with conn.transaction():
        vendor = await store.insert_vendor(conn, phone=normalize_phone(phone),
                                           name=_text(name, "vendor name", 120), areas=clean,
                                           language=language)
        if vendor is None:
            raise PartyError(f"a vendor with phone {phone} already exists")
        await store.audit(conn, actor=actor, action="vendor.add", target=vendor.phone,
                          details={"name": vendor.name, "areas": clean}, now=now)
        return vendor


async def list_vendors(conn: asyncpg.Connection, *, area: str | None = None) -> list[store.Vendor]:
    return await store.list_vendors(conn, area=area)
