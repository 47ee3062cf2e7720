"""Which Cloud API failures are worth retrying and which never will succeed.

Retrying a permanent error only burns throughput and can get the number
flagged; not retrying a transient one loses a reply. Unknown codes are treated
as permanent: they go to the dead letters where an operator can look and
retry, instead of hammering the API.
"""

from __future__ import annotations

import enum


class Disposition(enum.Enum):
    """What the dispatcher should do after a failed send."""

    RETRY = "retry"
    PERMANENT = "permanent"
    OUTSIDE_WINDOW = "outside_window"  # 131047: send the approved template instead
    # Marketing refused for this user now (131049, Meta's per-user marketing limit
    # "to maintain healthy ecosystem engagement"): retrying soon fails the same way.
    MARKETING_LIMITED = "marketing_limited"
    OPTED_OUT = "opted_out"  # 131050: the user stopped marketing messages
    # 132001 (no such template in that language), 132015 (paused), 132016 (disabled):
    # the row waits for the template to be fixed or approved (`khaacho templates`).
    TEMPLATE_UNAVAILABLE = "template_unavailable"


# Throttling, temporary unavailability and Meta-side hiccups.
RETRYABLE_CODES: frozenset[int] = frozenset({
    1,        # API unknown (temporary)
    2,        # API service temporarily unavailable
    4,        # application-level request limit
    80007,    # WhatsApp Business Account rate limit
    130429,   # throughput (messages per second) exceeded
    131000,   # something went wrong (generic, transient)
    131016,   # service unavailable
    131056,   # too many messages to the same user (pair rate limit)
    131057,   # account in maintenance mode
    133004,   # server temporarily unavailable
})

OUTSIDE_WINDOW_CODE = 131047
MARKETING_LIMIT_CODE = 131049
MARKETING_OPTED_OUT_CODE = 131050
# The template status each template error means, as stored in message_templates.
TEMPLATE_STATUS_OF_CODE: dict[int, str] = {132001: "MISSING", 132015: "PAUSED",
                                           132016: "DISABLED"}

# Named here so the intent is explicit; anything not retryable is permanent anyway.
PERMANENT_CODES: frozenset[int] = frozenset({
    100,      # invalid parameter
    190,      # access token expired / invalid
    368,      # temporarily blocked for policy violations
    131008,   # required parameter missing
    131009,   # parameter value invalid
    131026,   # message undeliverable (not a WhatsApp user, old app, …)
    131051,   # unsupported message type
    132000,   # template parameter count does not match
    132005,   # translated text too long
    132007,   # template format character policy violated
    132012,   # template parameter format mismatch
    # Media upload error: the file or its declared MIME type is wrong (a voice
    # note that is not audio/ogg, a document of the wrong type). The same bytes
    # fail the same way again, so never retried blindly.
    131053,
})


def classify(code: int | None, http_status: int | None = None) -> Disposition:
    """Decide from the Graph error code, else the HTTP status (None = no answer)."""
    if code is not None:
        if code == OUTSIDE_WINDOW_CODE:
            return Disposition.OUTSIDE_WINDOW
        if code == MARKETING_LIMIT_CODE:
            return Disposition.MARKETING_LIMITED
        if code == MARKETING_OPTED_OUT_CODE:
            return Disposition.OPTED_OUT
        if code in TEMPLATE_STATUS_OF_CODE:
            return Disposition.TEMPLATE_UNAVAILABLE
        if code in RETRYABLE_CODES:
            return Disposition.RETRY
        return Disposition.PERMANENT
    if http_status is None or http_status >= 500 or http_status in (408, 429):
        # No answer at all (timeout, connection reset) or a server-side failure.
        return Disposition.RETRY
    return Disposition.PERMANENT

