"""Whether a template message may go now, in which language, by which route.

Meta delivers a template only when it is APPROVED in the language sent. So:
- a marketing template to a number that opted out is skipped (never sent);
- approved in the row's language: sent as it is;
- else approved in the other language: sent in that one (a Nepali shop gets
  the English text rather than nothing; the values stay as they were written);
- else the row is held, with the reason, until a status webhook or a sync approves it.
A template Meta has never reported on (nothing synced yet: no
`WHATSAPP_BUSINESS_ACCOUNT_ID`, or a template from outside the registry) is
sent and Meta's answer decides (132001 then holds it). The category is Meta's
when it re-categorised the template (`template_category_update`), else the registry's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.templates import LANGUAGES, Category, spec

APPROVED = "APPROVED"


@dataclass(frozen=True, slots=True)
class Send:
    """Send now, in `language`, through the marketing route when `marketing`."""

    language: str
    marketing: bool


@dataclass(frozen=True, slots=True)
class Hold:
    """Wait for approval; `reason` is shown to operators."""

    reason: str


@dataclass(frozen=True, slots=True)
class Skip:
    """Never send (the recipient refused marketing)."""

    reason: str


Verdict = Send | Hold | Skip


def category_of(name: str, meta_category: str | None) -> str:
    """Meta's category if it told us one, else the registry's (UTILITY when unknown)."""
    if meta_category:
        return meta_category.upper()
    registered = spec(name)
    return registered.category.value if registered else Category.UTILITY.value


def decide(name: str, language: str, statuses: Mapping[str, str], meta_category: str | None,
           opted_out: bool) -> Verdict:
    """The verdict for one template send (see the module doc)."""
    marketing = category_of(name, meta_category) == Category.MARKETING.value
    if marketing and opted_out:
        return Skip("recipient opted out of marketing messages")
    if not statuses:
        return Send(language, marketing)
    if statuses.get(language) == APPROVED:
        return Send(language, marketing)
    for other in (*LANGUAGES, *sorted(statuses)):
        if other != language and statuses.get(other) == APPROVED:
            return Send(other, marketing)
    return Hold(f"template {name} not approved ({language}: "
                f"{statuses.get(language, 'not created')}); waiting for approval")
