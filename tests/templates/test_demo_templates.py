"""`make demo` goes live against the simulator: every template synced and approved."""

from __future__ import annotations

from bot.dev.demo import local_stack
from bot.runtime import Runtime
from flows.templates import LANGUAGES, REGISTRY


async def test_the_demo_syncs_and_approves_every_template(runtime: Runtime) -> None:
    async with local_stack(runtime.settings), runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT name, language, status FROM message_templates")
    assert {(r["name"], r["language"]) for r in rows} == {
        (n, lang) for n in REGISTRY for lang in LANGUAGES}
    assert {r["status"] for r in rows} == {"APPROVED"}
