"""The dev tools' commands: `khaacho demo`, `simulator`, `chat` and `bench` (with `bench parse`).

`bot.cli.main` registers them after the service's own commands. They also
give `khaacho migrate` its `--embedded` option, since the embedded servers
are dev tooling too. The bench's modules are imported when it runs: they
need the `bench` extra (psutil), which `khaacho --help` must not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.config import Settings
from bot.dev import parse_bench
from bot.dev.chat_client import ChatClient
from bot.dev.embedded import EmbeddedUnavailable, ensure_services
from bot.dev.simulator import Simulator
from bot.dev.simulator import create_app as create_simulator_app
from bot.dev.terminal_chat import converse
from bot.lifecycle import run_until_signalled, serving

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

DEFAULT_SIMULATOR = "http://127.0.0.1:8090"
DEFAULT_PHONE = "9779812345678"
BENCH_PHASES = ("baseline", "max", "latency", "orders")


def register(sub: Subparsers) -> None:
    """Add demo, simulator, chat and bench; give `migrate` (registered before) `--embedded`."""
    _add_demo(sub)
    _add_simulator(sub)
    _add_chat(sub)
    _add_bench(sub)
    _add_embedded_migrate(sub)


def start_embedded() -> None:
    """Start embedded Postgres and Redis for whichever of DATABASE_URL, REDIS_URL is unset."""
    try:
        ensure_services()
    except EmbeddedUnavailable as exc:
        raise CliError(str(exc)) from None


def settings_with_embedded() -> Settings:
    """Settings, with embedded servers for whichever URL is unset."""
    start_embedded()
    return settings_for_cli()


# ---------------------------------------------------------------- demo

def _add_demo(sub: Subparsers) -> None:
    p = sub.add_parser("demo", help="start everything locally and show an order end to end",
                       description="Start embedded Postgres/Redis where the URLs are unset, "
                                   "load the demo catalogue, run web + worker + the WhatsApp "
                                   "simulator and open the chat (or, without a terminal, "
                                   "play a sample conversation and exit).")
    p.add_argument("--interactive", action=argparse.BooleanOptionalAction, default=None,
                   help="force the interactive chat on or off (default: on when stdin is a tty)")
    p.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from bot.dev.demo import run_demo  # the whole web app and worker: only when asked for

    settings = settings_with_embedded()
    with contextlib.suppress(KeyboardInterrupt):
        return run_demo(settings, interactive=args.interactive)
    return 0


# ---------------------------------------------------------------- simulator

def _add_simulator(sub: Subparsers) -> None:
    p = sub.add_parser(
        "simulator",
        help="run a local WhatsApp Cloud API simulator",
        description=(
            "Serve POST /{version}/{phone_number_id}/messages like the Graph API, record what "
            "the bot sends, post signed sent/delivered status webhooks back to the bot, and "
            "accept test controls under /_sim/ (fail, heal, window, inbound, messages, reset). "
            "Point WHATSAPP_API_URL at http://HOST:PORT/v23.0."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port to listen on (default 8090)")
    p.add_argument("--webhook-url", default=None,
                   help="the bot's webhook (default http://127.0.0.1:$PORT/webhook)")
    p.add_argument("--token", default=None,
                   help="bearer token to accept (default $WHATSAPP_ACCESS_TOKEN)")
    p.add_argument("--app-secret", default=None,
                   help="secret to sign webhooks with (default $WHATSAPP_APP_SECRET)")
    p.add_argument("--phone-number-id", default=None,
                   help="business phone number id (default $WHATSAPP_PHONE_NUMBER_ID)")
    p.add_argument("--mps", type=float, default=None,
                   help="answer 130429 above this many messages per second")
    p.set_defaults(handler=_simulator)


async def _simulator(args: argparse.Namespace) -> int:
    """Serve the simulator until SIGTERM or SIGINT."""
    token = args.token or os.environ.get("WHATSAPP_ACCESS_TOKEN", "")
    if not token:
        raise CliError("no access token: pass --token or set WHATSAPP_ACCESS_TOKEN")
    bot_port = os.environ.get("PORT", "8080")
    sim = Simulator(
        access_token=token,
        phone_number_id=args.phone_number_id
        or os.environ.get("WHATSAPP_PHONE_NUMBER_ID") or "1122334455667",
        webhook_url=args.webhook_url or f"http://127.0.0.1:{bot_port}/webhook",
        app_secret=args.app_secret or os.environ.get("WHATSAPP_APP_SECRET", ""),
        mps=args.mps,
    )
    try:
        await run_until_signalled(_simulator_listening(sim, args.host, args.port))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    return 0


@contextlib.asynccontextmanager
async def _simulator_listening(sim: Simulator, host: str, port: int) -> AsyncIterator[None]:
    async with serving(create_simulator_app(sim), host, port):
        print(f"simulator listening on http://{host}:{port} "
              f"(WHATSAPP_API_URL=http://{host}:{port}/v23.0), webhooks to {sim.webhook_url}",
              flush=True)
        yield


# ---------------------------------------------------------------- chat

def _add_chat(sub: Subparsers) -> None:
    p = sub.add_parser(
        "chat", help="chat with the running service as a WhatsApp user",
        description="A terminal chat through the real path: signed webhooks in via the "
                    "simulator, the bot's outbound messages read back from it. Buttons and "
                    "lists appear as numbered choices; type the number to pick. In the chat, "
                    "/as PHONE switches identity (e.g. to a vendor), /history shows all "
                    "messages, /image PATH [caption], /voice PATH and /document PATH send a "
                    "file (served as media the bot downloads), /location LAT LON [name] "
                    "shares a location, /quit leaves. Without a terminal, lines are read "
                    "from stdin.")
    p.add_argument("--as", dest="as_phone",
                   default=os.environ.get("KHAACHO_CHAT_PHONE", DEFAULT_PHONE),
                   help=f"the WhatsApp number to write as (default {DEFAULT_PHONE})")
    p.add_argument("--name", default="Demo Shop", help="the WhatsApp profile name to send")
    p.add_argument("--simulator", default=os.environ.get("KHAACHO_SIMULATOR_URL",
                                                         DEFAULT_SIMULATOR),
                   help=f"the simulator's base URL (default {DEFAULT_SIMULATOR})")
    p.set_defaults(handler=_chat)


async def _chat(args: argparse.Namespace) -> int:
    """Chat with the running service (needs it, the worker and `khaacho simulator`)."""
    client = ChatClient(args.simulator.rstrip("/"), args.as_phone, name=args.name)
    try:
        try:
            await client.mark_read()
        except aiohttp.ClientError as exc:
            raise CliError(f"cannot reach the simulator at {args.simulator}: {exc}; "
                           "start it with `khaacho simulator` (or run `make demo`)") from None
        lines = None if sys.stdin.isatty() else [ln.rstrip("\n") for ln in sys.stdin]
        return await converse(client, lines)
    finally:
        await client.close()


# ---------------------------------------------------------------- bench

def _add_bench(sub: Subparsers) -> None:
    p = sub.add_parser(
        "bench",
        help="measure the whole system under load (and compare with bare aiohttp)",
        description=(
            "Start web, worker and the WhatsApp simulator against real Postgres and Redis "
            "(DATABASE_URL/REDIS_URL, or embedded servers), load a generated population, "
            "and drive whole conversations with signed webhooks. Phases: baseline (bare "
            "aiohttp, the machine's ceiling), max (closed loop at rising concurrency: the "
            "highest inbound rate handled end to end with no errors), latency (open "
            "loop at --rate: ack and reply percentiles), orders (orders placed per second, "
            "vendors accepting, dispatching, delivering). Prints a table; --json writes "
            "every figure. All load goes to 127.0.0.1. Needs the bench extra "
            "(pip install 'khaacho[bench]')."
        ),
    )
    p.add_argument("--duration", type=float, default=20.0,
                   help="seconds per measured phase (default 20)")
    p.add_argument("--rate", type=float, default=200.0,
                   help="inbound messages per second in the latency phase (default 200)")
    p.add_argument("--concurrency", type=int, default=64,
                   help="conversations in flight in the orders phase (default 64)")
    p.add_argument("--steps", default="4,8,16,32,64,128,256",
                   help="the max phase's concurrency ramp; it stops at the first step with "
                        "errors or no gain (default 4,8,16,32,64,128,256)")
    p.add_argument("--step-seconds", type=float, default=8.0,
                   help="seconds per ramp step (default 8)")
    p.add_argument("--baseline-concurrency", type=int, default=64,
                   help="requests in flight against bare aiohttp (default 64)")
    p.add_argument("--retailers", type=int, default=2000, help="generated retailers (2000)")
    p.add_argument("--vendors", type=int, default=300, help="generated vendors (300)")
    p.add_argument("--products", type=int, default=10_000,
                   help="catalogue size, the demo catalogue scaled up (10000)")
    p.add_argument("--phases", default=",".join(BENCH_PHASES),
                   help="comma-separated subset of " + ",".join(BENCH_PHASES))
    p.add_argument("--url", default=None,
                   help="drive an already running web service's webhook URL instead of "
                        "starting one (its WHATSAPP_API_URL must point at --sim-port)")
    p.add_argument("--sim-port", type=int, default=None,
                   help="port for the bench's Cloud API simulator (default: a free port)")
    p.add_argument("--json", dest="json_path", type=Path, default=None,
                   help="write the full report as JSON to this file")
    p.add_argument("--profile", type=Path, nargs="?", const=Path("bench/profile"), default=None,
                   help="record py-spy profiles of web and worker during the max phase into "
                        "this directory (default bench/profile)")
    p.add_argument("--web", default="1",
                   help="web processes (each with its conversation workers) behind the "
                        "driver, which posts to each in turn like a load balancer (default 1);"
                        " a list such as 1,2 runs the max phase once per count, side by side"
                        " in one run, and the other phases with the largest")
    p.add_argument("--conversation-processes", type=int, default=0, metavar="N",
                   help="run the conversation workers in N `khaacho worker --conversations`"
                        " processes and none in the web processes, so the webhook's answer"
                        " only persists (default 0: inside the web processes)")
    p.add_argument("--keep", action="store_true",
                   help="keep the bench database and Redis keys afterwards")
    p.add_argument("--log-dir", type=Path, default=Path(".khaacho") / "bench",
                   help="where web/worker logs go (default .khaacho/bench)")
    p.set_defaults(handler=_bench)
    bsub = p.add_subparsers(dest="bench_command", metavar="{parse}")
    parse = bsub.add_parser(
        "parse", help="benchmark the order parser against the plain rapidfuzz baseline",
        description="Generate a catalogue and order lines, read each line with khaacho's "
                    "parser and with rapidfuzz extractOne(WRatio), print speed and accuracy.")
    parse_bench.add_arguments(parse)
    parse.set_defaults(handler=parse_bench.run)


def _bench(args: argparse.Namespace) -> int:
    """Run the load benchmark and print the table (exit 1 when anything was lost)."""
    phases = tuple(p.strip() for p in args.phases.split(",") if p.strip())
    unknown = set(phases) - set(BENCH_PHASES)
    if unknown:
        raise CliError(f"unknown phase(s): {', '.join(sorted(unknown))}")
    if args.duration <= 0 or args.rate <= 0 or args.concurrency < 1 or args.step_seconds <= 0:
        raise CliError("--duration, --rate and --step-seconds must be positive, "
                       "--concurrency at least 1")
    try:
        steps = tuple(int(x) for x in args.steps.split(",") if x.strip())
    except ValueError:
        raise CliError("--steps must be comma-separated whole numbers") from None
    if not steps or min(steps) < 1:
        raise CliError("--steps needs at least one concurrency of 1 or more")
    try:
        webs = tuple(sorted({int(x) for x in str(args.web).split(",") if x.strip()}))
    except ValueError:
        raise CliError("--web must be a whole number or a comma-separated list") from None
    if not webs or not all(1 <= n <= 8 for n in webs):
        raise CliError("--web must be between 1 and 8")
    if not 0 <= args.conversation_processes <= 8:
        raise CliError("--conversation-processes must be between 0 and 8")
    if args.retailers < 10 or args.vendors < 1 or args.products < 50:
        raise CliError("the population needs ≥10 retailers, ≥1 vendor and ≥50 products")
    try:
        from bot.dev.bench.procs import ProcessFailed
        from bot.dev.bench.report import table
        from bot.dev.bench.run import BenchOptions, run_bench
    except ModuleNotFoundError as exc:
        if exc.name != "psutil":
            raise
        raise CliError("the bench needs psutil: pip install 'khaacho[bench]'") from None
    opts = BenchOptions(
        duration=args.duration, rate=args.rate, concurrency=args.concurrency,
        steps=steps, step_seconds=args.step_seconds,
        baseline_concurrency=args.baseline_concurrency, retailers=args.retailers,
        vendors=args.vendors, products=args.products, url=args.url, sim_port=args.sim_port,
        json_path=args.json_path, profile=args.profile, keep=args.keep, log_dir=args.log_dir,
        phases=phases, webs=webs[-1], web_counts=webs,
        conversation_processes=args.conversation_processes)
    try:
        result = run_bench(opts)
    except ProcessFailed as exc:
        raise CliError(str(exc)) from None
    print(table(result))
    if args.json_path:
        print(f"\nfull report: {args.json_path}")
    return 0 if result.get("lost") == 0 else 1


# ---------------------------------------------------------------- migrate --embedded

def _add_embedded_migrate(sub: Subparsers) -> None:
    migrate = sub.choices["migrate"]
    migrate.add_argument("--embedded", action="store_true",
                         help="start the embedded Postgres when DATABASE_URL is unset")
    plain: Callable[[argparse.Namespace], Awaitable[int]] = migrate.get_default("handler")

    async def migrate_embedded(args: argparse.Namespace) -> int:
        if args.embedded:
            start_embedded()
        return await plain(args)

    migrate.set_defaults(handler=migrate_embedded)
