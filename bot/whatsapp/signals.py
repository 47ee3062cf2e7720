"""Webhook changes that are not messages: template statuses, account and number signals, consent.

WhatsApp posts these under their own `field` (the envelope is the same as for
messages): `message_template_status_update` (`event` APPROVED, REJECTED,
PAUSED, DISABLED … with `message_template_name`/`_language`/`_id`, `reason`,
`rejection_info`), `template_category_update` (`new_category`),
`message_template_quality_update` (`previous_quality_score` →
`new_quality_score`), `account_update` (`event`, e.g. ACCOUNT_RESTRICTION,
ACCOUNT_VIOLATION, DISABLED_UPDATE), `phone_number_quality_update` (`event`
FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE with `current_limit`),
`business_capability_update` (messaging limits) and `user_preferences`
(`value` stop / resume for `category` marketing_messages).

`interpret` turns them into plain rows the webhook writes in one statement
(bot/store/account_signals.py): they change tables, never start a conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.whatsapp.updates import Signal, phone_digits
from domain.alerts import Alert, AlertKind

TEMPLATE_STATUS = "message_template_status_update"
TEMPLATE_CATEGORY = "template_category_update"
TEMPLATE_QUALITY = "message_template_quality_update"
ACCOUNT_UPDATE = "account_update"
PHONE_QUALITY = "phone_number_quality_update"
CAPABILITY = "business_capability_update"
USER_PREFERENCES = "user_preferences"
FIELDS = frozenset({TEMPLATE_STATUS, TEMPLATE_CATEGORY, TEMPLATE_QUALITY, ACCOUNT_UPDATE,
                    PHONE_QUALITY, CAPABILITY, USER_PREFERENCES})

# Worse to better; a move to the left is a drop that operators hear about.
_QUALITY_ORDER = ("RED", "YELLOW", "GREEN")
# Number and account events that put sending at risk.
_ALARMING_EVENTS = frozenset({"FLAGGED", "DOWNGRADE", "ACCOUNT_RESTRICTION",
                              "ACCOUNT_VIOLATION", "DISABLED_UPDATE", "ACCOUNT_DELETED",
                              "ACCOUNT_OFFBOARDED"})
_TEMPLATE_ALARMS = frozenset({"REJECTED", "PAUSED", "DISABLED", "FLAGGED"})


@dataclass(frozen=True, slots=True)
class TemplateChange:
    """What a webhook says about one template in one language (None: unchanged)."""

    name: str
    language: str
    status: str | None = None
    category: str | None = None
    quality: str | None = None
    meta_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """A recorded signal: which field, its event, the rest of what Meta said."""

    field: str
    event: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """A number's marketing preference, from the user_preferences webhook."""

    phone: str
    opted_out: bool
    source: str


@dataclass(slots=True)
class Interpreted:
    """Everything one POST's signals change, one entry per key (the last word wins)."""

    templates: dict[tuple[str, str], TemplateChange] = field(default_factory=dict)
    events: list[AccountEvent] = field(default_factory=list)
    consent: dict[str, ConsentChange] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    approved: set[str] = field(default_factory=set)  # names now approved in some language

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not (self.templates or self.events or self.consent or self.alerts)


def _text(value: Any, limit: int = 120) -> str | None:
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    # Postgres text refuses NUL; Meta never sends one, a forged-but-signed body might.
    return str(value).replace("\x00", "")[:limit] or None


_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[A-Za-z_]{2,16}")


def _template_key(value: dict[str, Any]) -> tuple[str | None, str | None]:
    """The template's name and language when they are shaped as Meta's are, else None."""
    name, language = value.get("message_template_name"), value.get("message_template_language")
    ok = (isinstance(name, str) and _NAME.fullmatch(name) and isinstance(language, str)
          and _LANGUAGE.fullmatch(language))
    return (name, language) if ok else (None, None)


def quality_dropped(previous: str | None, new: str | None) -> bool:
    """GREEN → YELLOW, YELLOW → RED, GREEN → RED (an unknown rating is no drop)."""
    if previous not in _QUALITY_ORDER or new not in _QUALITY_ORDER:
        return False
    return _QUALITY_ORDER.index(new) < _QUALITY_ORDER.index(previous)


def _merge(out: Interpreted, change: TemplateChange) -> None:
    key = (change.name, change.language)
    old = out.templates.get(key)
    if old is None:
        out.templates[key] = change
        return
    out.templates[key] = TemplateChange(
        change.name, change.language, change.status or old.status,
        change.category or old.category, change.quality or old.quality,
        change.meta_id or old.meta_id, change.reason if change.status else old.reason)


def _alert(out: Interpreted, alert: Alert) -> None:
    out.alerts.setdefault(alert.dedupe_key, alert)


def interpret(signals: list[Signal], waba_id: str = "") -> Interpreted:
    """What the signals of one POST change; unreadable parts are recorded as events only.

    With `waba_id` set, signals of another business account (an app shared by
    several) are left out.
    """
    out = Interpreted()
    for s in signals:
        if waba_id and s.entry_id not in (None, waba_id):
            continue
        v = s.value
        name, language = _template_key(v)
        meta_id = _text(v.get("message_template_id"), 40)
        if s.field == TEMPLATE_STATUS and name and language:
            status = (_text(v.get("event"), 40) or "UNKNOWN").upper()
            info = v.get("rejection_info")
            reason = _text(info.get("reason"), 300) if isinstance(info, dict) else None
            reason = reason or (None if v.get("reason") in (None, "NONE") else _text(
                v.get("reason"), 300))
            _merge(out, TemplateChange(name, language, status=status,
                                       category=_text(v.get("message_template_category"), 40),
                                       meta_id=meta_id, reason=reason))
            if status == "APPROVED":
                out.approved.add(name)
            elif status in _TEMPLATE_ALARMS:
                _alert(out, Alert(AlertKind.ACCOUNT_QUALITY, f"template:{name}:{language}",
                                  f"template {name} ({language}) is {status}"
                                  f"{': ' + reason if reason else ''}: khaacho templates list"))
            continue
        if s.field == TEMPLATE_CATEGORY and name and language:
            _merge(out, TemplateChange(name, language, category=_text(v.get("new_category"), 40),
                                       meta_id=meta_id))
            continue
        if s.field == TEMPLATE_QUALITY and name and language:
            previous, new = _text(v.get("previous_quality_score"), 20), _text(
                v.get("new_quality_score"), 20)
            _merge(out, TemplateChange(name, language, quality=new, meta_id=meta_id))
            out.events.append(AccountEvent(s.field, f"{previous}->{new}",
                                           {"template": name, "language": language}))
            if quality_dropped(previous, new):
                _alert(out, Alert(AlertKind.ACCOUNT_QUALITY, f"template-quality:{name}",
                                  f"template {name} ({language}) quality fell from "
                                  f"{previous} to {new}"))
            continue
        if s.field == USER_PREFERENCES:
            prefs = v.get("user_preferences")
            for pref in prefs if isinstance(prefs, list) else []:
                if not isinstance(pref, dict) or pref.get("category") != "marketing_messages":
                    continue
                phone = phone_digits(str(pref.get("wa_id") or ""))
                choice = str(pref.get("value") or "").lower()
                if phone.isascii() and phone.isdigit() and choice in ("stop", "resume", "signup"):
                    out.consent[phone] = ConsentChange(phone, choice == "stop",
                                                       f"meta:user_preferences:{choice}")
            continue
        event = (_text(v.get("event"), 60) or _event_of(s.field, v)).upper()
        out.events.append(AccountEvent(s.field, event, v))
        if event in _ALARMING_EVENTS or quality_dropped(
                _text(v.get("previous_quality_score") or v.get("old_quality_rating"), 20),
                _text(v.get("new_quality_score") or v.get("current_quality_rating"), 20)):
            what = "number" if s.field == PHONE_QUALITY else "account"
            limit = _text(v.get("current_limit"), 40)
            _alert(out, Alert(AlertKind.ACCOUNT_QUALITY, f"{s.field}:{event}",
                              f"WhatsApp {what}: {event}"
                              f"{' (limit ' + limit + ')' if limit else ''}"))
    return out


def _event_of(field_name: str, value: dict[str, Any]) -> str:
    if field_name == CAPABILITY:
        limit = value.get("max_daily_conversations_per_business") or value.get(
            "max_daily_conversation_per_phone")
        return f"LIMIT_{limit}" if limit is not None else "CAPABILITY_UPDATE"
    return "UPDATE"
