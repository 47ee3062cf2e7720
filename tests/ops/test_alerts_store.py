"""Operator alerts: one open alert per condition, listed oldest first, resolved once."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Runtime
from bot.store import alerts
from domain.alerts import Alert, AlertKind

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
UNROUTABLE = Alert(AlertKind.UNROUTABLE_ORDER, "order:1042", "Order #1042 has no vendor")


async def test_an_alert_raised_twice_while_open_is_recorded_once(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        first = await alerts.raise_alert(conn, UNROUTABLE, details={"order": 1042})
        again = await alerts.raise_alert(conn, UNROUTABLE)
        listed = await alerts.open_alerts(conn)
    assert first is not None and again is None
    assert [(a.id, a.kind, a.details) for a in listed] == [(first, AlertKind.UNROUTABLE_ORDER,
                                                             {"order": 1042})]


async def test_a_resolved_alert_can_be_raised_anew(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        first = await alerts.raise_alert(conn, UNROUTABLE)
        assert first is not None
        assert await alerts.resolve(conn, first, by="operator:sita", at=NOW)
        assert not await alerts.resolve(conn, first, by="operator:sita", at=NOW)
        second = await alerts.raise_alert(conn, UNROUTABLE)
        listed = await alerts.open_alerts(conn)
    assert second is not None and second != first
    assert [a.id for a in listed] == [second]


async def test_different_things_of_one_kind_are_separate_alerts(runtime: Runtime) -> None:
    other = Alert(AlertKind.UNROUTABLE_ORDER, "order:1043", "Order #1043 has no vendor")
    async with runtime.pool.acquire() as conn:
        await alerts.raise_alert(conn, UNROUTABLE)
        await alerts.raise_alert(conn, other)
        assert await alerts.mark_notified(conn, (await alerts.open_alerts(conn))[0].id,
                                          NOW) is None
        listed = await alerts.open_alerts(conn)
    assert [a.dedupe_key for a in listed] == ["unroutable_order:order:1042",
                                              "unroutable_order:order:1043"]
    assert listed[0].notified_at == NOW and listed[1].notified_at is None
