"""The OpenAPI 3.1 document of the JSON APIs, built from the endpoint declarations.

Paths, methods, parameters, request bodies and the roles they need come from
the same `EndpointTable`s that add the routes, and schemas from the same
pydantic models that validate the requests: the document cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.web.endpoints import HEADER_SCHEMAS, PATH_SCHEMAS, Endpoint, EndpointTable

_REF = "#/components/schemas/{model}"
_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "request_id"],
    "properties": {
        "error": {"type": "string"},
        "request_id": {"type": "string"},
        "fields": {"type": "array", "items": {
            "type": "object", "properties": {"field": {"type": "string"},
                                             "message": {"type": "string"}}}},
    },
}
_COMMON_RESPONSES = {
    400: "Invalid query or body (see `fields`)",
    401: "Missing, invalid or expired bearer token",
    429: "Too many requests from this client (see `Retry-After`)",
    503: "Postgres or Redis is unavailable; retry after `Retry-After` seconds",
}
# Every operator action may refuse what is not valid for its target (bot.services.operator_actions).
_WRITE_RESPONSES = {
    403: "The token's role (viewer) may not write",
    422: "Not valid for this target (e.g. the party's state does not allow it)",
}
# What the validation refuses in every text (bot.web.middleware.unstorable): NUL.
_STORABLE_TEXT = "^[^\\u0000]*$"


def _storable(schema: Any) -> Any:
    """`schema` with every free string limited to storable text, and no null in queries."""
    if isinstance(schema, list):
        return [_storable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _storable(v) for k, v in schema.items()}
    if "default" in out and out["default"] is None and out.get("type") not in (None, "null"):
        del out["default"]  # "absent", which the type does not include as null
    if out.get("type") == "string" and not ({"pattern", "format", "enum", "const"} & set(out)):
        out["pattern"] = _STORABLE_TEXT
    return out


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    # A query string cannot carry null: `anyOf: [X, null]` is X there.
    variants = schema.get("anyOf")
    if isinstance(variants, list):
        rest = [v for v in variants if v.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(rest[0])
            if "default" in merged and merged["default"] is None:
                del merged["default"]  # absent, not null
            return merged
        schema = {**schema, "anyOf": rest}
    return schema


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": _storable(_without_null(
                                     {k: v for k, v in prop.items()
                                      if k not in ("title", "description")}))}
        if prop.get("description"):
            param["description"] = prop["description"]
        out.append(param)
    schemas.update(_storable(schema.get("$defs", {})))
    return out


def _operation(ep: Endpoint, schemas: dict[str, Any], refs: dict[type[BaseModel], Any]
               ) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "tags": [ep.tag],
        "security": [{"bearerAuth": []}],
        "x-required-role": ep.role,
        "parameters": [{"name": p, "in": "path", "required": True,
                        "schema": PATH_SCHEMAS.get(p, {"type": "string",
                                                       "pattern": _STORABLE_TEXT})}
                       for p in ep.path_params],
    }
    if ep.query is not None:
        op["parameters"].extend(_query_parameters(ep.query, schemas))
    for name, description, required in ep.headers:
        op["parameters"].append({"name": name, "in": "header", "required": required,
                                 "description": description,
                                 "schema": HEADER_SCHEMAS.get(name, {"type": "string"})})
    if ep.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": refs[ep.body]}}}
    responses: dict[str, Any] = {
        str(ep.success): {"description": "OK" if ep.success == 200 else "Created",
                          "content": {"application/json": {"schema": {"type": "object"}}}},
    }
    extra = dict(_COMMON_RESPONSES)
    if ep.write:
        extra.update(_WRITE_RESPONSES)
    extra.update(ep.responses)
    for status, description in sorted(extra.items()):
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
        }
    op["responses"] = responses
    return op


def build_document(tables: Iterable[EndpointTable], *, title: str = "Khaacho API",
                   version: str = "1") -> dict[str, Any]:
    """The OpenAPI document for every endpoint of `tables`."""
    endpoints = [ep for t in tables for ep in t.endpoints]
    models = sorted({m for ep in endpoints for m in (ep.body,) if m is not None},
                    key=lambda m: m.__name__)
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    refs: dict[type[BaseModel], Any] = {}
    if models:
        mapping, defs = models_json_schema([(m, "validation") for m in models],
                                           ref_template=_REF)
        schemas.update(_storable(defs.get("$defs", {})))
        refs = {m: mapping[(m, "validation")] for m in models}
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, schemas, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Admin and order APIs of Khaacho. Authenticate with "
                                "`Authorization: Bearer <JWT>` from `khaacho admin token`."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"}},
            "schemas": dict(sorted(schemas.items())),
        },
    }


_DOCUMENT = web.AppKey("openapi_document", dict)


def setup(app: web.Application, tables: Iterable[EndpointTable]) -> None:
    """Serve the document at /api/admin/openapi.json (public: it holds no data)."""
    app[_DOCUMENT] = build_document(list(tables))

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(request.app[_DOCUMENT])

    app.router.add_get("/api/admin/openapi.json", openapi)
