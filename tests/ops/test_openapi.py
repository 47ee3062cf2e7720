"""The OpenAPI document lists exactly the routes the app serves."""

from __future__ import annotations

from bot.processes import create_app
from bot.runtime import Runtime
from tests.ops.helpers import serving

_NOT_DOCUMENTED = {"/api/health", "/api/ready", "/api/admin/openapi.json"}


def _served_operations(runtime: Runtime) -> set[tuple[str, str]]:
    app = create_app(runtime)
    ops = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not path or not path.startswith("/api/") or path in _NOT_DOCUMENTED:
            continue
        if route.method in ("HEAD", "OPTIONS", "*"):
            continue
        ops.add((route.method.lower(), path))
    return ops


async def test_every_api_route_is_in_the_document_and_nothing_else(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/admin/openapi.json")
        doc = await resp.json()
    assert resp.status == 200
    documented = {(m, p) for p, item in doc["paths"].items() for m in item}
    served = _served_operations(runtime)
    assert served, "no API routes found"
    assert documented == served


async def test_the_document_is_openapi_3_with_bearer_auth_and_resolvable_refs(
    runtime: Runtime,
) -> None:
    async with serving(runtime) as client:
        doc = await (await client.get("/api/admin/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    schemas = doc["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc["paths"]) + refs(schemas):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref
    for item in doc["paths"].values():
        for op in item.values():
            assert op["security"] == [{"bearerAuth": []}]
            assert "401" in op["responses"]
