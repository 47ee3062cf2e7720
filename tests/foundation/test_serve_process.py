"""`khaacho serve` as a real process: SIGTERM lets the request in flight finish, then exits 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.runtime import Runtime
from tests.channel.conftest import signed, text_envelope

ROOT = Path(__file__).resolve().parents[2]
SENDER = "9779812345001"


def _env(settings: Settings, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "WHATSAPP_API_URL": settings.whatsapp_api_url,
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token.get_secret_value(),
        "WHATSAPP_APP_SECRET": settings.whatsapp_app_secret.get_secret_value(),
        "WHATSAPP_VERIFY_TOKEN": settings.whatsapp_verify_token.get_secret_value(),
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_ready(http: aiohttp.ClientSession, url: str, proc: asyncio.subprocess.Process,
                      seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while True:
            assert proc.returncode is None, "serve exited before it was ready"
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def test_sigterm_lets_the_webhook_in_flight_finish_and_exits_0(runtime: Runtime) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.main", "serve", cwd=ROOT,
        env=_env(runtime.settings, port),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    blocker = await runtime.pool.acquire()
    try:
        async with aiohttp.ClientSession() as http:
            await _wait_ready(http, f"{base}/api/ready", proc)
            # An uncommitted claim of the same wamid holds the webhook's own claim:
            # the request is in flight when SIGTERM arrives.
            tx = blocker.transaction()
            await tx.start()
            await blocker.execute(
                "INSERT INTO inbound_messages (wamid, sender, type) VALUES ($1, $2, 'text')",
                "wamid.inflight", SENDER)
            body, headers = signed(text_envelope(SENDER, "namaste", "wamid.inflight"))
            post = asyncio.ensure_future(http.post(f"{base}/webhook", data=body,
                                                   headers=headers))
            async with runtime.pool.acquire() as conn, asyncio.timeout(10):
                while not await conn.fetchval(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a "
                        "ON a.pid = l.pid WHERE NOT l.granted AND a.query LIKE "
                        "'%INSERT INTO inbound_messages%'"):
                    await asyncio.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert proc.returncode is None, "serve exited with a request in flight"
            await tx.rollback()
            async with asyncio.timeout(15):
                resp = await post
                status = resp.status
                resp.release()
        code = await asyncio.wait_for(proc.wait(), 20)
        log = (await proc.stderr.read()).decode()
    finally:
        await runtime.pool.release(blocker)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert status == 200
    assert code == 0
    messages = [json.loads(line)["msg"] for line in log.splitlines() if line.startswith("{")]
    assert "web stopping: finishing in-flight requests" in messages
    assert messages[-1] == "web stopped"
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM inbound_messages WHERE wamid = 'wamid.inflight'") == 1
