"""The operators' routes: `/metrics`, the JSON APIs (admin, orders) and their OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from bot.metrics_endpoint import metrics_handler
from bot.web import admin, api, openapi
from bot.web.endpoints import EndpointTable
from bot.web.keys import RUNTIME


def setup(app: web.Application) -> None:
    """Add /metrics and the operators' JSON APIs (admin, orders) with their OpenAPI document."""
    app.router.add_get("/metrics", metrics_handler(lambda request: request.app[RUNTIME]))
    for table in api_tables():
        table.add_routes(app)
    openapi.setup(app, api_tables())


def api_tables() -> list[EndpointTable]:
    """Every declared JSON API (routes and OpenAPI document come from these)."""
    return [admin.ADMIN, api.API]
