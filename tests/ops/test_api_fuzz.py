"""Whatever an operator's client sends, the JSON APIs answer 4xx, never a 500."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runtime import Runtime
from bot.web.endpoints import Endpoint
from bot.web.ops import api_tables
from tests.ops.helpers import bearer, serving

WRITES = [ep for table in api_tables() for ep in table.endpoints if ep.write]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "retailer": st.text(max_size=20), "amount": json_values, "method": st.text(max_size=8),
        "limit": json_values, "reason": json_values, "items": json_values, "text": json_values,
        "reference": json_values, "order": json_values, "terms_days": json_values}),
)
path_values = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")),
                      min_size=1, max_size=12)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ep=st.sampled_from(WRITES), body=bodies, param=path_values)
async def test_no_write_body_gets_a_server_error(runtime: Runtime, ep: Endpoint, body: Any,
                                                 param: str) -> None:
    path = re.sub(r"\{[^}]+\}", param, ep.path)
    rt = Runtime(runtime.settings.model_copy(update={"admin_rate_limit": 1_000_000}),
                 runtime.pool, runtime.redis, runtime.keys)
    async with serving(rt) as client:
        resp = await client.request(ep.method, path, json=body,
                                    headers={**bearer(), "Idempotency-Key": "fuzz-key-0001"})
        answer = await resp.text()
    assert resp.status < 500, (ep.path, body, answer)
