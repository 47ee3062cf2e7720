"""`khaacho bench`: the end-to-end load benchmark (and `khaacho bench parse`)."""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from bot.cli.errors import CliError

_PARSE_BENCH = "bot.dev.parse_bench"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `bench` subcommand."""
    p = subparsers.add_parser(
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
            "every figure. All load goes to 127.0.0.1."
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
    p.add_argument("--phases", default="baseline,max,latency,orders",
                   help="comma-separated subset of baseline,max,latency,orders")
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
    p.add_argument("--keep", action="store_true",
                   help="keep the bench database and Redis keys afterwards")
    p.add_argument("--log-dir", type=Path, default=Path(".khaacho") / "bench",
                   help="where web/worker logs go (default .khaacho/bench)")
    p.set_defaults(handler=run)
    sub = p.add_subparsers(dest="bench_command", metavar="{parse}")
    parse = sub.add_parser("parse", help="benchmark the order parser (bot/dev/parse_bench.py)",
                           description="Run bot/dev/parse_bench.py with the arguments given.")
    parse.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for parse_bench.py")
    parse.set_defaults(handler=run_parse)


def run_parse(args: argparse.Namespace) -> int:
    """Delegate to the parser's own benchmark script."""
    sys.argv = ["khaacho bench parse", *args.rest]
    try:
        runpy.run_module(_PARSE_BENCH, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print the table."""
    from bot.dev.bench.procs import ProcessFailed
    from bot.dev.bench.report import table
    from bot.dev.bench.run import BenchOptions, run_bench

    phases = tuple(p.strip() for p in args.phases.split(",") if p.strip())
    unknown = set(phases) - {"baseline", "max", "latency", "orders"}
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
    if args.retailers < 10 or args.vendors < 1 or args.products < 50:
        raise CliError("the population needs ≥10 retailers, ≥1 vendor and ≥50 products")
    opts = BenchOptions(
        duration=args.duration, rate=args.rate, concurrency=args.concurrency,
        steps=steps, step_seconds=args.step_seconds,
        baseline_concurrency=args.baseline_concurrency, retailers=args.retailers,
        vendors=args.vendors, products=args.products, url=args.url, sim_port=args.sim_port,
        json_path=args.json_path, profile=args.profile, keep=args.keep, log_dir=args.log_dir,
        phases=phases)
    try:
        result = run_bench(opts)
    except ProcessFailed as exc:
        raise CliError(str(exc)) from None
    print(table(result))
    if args.json_path:
        print(f"\nfull report: {args.json_path}")
    return 0 if result.get("lost") == 0 else 1
