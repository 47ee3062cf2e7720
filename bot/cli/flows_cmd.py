"""`khaacho flows diagram`: print the conversation state machines as Mermaid."""

from __future__ import annotations

import argparse
import json

from bot.cli.errors import CliError


def _diagram(args: argparse.Namespace) -> int:
    from flows.diagram import FLOWS, diagram, markdown

    names = [args.flow] if args.flow != "all" else list(FLOWS)
    if args.flow != "all" and args.flow not in FLOWS:
        raise CliError(f"unknown flow {args.flow!r}; choose from {', '.join(FLOWS)}")
    if args.json:
        print(json.dumps({n: diagram(n) for n in names}, ensure_ascii=False, indent=2))
    elif args.raw:
        print("\n".join(diagram(n) for n in names), end="")
    else:
        print(markdown(names), end="")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `flows diagram`."""
    p = sub.add_parser("flows", help="inspect the conversation flows",
                       description="Inspect the conversation state machines.")
    flows_sub = p.add_subparsers(dest="flows_command", metavar="SUBCOMMAND")
    flows_sub.required = True
    d = flows_sub.add_parser(
        "diagram", help="print each flow as a Mermaid state diagram",
        description="Print the retailer and vendor flows as Mermaid state diagrams (Markdown "
                    "sections with ```mermaid blocks, ready for the README).")
    d.add_argument("flow", nargs="?", default="all",
                   help="retailer, vendor or all (default all)")
    d.add_argument("--raw", action="store_true", help="bare Mermaid text, no Markdown")
    d.add_argument("--json", action="store_true", help="a JSON object {flow: mermaid}")
    d.set_defaults(handler=_diagram)
