"""Random and mutated envelopes, signed and posted over HTTP, never get a 5xx."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runtime import Runtime
from tests.channel.conftest import start_bot

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "sample-updates"


def _seeds() -> list[dict[str, Any]]:
    seeds = []
    if SAMPLES.is_dir():
        for path in sorted(SAMPLES.glob("*.json")):
            seeds.extend(json.loads(path.read_text()).values())
    if not seeds:
        seeds.append({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
            "field": "messages", "value": {"messages": [{"from": "977", "id": "wamid.s",
                                                         "type": "text",
                                                         "text": {"body": "hi"}}]}}]}]})
    return seeds


SEEDS = _seeds()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated_envelopes(draw: st.DrawFn) -> Any:
    env = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(env) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = env
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = draw(json_values)
    return env


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(mutated_envelopes(), json_values))
async def test_no_envelope_ever_gets_a_server_error(runtime: Runtime, body: Any) -> None:
    bot = await start_bot(runtime)
    try:
        async with runtime.pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS channel_effects (wamid text, sender text, body text)")
        status, answer = await bot.post(body)
        assert status == 200, (status, answer)  # never a 4xx WhatsApp would redeliver
    finally:
        await bot.client.close()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.binary(max_size=300))
async def test_arbitrary_bytes_never_get_a_server_error(runtime: Runtime, raw: bytes) -> None:
    bot = await start_bot(runtime)
    try:
        status, _ = await bot.post(raw)
        assert status == 200
    finally:
        await bot.client.close()


def test_the_mutations_reach_inside_messages() -> None:
    """Guard against a strategy that only ever breaks the top level."""
    paths = _paths(SEEDS[0])
    assert any("messages" in p or "statuses" in p or "changes" in p for p in paths)
