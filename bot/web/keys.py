"""Typed keys for what the aiohttp application holds."""

from aiohttp import web

from bot.runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
