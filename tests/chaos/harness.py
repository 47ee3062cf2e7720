"""The system under chaos: real web and worker processes, the bench driver, accounting.

`System` creates its own database (on whatever Postgres it is given), loads a
small generated population, starts `khaacho serve` and `khaacho worker` as
subprocesses pointed at the driver's in-process Cloud API simulator, and can
kill, restart and account for everything afterwards:

- every webhook the driver got a 2xx for has its wamid in `inbound_messages`, handled (`done`);
- every inbound message that expects a reply got one;
- every order the driver saw placed exists, every delivery has its debit;
- every outbox row ended sent/delivered/read (none pending, failed or dead);
- no message reached the simulator twice: per (recipient, payload) the
  simulator accepted no more messages than the outbox holds;
- `khaacho ledger check` passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from bot.db import connect, create_database, drop_database, scratch_name, with_database
from bot.dev.bench import population
from bot.dev.bench.driver import Driver, DriverConfig
from bot.dev.bench.procs import Managed, free_port, service_env, web_process, worker_process
from bot.dev.bench.run import account
from bot.kv import Keys, create_redis

APP_SECRET = "chaos-app-secret"
ACCESS_TOKEN = "chaos-access-token"
PHONE_NUMBER_ID = "100000000000002"


def _named(url: str, name: str) -> str:
    """The database URL with `application_name` set (asyncpg passes it to the server)."""
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


_CALLBACK = "biz_opaque_callback_data"


def _canon(payload: Any) -> bytes:
    # The dispatcher adds the row's callback id, and a stored file's Meta media
    # id (after uploading it), at send time; compare the rest.
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != _CALLBACK}
        kind = payload.get("type")
        media = payload.get(kind) if kind in ("document", "image") else None
        if isinstance(media, dict):
            payload[kind] = {k: v for k, v in media.items() if k != "id"}
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


class System:
    """Web + worker + driver over one database and one Redis key prefix."""

    def __init__(self, log_dir: Path, *, server_url: str, redis_url: str,
                 retailers: int = 150, vendors: int = 60, products: int = 400,
                 max_mps: float = 1000.0, driver_options: dict[str, Any] | None = None,
                 env_extra: dict[str, str] | None = None, webs: int = 1,
                 conversation_workers: int = 0) -> None:
        self.log_dir = log_dir
        self.server_url = server_url
        self.redis_url = redis_url
        self.prefix = f"khaacho-chaos:{secrets.token_hex(4)}:"
        self.db_name = scratch_name("khaacho_chaos_")
        self.db_url = with_database(server_url, self.db_name)
        self.pop = population.generate(products=products, retailers=retailers,
                                       vendors=vendors, popular=min(60, products))
        self.sim_port = free_port()
        self.web_port = free_port()
        self.max_mps = max_mps
        self.env = service_env(
            database_url=self.db_url, redis_url=redis_url, redis_prefix=self.prefix,
            api_url=f"http://127.0.0.1:{self.sim_port}/v23.0", app_secret=APP_SECRET,
            access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID,
            verify_token="chaos-verify", port=self.web_port, max_mps=max_mps,
            log_level="WARNING", extra=env_extra)
        if conversation_workers:
            # The conversations run in their own processes (`khaacho worker
            # --conversations`), not in the web processes; a short lease so a
            # killed one's senders come back within the scenario.
            self.env["CONVERSATION_WORKERS"] = "0"
            self.env.setdefault("INBOX_LEASE_SECONDS", "3")
        self.webs: list[Managed] = [web_process(self.env, log_dir)]
        for i in range(1, webs):
            env = {**self.env, "PORT": str(free_port())}
            self.webs.append(web_process(env, log_dir, name=f"web{i + 1}"))
        self.web: Managed = self.webs[0]
        self.worker: Managed = worker_process(self.env, log_dir)
        worker_env = {**self.env, "CONVERSATION_WORKERS": "2"}
        # Each names itself to Postgres, so a scenario can find its connections.
        self.conversations: list[Managed] = [
            worker_process({**worker_env, "DATABASE_URL": _named(self.db_url,
                                                                 f"conversations{i + 1}")},
                           log_dir, name=f"conversations{i + 1}", conversations=True)
            for i in range(conversation_workers)]
        self._worker_env = worker_env
        options = {"reply_timeout": 20.0, "redeliver_for": 90.0, "connections": 64,
                   **(driver_options or {})}
        urls = [f"http://127.0.0.1:{w.env['PORT']}/webhook" for w in self.webs]
        self.driver = Driver(DriverConfig(
            webhook_urls=urls,
            webhook_url=f"http://127.0.0.1:{self.web_port}/webhook", app_secret=APP_SECRET,
            access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID,
            retailers=[r[0] for r in self.pop.retailers],
            vendors=[v[0] for v in self.pop.vendors], products=self.pop.popular,
            sim_port=self.sim_port, **options))

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> System:
        await create_database(self.server_url, self.db_name)
        conn = await connect(self.db_url)
        try:
            await population.insert(conn, self.pop)
        finally:
            await conn.close()
        client = create_redis(self.redis_url)
        try:
            await client.incr(Keys(self.prefix).catalog_version())
        finally:
            await client.aclose()
        await self.driver.start()
        for web in self.webs:
            await asyncio.to_thread(web.start, 60)
        await asyncio.to_thread(self.worker.start)
        for proc in self.conversations:
            await asyncio.to_thread(proc.start)
        return self

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.driver.stop()
        for proc in (*self.conversations, self.worker, *self.webs):
            await asyncio.to_thread(proc.stop)
        with contextlib.suppress(Exception):
            await drop_database(self.server_url, self.db_name)
        with contextlib.suppress(Exception):
            client = create_redis(self.redis_url)
            try:
                keys = [k async for k in client.scan_iter(match=self.prefix + "*", count=500)]
                for i in range(0, len(keys), 500):
                    await client.delete(*keys[i:i + 500])
            finally:
                await client.aclose()

    async def restart_worker(self, *, kill: bool) -> None:
        """SIGKILL (or SIGTERM) the worker and start a new one."""
        if kill:
            await asyncio.to_thread(self.worker.kill)
        else:
            await asyncio.to_thread(self.worker.stop)
        self.worker = worker_process(self.env, self.log_dir, name="worker")
        await asyncio.to_thread(self.worker.start)

    async def kill_conversation_worker(self, index: int = 0) -> None:
        """SIGKILL one conversation-worker process (it is not restarted: the others take over)."""
        await asyncio.to_thread(self.conversations[index].kill)

    def logs(self) -> str:
        """The tails of the web and worker logs, for a failure message."""
        parts = [f"--- {p.name} ---\n{p.log_tail(15)}"
                 for p in (*self.webs, self.worker, *self.conversations)]
        return "\n".join(parts)

    # ------------------------------------------------------------ checks

    async def settle(self, wait: float = 60.0, paced: frozenset[str] = frozenset(), *,
                     stall: float = 20.0, cap: float = 240.0) -> int:
        """Wait for every reply and for the outbox to empty; unanswered count.

        A recipient's backlog drains at WhatsApp's per-user pace (about one
        message per 6 s), so a vendor handed many orders at once can need longer
        than `wait`. Past `wait` the wait goes on while the work left keeps
        shrinking — up to `cap` seconds more — and ends once it has not shrunk
        for `stall` seconds: a row that is stuck for good still shows.
        """
        await self.driver.drain(min(wait, 30.0))
        loop = asyncio.get_running_loop()
        start = loop.time()
        least, shrunk_at = None, start
        while True:
            busy = await self._work_left(paced)
            now = loop.time()
            if not busy:
                break
            if least is None or busy < least:
                least, shrunk_at = busy, now
            if now - start >= wait and (now - shrunk_at >= stall or now - start >= wait + cap):
                break
            await asyncio.sleep(0.5)
        # The replies just sent, and their status webhooks, are still on their way.
        return await self.driver.drain(5.0)

    async def _work_left(self, paced: frozenset[str]) -> int:
        """Inbound messages not yet handled plus outbox rows not yet sent (bar `paced`)."""
        conn = await connect(self.db_url)
        try:
            # The inbox first: a message not yet handled has no outbox row yet.
            return int(await conn.fetchval(
                "SELECT (SELECT count(*) FROM inbound_messages WHERE status = 'pending') "
                "+ (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') "
                "AND recipient <> ALL($1::text[]))", list(paced)))
        finally:
            await conn.close()

    async def accounting(self, paced: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Every message sent, against Postgres and the simulator (see the module doc).

        Rows to `paced` recipients may still be waiting for WhatsApp's per-user
        pacing (about one message per 6 s): they must be pending, never failed.
        """
        acc = await account(self.db_url, self.driver.accounting())
        conn = await connect(self.db_url)
        try:
            rows = await conn.fetch("SELECT id, recipient, payload, status, wamid FROM outbox")
            acc["ledger_debits"] = await conn.fetchval(
                "SELECT count(*) FROM ledger_entries WHERE kind = 'debit'")
            acc["orders_total"] = await conn.fetchval("SELECT count(*) FROM orders")
        finally:
            await conn.close()
        sim = self.driver.sim
        assert sim is not None
        expected = Counter((r["recipient"], _canon(r["payload"])) for r in rows)
        seen = Counter((m.to, _canon(m.payload)) for m in sim.sent)
        by_content = sum(max(0, n - expected[key]) for key, n in seen.items())
        # Where sends name their outbox row, a row accepted twice is a duplicate
        # even if another row happens to have the same text.
        per_row = Counter(m.payload[_CALLBACK] for m in sim.sent
                          if isinstance(m.payload.get(_CALLBACK), str))
        by_row = sum(n - 1 for n in per_row.values() if n > 1)
        acc["duplicates"] = max(by_content, by_row)
        acc["not_sent"] = sum(1 for r in rows if r["status"] not in ("sent", "delivered", "read")
                              and not (r["recipient"] in paced and r["status"] == "pending"))
        acc["paced_pending"] = sum(1 for r in rows if r["recipient"] in paced
                                   and r["status"] == "pending")
        acc["outbox_rows"] = len(rows)
        acc["sim_accepted"] = len(sim.sent)
        wamids = {r["wamid"] for r in rows if r["wamid"]}
        acc["sim_unrecorded"] = sum(1 for m in sim.sent if m.wamid not in wamids)
        return acc

    async def order_violations(self) -> int:
        """Pairs of one sender's messages handled in the opposite of WhatsApp's order.

        Only pairs where the earlier message had also arrived first count: a
        message redelivered late cannot be handled before one already done.
        """
        conn = await connect(self.db_url)
        try:
            return int(await conn.fetchval(
                "SELECT count(*) FROM inbound_messages a JOIN inbound_messages b "
                "ON a.sender = b.sender AND (a.sent_at, a.seq) < (b.sent_at, b.seq) "
                "AND a.received_at < b.received_at "
                "WHERE a.status = 'done' AND b.status = 'done' AND a.handled_at > b.handled_at"))
        finally:
            await conn.close()

    async def inbox_left(self) -> dict[str, int]:
        """Inbox rows by status (pending or dead ones mean something was not handled)."""
        conn = await connect(self.db_url)
        try:
            return {r["status"]: int(r["n"]) for r in await conn.fetch(
                "SELECT status, count(*) AS n FROM inbound_messages GROUP BY status")}
        finally:
            await conn.close()

    async def ledger_check(self) -> tuple[int, str]:
        """`khaacho ledger check` against this system's database."""
        env = {**os.environ, "DATABASE_URL": self.db_url, "REDIS_URL": self.redis_url,
               "REDIS_KEY_PREFIX": self.prefix}
        proc = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot.cli.main", "ledger", "check"],
            env=env, capture_output=True, text=True, timeout=60)
        return proc.returncode, (proc.stdout + proc.stderr).strip()


def assert_nothing_lost(acc: dict[str, Any], *, allow_duplicates: bool = False) -> None:
    """The accounting every scenario ends with."""
    problems = []
    if acc["missing_effects"]:
        problems.append(f"{acc['missing_effects']} acknowledged messages have no effect")
    if acc["unanswered"]:
        problems.append(f"{acc['unanswered']} messages never got a reply: "
                        f"{acc['unanswered_sample']}")
    if acc["placed_missing"]:
        problems.append(f"{acc['placed_missing']} orders seen placed are not in Postgres")
    if acc["delivered_missing"]:
        problems.append(f"{acc['delivered_missing']} delivered orders lack status or debit")
    if acc["not_sent"]:
        problems.append(f"{acc['not_sent']} outbox rows never sent: {acc['outbox']}")
    if acc["duplicates"] and not allow_duplicates:
        problems.append(f"{acc['duplicates']} messages reached the Cloud API twice")
    assert not problems, "; ".join(problems) + f"\naccounting: {acc}"
