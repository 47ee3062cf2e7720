"""`khaacho catalog import|export|search`: the product catalogue and vendor price lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.catalog_cache import bump_version
from bot.cli.errors import CliError
from bot.cli.output import Column, add_json_flag, cli_runtime, show_table
from bot.store import catalog as store
from domain.resolver import CatalogIndex


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `catalog` with its import, export and search subcommands."""
    p = sub.add_parser("catalog", help="import or export the catalogue and vendor price lists",
                       description="Manage products, aliases and vendor price lists.")
    inner = p.add_subparsers(dest="catalog_command", metavar="ACTION")
    inner.required = True

    imp = inner.add_parser(
        "import", help="import a catalogue CSV (all rows or none)",
        description="Import FILE.csv (columns sku,name,unit[,aliases,category,price,stock,pack] "
                    "in any order, case or spacing; aliases separated by |; unknown columns "
                    "are named and ignored). Aliases are merged, never removed; without "
                    "--vendor products are upserted; with --vendor the prices (and stock, if "
                    "the column is present) become that vendor's price list and shared "
                    "products keep their names. Any bad row rejects the whole file, and every "
                    "bad line is listed. A price moving by more than 30%% needs "
                    "--accept-price-changes. Every running process sees the change within "
                    "seconds.")
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--vendor", metavar="PHONE", help="the vendor whose prices these are")
    imp.add_argument("--dry-run", action="store_true",
                     help="show what would change (new, updated, absent, price moves); "
                          "write nothing")
    imp.add_argument("--accept-price-changes", action="store_true",
                     help="let prices move by more than 30%% (refused otherwise)")
    imp.set_defaults(handler=_import)

    exp = inner.add_parser(
        "export", help="write the catalogue (or a vendor's price list) as CSV",
        description="Write the catalogue in the import format to stdout or --output; with "
                    "--vendor, that vendor's price list with prices and stock.")
    exp.add_argument("--vendor", metavar="PHONE", help="export this vendor's price list")
    exp.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    exp.set_defaults(handler=_export)

    search = inner.add_parser("search", help="find products the way the order reader does",
                              description="Fuzzy-search names and aliases (any script).")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    add_json_flag(search)
    search.set_defaults(handler=_search)


def _phone(text: str) -> str:
    from bot.services.parties import PartyError, normalize_phone

    try:
        return normalize_phone(text)
    except PartyError as exc:
        raise CliError(str(exc)) from None


async def _import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    vendor = _phone(args.vendor) if args.vendor else None
    async with cli_runtime() as rt:
        try:
            report = await store.import_csv(rt.pool, text, vendor_phone=vendor,
                                            dry_run=args.dry_run,
                                            accept_price_changes=args.accept_price_changes)
        except store.CatalogRejected as exc:
            for err in exc.errors:
                print(f"{args.file}: {err}", file=sys.stderr)
            raise CliError(str(exc)) from None
        except store.UnknownVendor as exc:
            raise CliError(f"{exc}; add the vendor first") from None
        except store.PriceChangesNeedConsent as exc:
            for change in exc.plan.large_price_changes:
                print(f"{args.file}: {_price_line(change)}", file=sys.stderr)
            raise CliError(f"{exc}; check them, then add --accept-price-changes") from None
        if report.plan is not None:
            _show_plan(report.plan)
        if args.dry_run:
            print(f"dry run of {args.file}: nothing written")
            return 0
        version = await bump_version(rt.redis, rt.keys)
    print(f"imported {args.file}: {report.products_created} new, {report.products_updated} "
          f"changed, {report.products_unchanged} unchanged products; {report.aliases} aliases"
          + (f"; {report.prices} prices ({report.prices_changed} changed)" if vendor else "")
          + f"; catalogue version {version}")
    return 0


def _price_line(change: store.PriceChange) -> str:
    flag = "  (over 30%)" if change.is_large else ""
    return (f"price {change.sku}: {change.old} -> {change.new} "
            f"({change.share * 100:.0f}%){flag}")


def _show_plan(plan: store.ImportPlan) -> None:
    for title, skus in (("new", plan.new), ("updated", plan.updated),
                        ("not in this file (kept)", plan.absent),
                        ("shared name kept", plan.kept_names)):
        if skus:
            print(f"{title} ({len(skus)}): {', '.join(skus)}")
    for change in plan.price_changes:
        print(_price_line(change))
    if plan.ignored_columns:
        print(f"ignored columns: {', '.join(plan.ignored_columns)}")


async def _export(args: argparse.Namespace) -> int:
    vendor = _phone(args.vendor) if args.vendor else None
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        vendor_id = None
        if vendor is not None:
            vendor_id = await store.vendor_id_by_phone(conn, vendor)
            if vendor_id is None:
                raise CliError(f"no vendor with phone {vendor}")
        text = await store.export_csv(conn, vendor_id=vendor_id)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def _search(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        catalog = await store.load_catalog(conn)
    found = CatalogIndex.build(catalog).search(args.query, max(1, args.limit))
    rows = [{"sku": c.sku, "name": c.name, "score": c.score} for c in found]
    show_table(rows, [Column("sku", "SKU"), Column("name", "Name"),
                      Column("score", "Score", numeric=True)], as_json=args.json)
    return 0
