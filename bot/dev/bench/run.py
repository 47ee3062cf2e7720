"""`khaacho bench`: set up, run the four phases, account for every message, report.

1. baseline — the bare aiohttp server (`baseline`) under the same load generator;
2. max — closed-loop conversations: the highest inbound rate handled end to end;
3. latency — open loop at a fixed rate (200 msgs/s): ack and reply percentiles;
4. orders — closed-loop order conversations with vendors accepting, dispatching
   and delivering: orders placed per second.

Each run gets its own database (created on DATABASE_URL's server, or an
embedded one) and Redis key prefix, removed afterwards unless `--keep`.
The load driver is a separate process (so its CPU is its own and measured);
web and worker are `khaacho serve` / `khaacho worker` subprocesses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bot.db import connect, create_database, drop_database, scratch_name
from bot.dev.bench import population, report
from bot.dev.bench.procs import (
    Managed,
    ProcessFailed,
    baseline_process,
    free_port,
    service_env,
    web_process,
    worker_process,
)
from bot.kv import Keys, create_redis

APP_SECRET = "bench-app-secret"  # noqa: S105 - signs webhooks on loopback only
ACCESS_TOKEN = "bench-access-token"  # noqa: S105 - the simulator's, not a real one
VERIFY_TOKEN = "bench-verify-token"  # noqa: S105
PHONE_NUMBER_ID = "100000000000001"


@dataclass
class BenchOptions:
    """What `khaacho bench` was asked to do."""

    duration: float = 20.0  # seconds per measured phase
    rate: float = 200.0  # inbound msgs/s of the latency phase
    concurrency: int = 64  # conversations in flight in the orders phase
    steps: tuple[int, ...] = (4, 8, 16, 32, 64, 128, 256)  # the max phase's concurrency ramp
    step_seconds: float = 8.0
    baseline_concurrency: int = 64
    retailers: int = 2000
    vendors: int = 300
    products: int = 10_000
    url: str | None = None  # use a running web service instead of starting one
    sim_port: int | None = None
    json_path: Path | None = None
    profile: Path | None = None
    keep: bool = False
    log_dir: Path = field(default_factory=lambda: Path(".khaacho") / "bench")
    phases: tuple[str, ...] = ("baseline", "max", "latency", "orders")
    quiet: bool = False
    webs: int = 1  # web processes (each runs conversation workers); webhooks go round-robin
    # The max phase once per count (fresh processes each time), side by side in
    # one run; `webs` (the largest) is the headline and runs the other phases.
    web_counts: tuple[int, ...] = ()
    # >0: web processes run no conversation workers (CONVERSATION_WORKERS=0) and
    # this many `khaacho worker --conversations` processes do the work instead.
    conversation_processes: int = 0


def _say(opts: BenchOptions, text: str) -> None:
    if not opts.quiet:
        print(text, file=sys.stderr, flush=True)


async def _server_versions(db_url: str, redis_url: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with contextlib.suppress(Exception):
        conn = await connect(db_url)
        try:
            out["postgres"] = str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()
    with contextlib.suppress(Exception):
        client = create_redis(redis_url)
        try:
            out["redis"] = str((await client.info("server"))["redis_version"])
        finally:
            await client.aclose()
    return out


async def _prepare(server_url: str, redis_url: str, prefix: str,
                   pop: population.Population) -> tuple[str, dict[str, int]]:
    """Create and fill this run's database; bump the catalogue version."""
    url = await create_database(server_url, scratch_name("khaacho_bench_"))
    conn = await connect(url)
    try:
        counts = await population.insert(conn, pop)
    finally:
        await conn.close()
    client = create_redis(redis_url)
    try:
        await client.incr(Keys(prefix).catalog_version())
    finally:
        await client.aclose()
    return url, counts


async def _teardown(server_url: str, db_url: str | None, redis_url: str, prefix: str) -> None:
    if db_url:
        await drop_database(server_url, urlsplit(db_url).path.lstrip("/"))
    client = create_redis(redis_url)
    try:
        batch = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        for i in range(0, len(batch), 1000):
            await client.delete(*batch[i:i + 1000])
    finally:
        await client.aclose()


async def account(db_url: str, acc: dict[str, Any]) -> dict[str, Any]:
    """Check the driver's record against Postgres: every effect must be there."""
    conn = await connect(db_url)
    try:
        wamids = acc["acked_wamids"]
        handled = await conn.fetchval(
            # Handled, not merely persisted: the webhook acknowledges once a
            # message is in the inbox; 'done' is set with its effects.
            "SELECT count(*) FROM inbound_messages WHERE wamid = ANY($1::text[]) "
            "AND status = 'done'", wamids)
        # By order number: phases are merged, and a later phase's messages may
        # name an order an earlier one placed; a number seen twice is not missing twice.
        placed = sorted(set(acc["placed_orders"]))
        absent = [int(n) for n in await conn.fetchval(
            "SELECT coalesce(array_agg(p.n ORDER BY p.n), '{}') FROM unnest($1::int[]) AS p(n) "
            "WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.number = p.n)", placed)]
        delivered = sorted(set(acc["delivered_orders"]))
        # The orders the driver saw delivered that Postgres does not have delivered
        # with their debit, named (with what Postgres has), so a loss can be traced.
        not_delivered = [dict(r) for r in await conn.fetch(
            "SELECT d.number, o.status, EXISTS (SELECT 1 FROM ledger_entries l "
            "  WHERE l.order_id = o.id AND l.kind = 'debit') AS debited "
            "FROM unnest($1::int[]) AS d(number) LEFT JOIN orders o USING (number) "
            "WHERE o.id IS NULL OR o.status <> 'delivered' OR NOT EXISTS (SELECT 1 FROM "
            "ledger_entries l WHERE l.order_id = o.id AND l.kind = 'debit') "
            "ORDER BY d.number", delivered)]
        outbox = {r["status"]: r["n"] for r in await conn.fetch(
            "SELECT status, count(*) AS n FROM outbox GROUP BY status")}
        orders = {r["status"]: r["n"] for r in await conn.fetch(
            "SELECT status, count(*) AS n FROM orders GROUP BY status")}
    finally:
        await conn.close()
    return {
        "acked": len(wamids), "handled": int(handled),
        "missing_effects": len(set(wamids)) - int(handled),
        "unanswered": len(acc["unanswered"]),
        "unanswered_sample": acc["unanswered"][:5],
        "placed_seen": len(placed), "placed_missing": len(absent),
        "placed_missing_sample": [{"number": n, "retailer_saw": acc.get("placed_texts", {})
                                   .get(str(n))} for n in absent[:10]],
        "delivered_seen": len(delivered), "delivered_missing": len(not_delivered),
        "delivered_missing_sample": [
            {**row, "vendor_saw": acc.get("delivered_transcripts", {}).get(str(row["number"]))}
            for row in not_delivered[:10]],
        "outbox": outbox, "orders": orders, "sim_sent": acc.get("sim_sent", 0),
    }


class _DriverRun:
    """The driver subprocess, with per-phase CPU marks on the other processes."""

    def __init__(self, spec: dict[str, Any], workdir: Path, watched: list[Managed],
                 profile: Path | None, opts: BenchOptions) -> None:
        self.spec, self.workdir, self.watched, self.opts = spec, workdir, watched, opts
        self.profile = profile
        self.cpu: dict[str, dict[str, float]] = {}
        # CPU over each measured window of the phase running now (a ramp has one
        # per step): the phase's figure is its reported window's, not an average
        # over every step, warm-up and drain, which understated a saturated step.
        self._windows: dict[str, dict[str, float]] = {}
        self.rss: dict[str, float] = {}  # the most resident memory seen, per process name
        self.driver_pid = 0

    def run(self, timeout: float) -> dict[str, Any]:
        cfg, out = self.workdir / "driver.json", self.workdir / "driver-out.json"
        cfg.write_bytes(orjson.dumps(self.spec))
        proc = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "bot.dev.bench.driver", str(cfg), str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.driver_pid = proc.pid
        deadline = time.monotonic() + timeout
        profilers: list[subprocess.Popen[bytes]] = []
        assert proc.stderr is not None
        try:
            for line in proc.stderr:  # the driver says when each phase starts and ends
                line = line.rstrip()
                for m in self.watched:
                    mb = m.rss_mb() if isinstance(m, Managed) else 0.0
                    if mb:  # the Postgres/Redis/machine groups do not report memory
                        self.rss[m.name] = max(self.rss.get(m.name, 0.0), mb)
                if line.startswith("window-start "):
                    for m in self.watched:
                        m.mark()
                elif line.startswith("window-end "):
                    label = line.split(" ", 1)[1]
                    self._windows[label] = {m.name: m.cpu_share() for m in self.watched}
                elif line.startswith("phase-start "):
                    self._windows = {}
                    for m in self.watched:
                        m.mark()
                    name = line.split(" ", 1)[1]
                    if self.profile and name == "max":
                        profilers = _start_profilers(
                            self.watched, self.profile,
                            len(self.opts.steps) * (self.opts.step_seconds + 10))
                elif line.startswith("phase-end "):
                    name = line.split(" ", 1)[1]
                    self.cpu[name] = {m.name: m.cpu_share() for m in self.watched}
                elif line.startswith("phase "):
                    self._take_window(line)
                    _say(self.opts, "  " + line[:300])
                elif line:
                    _say(self.opts, "  driver: " + line[:300])
                if time.monotonic() > deadline:
                    proc.kill()
                    raise ProcessFailed("the load driver ran past its time limit")
            proc.wait(max(1.0, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
            for p in profilers:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(30)
        if proc.returncode != 0 or not out.is_file():
            raise ProcessFailed(f"the load driver failed (exit {proc.returncode})")
        return dict(orjson.loads(out.read_bytes()))


    def _take_window(self, line: str) -> None:
        """Replace the phase's CPU with that of the window its figures come from."""
        name, _, body = line[len("phase "):].partition(": ")
        if not self._windows:
            return
        snap = orjson.loads(body)
        chosen = self._windows.get(f"c={snap.get('concurrency')}")
        if chosen is None and len(self._windows) == 1:
            [chosen] = self._windows.values()
        if chosen is not None:
            self.cpu[name] = chosen


def _start_profilers(watched: list[Managed], target: Path,
                     duration: float) -> list[subprocess.Popen[bytes]]:
    """py-spy on web and worker for the max-rate phase (if py-spy is installed)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return []
    target.mkdir(parents=True, exist_ok=True)
    procs = []
    for m in watched:
        if m.name not in ("web", "worker", "conversations") or not m.alive():
            continue
        for fmt, ext in (("speedscope", "speedscope.json"), ("raw", "folded.txt")):
            procs.append(subprocess.Popen(  # noqa: S603
                [spy, "record", "--pid", str(m.pid), "--duration", str(int(duration)),
                 "--rate", "97", "--format", fmt, "--output", str(target / f"{m.name}.{ext}"),
                 "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


class _Machine(Managed):
    """The whole machine's busy CPU (in cores), to see what else was running."""

    def __init__(self) -> None:
        super().__init__("machine", [], {}, Path(os.devnull))

    def alive(self) -> bool:
        return True

    def cpu_seconds(self) -> float:
        import psutil

        t = psutil.cpu_times()
        return float(t.user + t.system + t.nice + getattr(t, "irq", 0.0)
                     + getattr(t, "softirq", 0.0) + getattr(t, "steal", 0.0))


class _Group(Managed):
    """Every process whose name starts with `name` (Postgres backends, Redis), as one.

    `ours` narrows it to this run's server: on a machine shared with other
    people's tests their Postgres backends and Redis would otherwise count as
    the bench's (on this 2-core box they were more than half the "Postgres" CPU).
    """

    def __init__(self, name: str, ours: Callable[[Any], bool] | None = None) -> None:
        super().__init__(name, [], {}, Path(os.devnull))
        self._marks: dict[int, float] = {}
        self._ours = ours

    def alive(self) -> bool:
        return True

    def _now(self) -> dict[int, float]:
        import psutil

        out: dict[int, float] = {}
        for p in psutil.process_iter(["name"]):
            if (p.info.get("name") or "").lower().startswith(self.name):
                with contextlib.suppress(psutil.Error):
                    if self._ours is not None and not self._ours(p):
                        continue
                    t = p.cpu_times()
                    out[p.pid] = t.user + t.system
        return out

    def mark(self) -> None:
        self._marks = self._now()
        self._wall_mark = time.monotonic()

    def cpu_share(self) -> float:
        # Backends that came and went in between count from zero; ones that
        # left are missed (a small undercount, never a negative share).
        wall = time.monotonic() - self._wall_mark
        now = self._now()
        used = sum(max(0.0, cpu - self._marks.get(pid, 0.0)) for pid, cpu in now.items())
        return round(used / wall, 3) if wall > 0 else 0.0


def _postgres_of(db_url: str, dedicated: bool) -> Callable[[Any], bool] | None:
    """Which local processes are this run's Postgres: its postmaster's children, and
    on a server shared with others only the backends of the bench's database."""
    import psutil

    async def backend() -> tuple[int, str]:
        conn = await connect(db_url)
        try:
            row = await conn.fetchrow("SELECT pg_backend_pid() AS pid, current_database() AS db")
            assert row is not None
            # While connected: the backend process ends with its connection.
            return psutil.Process(int(row["pid"])).ppid(), str(row["db"])
        finally:
            await conn.close()

    try:
        postmaster, database = asyncio.run(backend())
        psutil.Process(postmaster)
    except (Exception, psutil.Error):  # a remote server: fall back to every local one
        return None

    def ours(p: Any) -> bool:
        if p.pid == postmaster:
            return True
        if p.ppid() != postmaster:
            return False
        return dedicated or f" {database} " in " ".join(p.cmdline()) + " "

    return ours


def _redis_of(redis_url: str) -> Callable[[Any], bool] | None:
    """This run's redis-server, by the port or socket in its command line."""
    parts = urlsplit(redis_url)
    mark = parts.path if parts.scheme == "unix" else f":{parts.port or 6379}"
    return lambda p: mark in " ".join(p.cmdline())


def run_bench(opts: BenchOptions) -> dict[str, Any]:
    """Run the benchmark and return the report (also written to --json)."""
    from bot.dev.embedded import ensure_services

    os.environ.setdefault("KHAACHO_BENCH", "1")
    # An embedded server is the bench's alone: all its processes count as ours.
    dedicated_postgres = not os.environ.get("DATABASE_URL")
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        ensure_services(Path(".khaacho") / "bench")
    server_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    prefix = f"khaacho-bench:{secrets.token_hex(4)}:"
    opts.log_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="khaacho-bench-"))
    pop = population.generate(products=opts.products, retailers=opts.retailers,
                              vendors=opts.vendors)
    result: dict[str, Any] = {"machine": report.machine(), "notes": [], "webs": opts.webs,
                              "conversation_processes": opts.conversation_processes}
    result["machine"]["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    db_url: str | None = None
    managed: list[Managed] = []
    try:
        # ---------------------------------------------------------- phase 1
        if "baseline" in opts.phases:
            port = free_port()
            base = baseline_process(port, opts.log_dir).start()
            managed.append(base)
            _say(opts, f"phase baseline: bare aiohttp on :{port}, {opts.duration:.0f}s")
            spec = {"app_secret": APP_SECRET, "phone_number_id": PHONE_NUMBER_ID,
                    "baseline": {"url": f"http://127.0.0.1:{port}/webhook",
                                 "concurrency": opts.baseline_concurrency,
                                 "duration": opts.duration,
                                 "connections": opts.baseline_concurrency}}
            machine = _Machine()
            run = _DriverRun(spec, workdir, [base, machine], None, opts)
            base.mark()
            out = run.run(timeout=opts.duration + 60)
            b = out["phases"]["baseline"]
            b["server_cpu"] = base.cpu_share()
            b["cpu"] = run.cpu.get("baseline")
            result["baseline"] = b
            base.stop()
            managed.remove(base)
            _say(opts, f"  baseline: {b['rps']:,.0f} req/s, loadgen CPU {b['loadgen_cpu']:.2f},"
                       f" server CPU {b['server_cpu']:.2f}")
        # ---------------------------------------------------------- the system
        system_phases = [p for p in ("max", "latency", "orders") if p in opts.phases]
        if system_phases:
            _say(opts, f"populating: {opts.retailers} retailers, {opts.vendors} vendors, "
                       f"{opts.products} products")
            started = time.monotonic()
            db_url, counts = asyncio.run(_prepare(server_url, redis_url, prefix, pop))
            result["population"] = counts
            pg_ours = _postgres_of(db_url, dedicated_postgres)
            redis_ours = _redis_of(redis_url)
            if pg_ours is None:
                result["notes"].append("Postgres is not a local process: its CPU counts every "
                                       "local postgres process")
            elif not dedicated_postgres:
                result["notes"].append("Postgres is shared: only the bench database's backends "
                                       "count (not the server's background processes)")
            _say(opts, f"  loaded in {time.monotonic() - started:.1f}s: {counts}")
            sim_port = opts.sim_port or free_port()
            web_port = free_port()
            env = service_env(
                database_url=db_url, redis_url=redis_url, redis_prefix=prefix,
                api_url=f"http://127.0.0.1:{sim_port}/v23.0", app_secret=APP_SECRET,
                access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID,
                verify_token=VERIFY_TOKEN, port=web_port)
            webhook_url = opts.url or f"http://127.0.0.1:{web_port}/webhook"
            web_envs = [env] + [{**env, "PORT": str(free_port())} for _ in range(opts.webs - 1)]
            phases: list[dict[str, Any]] = []
            if "max" in system_phases:
                for n in sorted(set(opts.web_counts or (opts.webs,)) | {opts.webs}):
                    phases.append({"name": "max" if n == opts.webs else f"max-web{n}",
                                   "kind": "ramp", "steps": list(opts.steps), "webs": n,
                                   "duration": opts.step_seconds, "queries": 0.3})
            if "latency" in system_phases:
                # A system slower than the offered rate builds a backlog: give it
                # time to answer everything before the accounting.
                phases.append({"name": "latency", "kind": "open", "rate": opts.rate,
                               "duration": opts.duration, "queries": 0.2, "drain": 90.0})
            if "orders" in system_phases:
                phases.append({"name": "orders", "kind": "closed",
                               "concurrency": opts.concurrency, "duration": opts.duration})
            spec = {
                "webhook_url": webhook_url,
                "app_secret": APP_SECRET,
                "access_token": ACCESS_TOKEN, "phone_number_id": PHONE_NUMBER_ID,
                "retailers": [r[0] for r in pop.retailers],
                "vendors": [v[0] for v in pop.vendors],
                "products": [{"sku": p.sku, "name": p.name, "unit": p.unit,
                              "aliases": list(p.aliases), "category": p.category,
                              "price": str(p.price)} for p in pop.popular],
                "sim_port": sim_port,
            }
            result["phases"], result["cpu"] = {}, {}
            merged: dict[str, Any] = {"acked_wamids": [], "unanswered": [],
                                      "placed_orders": [], "delivered_orders": [],
                                      "delivered_transcripts": {}, "placed_texts": {},
                                      "sim_sent": 0}
            for phase in phases:
                # Each phase gets fresh web and worker processes, so one phase's
                # failure (or backlog) is not the next one's starting point.
                webs = int(phase.get("webs", opts.webs))
                phase_envs = web_envs[:webs]
                webhook_urls = ([] if opts.url else
                                [f"http://127.0.0.1:{e['PORT']}/webhook" for e in phase_envs])
                if not opts.url:
                    tag = phase["name"]
                    apart = {"CONVERSATION_WORKERS": "0"} if opts.conversation_processes else {}
                    for i, web_env in enumerate(phase_envs):
                        name = f"web{i + 1 if i else ''}-{tag}"
                        managed.append(web_process({**web_env, **apart}, opts.log_dir,
                                                   name).start(60))
                    managed.append(worker_process(env, opts.log_dir, f"worker-{tag}").start())
                    for i in range(opts.conversation_processes):
                        managed.append(worker_process(
                            env, opts.log_dir, f"conversations{i + 1 if i else ''}-{tag}",
                            conversations=True).start())
                watched = [*managed, _Group("postgres", pg_ours),
                           _Group("redis-server", redis_ours), _Machine()]
                for m in managed:
                    m.name = m.name.split("-")[0]
                _say(opts, f"phase {phase['name']} (web :{web_port}, simulator :{sim_port})")
                run = _DriverRun({**spec, "webhook_urls": webhook_urls, "phases": [phase]},
                                 workdir, watched,
                                 opts.profile if phase["name"] == "max" else None, opts)
                budget = (len(opts.steps) * (opts.step_seconds + 25) if phase["kind"] == "ramp"
                          else opts.duration + 60)
                out = run.run(timeout=budget + 120)
                result["phases"].update(out["phases"])
                if phase["name"] in result["phases"]:
                    result["phases"][phase["name"]]["webs"] = webs
                result["cpu"].update(run.cpu)
                rss = result.setdefault("max_rss_mb", {})
                for name, mb in run.rss.items():
                    rss[name] = max(rss.get(name, 0.0), mb)
                acc = out["accounting"]
                for key in ("acked_wamids", "unanswered", "placed_orders", "delivered_orders"):
                    merged[key] += acc[key]
                merged["sim_sent"] += acc.get("sim_sent", 0)
                merged["delivered_transcripts"].update(acc.get("delivered_transcripts") or {})
                merged["placed_texts"].update(acc.get("placed_texts") or {})
                result["driver_rss_mb"] = max(result.get("driver_rss_mb") or 0,
                                              out.get("max_rss_mb") or 0)
                for m in managed:
                    if not m.alive():
                        result["notes"].append(f"{m.name} exited during phase {phase['name']}:"
                                               f" {m.log_tail(5)}")
                    m.stop()
                managed.clear()
            result["accounting"] = asyncio.run(account(db_url, merged))
        result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        result["versions"] = report.versions(asyncio.run(_server_versions(server_url,
                                                                           redis_url)))
    finally:
        for m in reversed(managed):
            m.stop()
        if not opts.keep:
            with contextlib.suppress(Exception):
                asyncio.run(_teardown(server_url, db_url, redis_url, prefix))
        elif db_url:
            result.setdefault("notes", []).append(f"kept database {db_url}")
        shutil.rmtree(workdir, ignore_errors=True)
    final = summarise(result)
    if opts.profile:
        from bot.dev.bench.profile import write_summary

        final["profile"] = str(opts.profile)
        summary = write_summary(opts.profile) if opts.profile.is_dir() else None
        if summary is None:
            final["notes"].append("no profile recorded: install py-spy (pip install py-spy)")
        else:
            final["profile_summary"] = str(summary)
    if opts.json_path:
        opts.json_path.parent.mkdir(parents=True, exist_ok=True)
        opts.json_path.write_text(json.dumps(final, indent=2, ensure_ascii=False))
    return final


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """The report's headline figures from the raw phase results."""
    phases = raw.get("phases") or {}
    base = raw.get("baseline") or {}
    mx, lat, orders = phases.get("max") or {}, phases.get("latency") or {}, phases.get(
        "orders") or {}
    acc = raw.get("accounting") or {}
    baseline_rps = base.get("rps")
    max_rate = mx.get("msgs_per_s")
    errors = sum(int(p.get("http_errors", 0)) + int(p.get("status_http_errors", 0))
                 for p in phases.values())
    lost = (int(acc.get("missing_effects", 0)) + int(acc.get("unanswered", 0))
            + int(acc.get("placed_missing", 0)) + int(acc.get("delivered_missing", 0)))
    loadgen = {name: p.get("loadgen_cpu") for name, p in phases.items()}
    if base:
        loadgen["baseline"] = base.get("loadgen_cpu")
    notes = list(raw.get("notes") or [])
    for name, share in loadgen.items():
        if share is not None and share >= 0.9:
            notes.append(f"the load generator used {share:.0%} of a core in phase {name}: "
                         "it is (part of) the bottleneck there")
    cpu_max = dict((raw.get("cpu") or {}).get("max") or {})
    if "machine" in cpu_max:
        ours = sum(v for k, v in cpu_max.items() if k != "machine")
        cpu_max["other"] = round(max(0.0, cpu_max["machine"] - ours), 3)
        notes.append(f"during the max phase's measured step the machine was busy "
                     f"{cpu_max['machine']:.2f} cores, {cpu_max['other']:.2f} of them outside "
                     "the bench's processes (the driver included)")
    # CPU of the system's processes per inbound message at the max rate, and the
    # same for bare aiohttp per request (which travels between machines better).
    cpu_ms = _cpu_ms_per_message(cpu_max, max_rate)
    base_cpu_ms = (round(base["server_cpu"] / baseline_rps * 1000, 3)
                   if base.get("server_cpu") and baseline_rps else None)
    by_webs = _max_by_webs(raw, base_cpu_ms)
    return {
        "cpu_ms_per_message": cpu_ms,
        "baseline_cpu_ms_per_request": base_cpu_ms,
        "cpu_ms_per_message_vs_baseline": (round(cpu_ms / base_cpu_ms, 1)
                                           if cpu_ms and base_cpu_ms else None),
        "max_rss_mb": raw.get("max_rss_mb"),
        "webs": raw.get("webs", 1),
        "max_by_webs": by_webs,
        "conversation_processes": raw.get("conversation_processes", 0),
        "baseline_rps": baseline_rps,
        "max_msgs_per_s": max_rate,
        "ratio": round(max_rate / baseline_rps, 3) if max_rate and baseline_rps else None,
        "ack_ms": {k: lat.get("ack_ms", {}).get(k) for k in ("p50", "p95", "p99")},
        "reply_ms": {k: lat.get("reply_ms", {}).get(k) for k in ("p50", "p95", "p99")},
        "latency_target_rate": lat.get("target_rate"),
        "latency_rate": lat.get("offered_per_s"),
        "orders_per_s": orders.get("orders_per_s"),
        "errors": errors,
        "lost": lost,
        "loadgen_cpu": loadgen,
        "cpu_share": cpu_max,
        "machine": raw.get("machine"),
        "versions": raw.get("versions"),
        "population": raw.get("population"),
        "accounting": acc,
        "phases": {"baseline": base, **phases},
        "cpu_by_phase": raw.get("cpu"),
        "notes": notes,
    }


def _cpu_ms_per_message(cpu: dict[str, float], rate: float | None) -> float | None:
    """Cores of web, workers, Postgres and Redis (not the driver) per message/s, in ms."""
    system_cores = sum(v for k, v in cpu.items() if k not in ("machine", "other", "driver"))
    return (round(system_cores / rate * 1000, 2)
            if rate and system_cores and "machine" in cpu else None)


def _max_by_webs(raw: dict[str, Any], base_cpu_ms: float | None) -> dict[str, Any] | None:
    """The max phase per web-process count (`--web 1,2`), with ratios to the first."""
    phases, cpu = raw.get("phases") or {}, raw.get("cpu") or {}
    counts = sorted({int(p.get("webs") or raw.get("webs", 1)) for name, p in phases.items()
                     if name == "max" or name.startswith("max-web")})
    if len(counts) < 2:
        return None
    out: dict[str, Any] = {}
    first: dict[str, Any] | None = None
    for n in counts:
        name = "max" if n == raw.get("webs", 1) else f"max-web{n}"
        p, share = phases.get(name) or {}, dict(cpu.get(name) or {})
        rate = p.get("msgs_per_s")
        row: dict[str, Any] = {
            "msgs_per_s": rate, "at_concurrency": p.get("concurrency"),
            "ack_p99_ms": (p.get("ack_ms") or {}).get("p99"),
            "reply_p95_ms": (p.get("reply_ms") or {}).get("p95"),
            "cpu_ms_per_message": _cpu_ms_per_message(share, rate),
            "cpu_share": share}
        if row["cpu_ms_per_message"] and base_cpu_ms:
            row["cpu_ms_per_message_vs_baseline"] = round(row["cpu_ms_per_message"]
                                                          / base_cpu_ms, 1)
        if first is None:
            first = row
        else:
            # No ratio (None) when either side handled nothing in its window.
            row["msgs_per_s_vs_first"] = (round(rate / first["msgs_per_s"], 2)
                                          if first.get("msgs_per_s") and rate else None)
        out[str(n)] = row
    return out
