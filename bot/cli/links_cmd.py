"""`khaacho retailer link USER_ID --phone PHONE`: serve a sender without a number as a retailer.

Registered under `khaacho retailer` by bot/cli/parties_cmd.py.
"""

from __future__ import annotations

import argparse

from bot.cli.errors import CliError
from bot.cli.output import add_json_flag, add_operator_flag, cli_runtime, operator_name, show_json
from bot.services import sender_links


async def _link(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            done = await sender_links.link_sender(conn, args.user_id, args.phone,
                                                  actor=operator_name(args))
        except sender_links.LinkError as exc:
            raise CliError(str(exc)) from None
    if args.json:
        show_json({"user_id": done.user_id, "phone": done.phone, "shop_name": done.shop_name,
                   "previous_phone": done.previous_phone, "changed": done.changed})
    elif not done.changed:
        print(f"{done.user_id} was already linked to {done.phone} ({done.shop_name})")
    else:
        print(f"{done.user_id} is now served as {done.phone} ({done.shop_name})"
              + (f"; it was linked to {done.previous_phone}" if done.previous_phone else ""))
    return 0


def add_link_parser(rsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `retailer link` to the `retailer` subcommands."""
    q = rsub.add_parser(
        "link", help="serve a sender WhatsApp names without a number as a retailer",
        description="Link a business-scoped WhatsApp user id (a sender whose phone number "
                    "WhatsApp did not share) to a registered retailer: the bot then serves "
                    "that sender as the retailer (their cart, orders and credit), replying "
                    "to the id. Re-linking moves the id; audited as sender.link.")
    q.add_argument("user_id", help="the sender's WhatsApp user id, e.g. NP.1234567890abcdef")
    q.add_argument("--phone", required=True, help="the retailer's WhatsApp number")
    add_json_flag(q)
    add_operator_flag(q)
    q.set_defaults(handler=_link)
