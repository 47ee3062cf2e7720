"""cart-reminders: one nudge for a cart left idle, while WhatsApp still lets us write freely.

A retailer who built a cart and went quiet gets exactly one reminder once the
cart has been idle for `CART_REMINDER_MINUTES`, with Confirm / Cancel buttons
for the cart as it stands. Only inside the 24-hour customer-service window
(after it, only templates may be sent, and an unconfirmed cart is not worth a
paid template), and not in quiet hours.

Each reminder is sent under the retailer's sender lock, so it never races a
message being handled: the session is re-read, the reply goes into the outbox
in one transaction, and `reminded_at` is saved after the commit. A crash
between the commit and the session write could send a second reminder after
a restart; a lost reminder is never possible.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.conversation.locks import SenderLocks
from bot.conversation.sessions import SessionStore
from bot.runtime import Runtime
from bot.store import takeovers as takeover_store
from bot.store.outbox import enqueue
from flows.choices import ReviewAction, ReviewChoice
from flows.i18n import money, t
from flows.replies import Button, Buttons, Outgoing
from flows.session import Session
from jobs.job import Job, JobContext
from jobs.messaging import WINDOW, in_quiet_hours

EVERY_MINUTES = 5


def due_for_reminder(session: Session, now: datetime, idle_minutes: float) -> bool:
    """A cart with lines, idle long enough, never reminded, and inside the 24-hour window."""
    if not session.cart or session.reminded_at is not None or session.questions:
        return False
    if now - session.last_activity < timedelta(minutes=idle_minutes):
        return False
    last_in = session.last_inbound or session.last_activity
    # Leave a margin: the message must reach them before the window closes.
    return now - last_in < WINDOW - timedelta(minutes=EVERY_MINUTES * 2)


async def idle_carts(rt: Runtime, now: datetime, idle_minutes: float) -> list[str]:
    """Phones whose session holds a cart due for its one reminder."""
    store: SessionStore[Session] = SessionStore(rt.redis, rt.keys, Session,
                                                ttl=rt.settings.session_ttl_hours * 3600)
    prefix = rt.keys.session("")
    phones = []
    async for key in rt.redis.scan_iter(match=rt.keys.session_pattern(), count=500):
        phone = key.decode()[len(prefix):]
        session = await store.load(phone)
        if session is not None and due_for_reminder(session, now, idle_minutes):
            phones.append(phone)
    return phones


def reminder(session: Session, total: Decimal | None) -> Outgoing:
    """The reminder: what is waiting, and Confirm / Cancel for this very cart."""
    lang = session.language
    shown = money(lang, total) if total is not None else "—"
    body = t(lang, "reminder", count=len(session.cart), total=shown)
    rev = session.rev
    return Outgoing(session.phone, Buttons(body=body, buttons=(
        Button(ReviewChoice(ReviewAction.CONFIRM, rev).to_id(), t(lang, "btn.confirm")),
        Button(ReviewChoice(ReviewAction.CANCEL, rev).to_id(), t(lang, "btn.cancel")),
    )), correlation=f"cart:{session.phone}")


async def run(ctx: JobContext, now: datetime) -> None:
    """Send the one reminder to every idle cart that is due."""
    from bot.conversation.retailer_backend import ServiceBackend

    rt = ctx.runtime
    if in_quiet_hours(now):
        ctx.add("quiet_hours")
        return
    idle = rt.settings.cart_reminder_minutes
    store: SessionStore[Session] = SessionStore(rt.redis, rt.keys, Session,
                                                ttl=rt.settings.session_ttl_hours * 3600)
    locks = SenderLocks(rt.redis, rt.keys)
    for phone in await idle_carts(rt, now, idle):
        async with locks.hold(phone):
            session = await store.load(phone)
            if session is None or not due_for_reminder(session, now, idle):
                continue  # the retailer wrote meanwhile
            async with rt.pool.acquire() as conn, conn.transaction():
                if await takeover_store.is_taken_over(conn, phone):
                    # An operator is talking to them (bot/services/takeover.py): the bot
                    # stays quiet; the cart is still there after the hand-back.
                    ctx.add("taken_over")
                    continue
                backend = ServiceBackend(rt, conn)
                account = await backend.account(phone)
                total = None
                if account is not None:
                    total = (await backend.quote(account, session.lines)).total
                await enqueue(conn, [reminder(session, total)])
            session.reminded_at = now
            await store.save(phone, session)
        ctx.add("reminded")
        ctx.checkpoint()


JOB = Job("cart-reminders", {"minute": f"*/{EVERY_MINUTES}"}, run,
          "remind a retailer once about a cart left idle, inside the 24-hour window")
