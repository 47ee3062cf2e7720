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

from bot.web.endpoints import Endpoint, EndpointTable

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
}


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": {k: v for k, v in prop.items()
                                            if k not in ("title", "description")}}
        if prop.get("description"):
            param["description"] = prop["description"]
        out.append(param)
    schemas.update(schema.get("$defs", {}))
    return out


def _operation(ep: Endpoint, schemas: dict[str, Any], refs: dict[type[BaseModel], Any]
               ) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "tags": [ep.tag],
        "security": [{"bearerAuth": []}],
        "x-required-role": ep.role,
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                       for p in ep.path_params],
    }
    if ep.query is not None:
        op["parameters"].extend(_query_parameters(ep.query, schemas))
    for name, description, required in ep.headers:
        op["parameters"].append({"name": name, "in": "header", "required": required,
                                 "description": description, "schema": {"type": "string"}})
    if ep.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": refs[ep.body]}}}
    responses: dict[str, Any] = {
        str(ep.success): {"description": "OK" if ep.success == 200 else "Created",
                          "content": {"application/json": {"schema": {"type": "object"}}}},
    }
    extra = dict(_COMMON_RESPONSES)
    if ep.write:
        extra[403] = "The token's role (viewer) may not write"
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
        schemas.update(defs.get("$defs", {}))
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
