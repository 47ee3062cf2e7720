"""`khaacho inbox list | show | cart | done`: photos, voice notes and documents for a person.

What retailers send that the bot cannot read lands here (bot/store/operator_inbox.py);
an operator reads it, turns it into a cart the retailer confirms, or closes it.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_json,
    show_record,
    show_table,
)
from bot.services import operator_inbox as inbox_service
from bot.store import media as media_store
from bot.store import operator_inbox
from bot.whatsapp.media_types import media_type

INBOX_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("retailer", "retailer"),
    Column("kind", "kind"),
    Column("caption", "caption"),
    Column("received_at", "received"),
    Column("state", "state"),
    Column("download", "file"),
)


def _row(item: operator_inbox.InboxItem) -> dict[str, Any]:
    """An item as the CLI (and `--json`) shows it."""
    row = asdict(item)
    row["retailer"] = f"{item.shop_name} ({item.sender})" if item.shop_name else item.sender
    return row


async def _list(args: argparse.Namespace) -> int:
    states = operator_inbox.STATES if args.all else ("open", "carted")
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        items = await operator_inbox.list_items(conn, states, limit=args.limit)
    show_table([_row(i) for i in items], INBOX_COLUMNS, as_json=args.json,
               title="operator inbox" + (" (all)" if args.all else " (open)"))
    return 0


def _default_name(item: operator_inbox.InboxItem) -> str:
    known = media_type(item.mime_type or "")
    if item.filename:
        return f"inbox-{item.id}-{Path(item.filename).name}"
    return f"inbox-{item.id}.{known.extension if known else 'bin'}"


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        item = await operator_inbox.get(conn, args.id)
        if item is None:
            raise CliError(f"inbox item {args.id} not found")
        data = (await media_store.read_bytes(conn, item.media_file_id)
                if item.media_file_id is not None else None)
    row = _row(item)
    if data is None:
        why = {"pending": "not downloaded yet", "refused": "refused (too large)",
               "failed": "could not be downloaded"}.get(item.download, "purged by retention")
        row["file"] = f"none: {why}"
    else:
        path = Path(args.out) if args.out else Path(_default_name(item))
        if path.is_dir():
            path = path / _default_name(item)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror}") from None
        row["file"] = str(path)
    if args.json:
        show_json(row)
    else:
        show_record(row, as_json=False, title=f"inbox item {item.id}",
                    skip=("shop_name", "wa_sha256", "handled_at"))
    return 0


async def _cart(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        item = await inbox_service.cart_from_item(conn, args.id, args.text,
                                                  actor=operator_name(args))
    if args.json:
        show_json(_row(item))
    else:
        print(f"inbox item {item.id}: cart sent to {item.sender} for review and Confirm")
    return 0


async def _done(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        item = await inbox_service.close_item(conn, args.id, actor=operator_name(args))
    if args.json:
        show_json(_row(item))
    else:
        print(f"inbox item {item.id} done")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `inbox`."""
    p = sub.add_parser("inbox", help="photos, voice notes and documents retailers sent",
                       description="The operator inbox: what retailers sent that the bot "
                                   "cannot read, for a person to turn into a cart.")
    isub = p.add_subparsers(dest="inbox_command", metavar="ACTION")
    isub.required = True
    q = isub.add_parser("list", help="items waiting for a person, oldest first",
                        description="List open and carted items, oldest first.")
    q.add_argument("--all", action="store_true", help="done items too")
    q.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = isub.add_parser("show", help="one item; writes its file out",
                        description="Show one item and write its file (photo, voice note, "
                                    "document) to --out or ./inbox-ID.EXT.")
    q.add_argument("id", type=int, help="inbox item id")
    q.add_argument("--out", metavar="PATH", help="where to write the file (a file or a folder)")
    add_json_flag(q)
    q.set_defaults(handler=_show)
    q = isub.add_parser("cart", help="turn an item into a cart the retailer confirms",
                        description="Send the items (as the retailer would type them) to the "
                                    "retailer's conversation: they get the usual review with "
                                    "Confirm. Audited.")
    q.add_argument("id", type=int, help="inbox item id")
    q.add_argument("text", help='the order, e.g. "chini 10 kg, mansuli 2 bora"')
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_cart)
    q = isub.add_parser("done", help="close an item",
                        description="Mark an item done (nothing more to do). Audited.")
    q.add_argument("id", type=int, help="inbox item id")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_done)
