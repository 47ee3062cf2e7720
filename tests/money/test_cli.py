"""`khaacho retailer|vendor|payment|ledger`: operator writes, one-line errors, --json."""

from __future__ import annotations

import json

import pytest

from bot.cli.main import main
from bot.runtime import Runtime


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_onboard_a_retailer_and_a_vendor(cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "retailer", "add", "--phone", "981-234-5678", "--shop",
                       "Ram Kirana", "--area", "Kalanki", "--limit", "50,000")
    assert code == 0
    assert out.strip() == ("retailer 9779812345678 added: Ram Kirana, Kalanki, pending, "
                           "limit Rs 50,000, terms 30 days")
    assert run(capsys, "retailer", "approve", "9812345678")[1].strip() == (
        "retailer 9779812345678 (Ram Kirana) is active, limit Rs 50,000; told on WhatsApp")
    assert run(capsys, "retailer", "set-limit", "+977 9812345678", "75000", "--terms",
               "15")[1].strip() == ("retailer 9779812345678 (Ram Kirana): limit Rs 75,000, "
                                    "terms 15 days")
    assert run(capsys, "retailer", "block", "9812345678", "--reason", "cheque bounced")[0] == 0
    code, out, _ = run(capsys, "vendor", "add", "--phone", "9801000001", "--name",
                       "Kalanki Traders", "--areas", "Kalanki, Kalimati", "--language", "ne")
    assert code == 0 and "areas Kalanki, Kalimati" in out
    code, out, _ = run(capsys, "vendor", "list", "--area", "kalimati", "--json")
    rows = json.loads(out)
    assert [(r["name"], r["areas"], r["language"]) for r in rows] == [
        ("Kalanki Traders", ["Kalanki", "Kalimati"], "ne")]


def test_every_operator_write_is_audited(cli: None, capsys: pytest.CaptureFixture[str],
                                         runtime: Runtime) -> None:
    import asyncio

    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "S", "--area", "A",
        "--approve")
    rows = asyncio.run(_audit(runtime.settings.database_url))
    assert rows == [("cli:sita", "retailer.add"), ("cli:sita", "retailer.active")]


async def _audit(url: str) -> list[tuple[str, str]]:
    from bot.db import connect

    conn = await connect(url)
    try:
        return [(r["actor"], r["action"]) for r in
                await conn.fetch("SELECT actor, action FROM audit_log ORDER BY id")]
    finally:
        await conn.close()


def test_errors_are_one_line_and_nonzero(cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "retailer", "approve", "9800000000")
    assert (code, err.strip()) == (1, "khaacho retailer: no retailer with phone 9800000000")
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "S", "--area", "A")
    code, _, err = run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "S",
                       "--area", "A")
    assert (code, err.strip()) == (
        1, "khaacho retailer: a retailer with phone 9812345678 already exists")
    code, _, err = run(capsys, "vendor", "add", "--phone", "98", "--name", "x", "--areas", "A")
    assert (code, err.strip()) == (1, "khaacho vendor: not a phone number: '98'")


def test_a_payment_twice_with_one_reference_is_recorded_once(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram Kirana", "--area",
        "Kalanki", "--approve", "--limit", "10000")
    code, out, _ = run(capsys, "payment", "record", "--retailer", "9812345678", "--amount",
                       "1500", "--method", "esewa", "--ref", "ES-77", "--advance")
    assert code == 0
    assert out.strip() == ("recorded Rs 1,500 esewa from Ram Kirana (ref ES-77); "
                           "Rs 1,500 paid in advance")
    code, out, _ = run(capsys, "payment", "record", "--retailer", "9812345678", "--amount",
                       "1500", "--method", "esewa", "--ref", "es-77", "--advance", "--json")
    result = json.loads(out)
    assert (code, result["duplicate"], result["balance"]) == (0, True, "-1500.00")
    code, out, _ = run(capsys, "ledger", "show", "9812345678", "--json")
    shown = json.loads(out)
    assert len(shown["entries"]) == 1 and shown["available"] == "11500.00"


def test_a_bad_amount_is_refused_before_touching_the_database(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["payment", "record", "--retailer", "9812345678", "--amount", "-5"])
    assert exc.value.code == 2
    assert "amount must be more than zero" in capsys.readouterr().err


def test_ledger_check_passes_on_clean_books(cli: None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ledger", "check")
    assert code == 0 and out.startswith("ledger ok:")
    code, out, _ = run(capsys, "ledger", "check", "--json")
    assert json.loads(out)["ok"] is True


def test_ledger_check_names_each_problem_and_exits_2(cli: None,
                                                     capsys: pytest.CaptureFixture[str],
                                                     runtime: Runtime) -> None:
    import asyncio

    from bot.db import connect

    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "S", "--area", "A")

    async def break_books() -> None:
        conn = await connect(runtime.settings.database_url)
        try:
            await conn.execute("INSERT INTO payments (retailer_id, amount, method, recorded_by)"
                               " VALUES (1, 75, 'cash', 'a bug')")
        finally:
            await conn.close()

    asyncio.run(break_books())
    code, out, err = run(capsys, "ledger", "check", "--json")
    assert code == 2 and err.strip() == "khaacho ledger: 1 problem(s) found"
    report = json.loads(out)
    assert report["ok"] is False
    assert [p["kind"] for p in report["problems"]] == ["payment_unposted"]


def test_the_cli_writes_lakhs_as_the_whatsapp_replies_do(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram Kirana", "--area",
        "Kalanki", "--limit", "5,00,000", "--approve")
    code, out, _ = run(capsys, "ledger", "correct", "--retailer", "9812345678", "--kind",
                       "debit", "--amount", "200000", "--note", "opening balance")
    assert code == 0 and out.strip().endswith("they now owe Rs 2,00,000")
    _, shown, _ = run(capsys, "ledger", "show", "9812345678")
    assert "2,00,000.00" in shown  # the entries table
    assert shown.strip().splitlines()[-1] == ("owes Rs 2,00,000; open orders Rs 0; "
                                             "limit Rs 5,00,000; available Rs 3,00,000")
    _, listed, _ = run(capsys, "retailers", "list")
    assert "2,00,000.00" in listed and "5,00,000.00" in listed
    assert "200,000" not in shown + listed


def test_a_reference_reused_for_another_amount_exits_1(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram Kirana", "--area",
        "Kalanki", "--approve")
    assert run(capsys, "payment", "record", "--retailer", "9812345678", "--amount", "1500",
               "--ref", "ES-77", "--advance")[0] == 0
    code, _, err = run(capsys, "payment", "record", "--retailer", "9812345678", "--amount",
                       "1600", "--ref", "Es-77", "--advance")
    assert code == 1
    assert "already payment" in err and "not Rs 1,600; nothing recorded" in err


def test_a_payment_above_what_is_owed_exits_1_and_names_advance(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram Kirana", "--area",
        "Kalanki", "--approve")
    run(capsys, "ledger", "correct", "--retailer", "9812345678", "--kind", "debit",
        "--amount", "2710", "--note", "opening balance")
    code, _, err = run(capsys, "payment", "record", "--retailer", "9812345678", "--amount",
                       "99999")
    assert code == 1
    assert err.strip() == ("khaacho payment: payment Rs 99,999 is more than the Rs 2,710 owed; "
                           "record it as an advance to keep Rs 97,289 on account: add "
                           "--advance if that is meant")


@pytest.mark.parametrize(("amount", "why"), [("1e12", "too large"),
                                            ("1500.005", "more than 2 decimal places")])
def test_an_amount_the_ledger_cannot_hold_is_refused_before_the_database(
        capsys: pytest.CaptureFixture[str], amount: str, why: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["payment", "record", "--retailer", "9812345678", "--amount", amount])
    assert exc.value.code == 2
    assert why in capsys.readouterr().err


def test_operators_correct_a_retailer_and_deactivate_a_vendor_from_the_cli(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "retailer", "add", "--phone", "9812345678", "--shop", "Ram", "--area", "Kalanki")
    assert run(capsys, "retailer", "approve", "9812345678", "--limit", "25000")[1].strip() == (
        "retailer 9779812345678 (Ram) is active, limit Rs 25,000; told on WhatsApp")
    assert run(capsys, "retailer", "update", "9812345678", "--area", "Kalimati", "--name",
               "Ram Kirana", "--language", "ne")[1].strip() == (
        "retailer 9779812345678: Ram Kirana, Kalimati, language ne")
    code, _, err = run(capsys, "retailer", "update", "9812345678")
    assert code == 1 and "nothing to change" in err
    run(capsys, "vendor", "add", "--phone", "9801000001", "--name", "Kalanki Traders",
        "--areas", "Kalanki")
    assert run(capsys, "vendor", "deactivate", "9801000001", "--reason",
               "closed")[1].strip() == ("vendor 9779801000001 (Kalanki Traders) is "
                                        "deactivated: no new orders are offered to them")
    code, out, _ = run(capsys, "vendor", "list", "--json")
    assert [r["active"] for r in json.loads(out)] == [False]


def test_orders_act_takes_only_a_vendors_forward_steps(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["orders", "act", "1001", "reject", "--reason", "x"])
    assert exc.value.code == 2
