"""`khaacho parse`: JSON out, batch mode, and bad input as clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.parsing.conftest import DEMO_CATALOG


def test_one_message_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--catalog", str(DEMO_CATALOG), "chini 5 kg ra dal 2 kg"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intent"] == "order"
    first, second = out["lines"]
    assert (first["sku"], first["qty"], first["unit"]) == ("SUGAR-KG", 5, "kg")
    assert second["sku"] is None and len(second["candidates"]) >= 2
    assert set(second["candidates"][0]) == {"sku", "name", "score"}


def test_batch_answers_every_line_with_its_id(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    stdin = "\n".join([json.dumps({"id": "a", "text": "hello"}),
                       "not json",
                       json.dumps({"id": 7, "text": "wai wai 2 peti"})]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["parse", "--catalog", str(DEMO_CATALOG), "--batch"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows[0] == {"id": "a", "intent": "greeting", "lines": []}
    assert "error" in rows[1]
    assert rows[2]["id"] == 7 and rows[2]["lines"][0]["sku"] == "NOODLE-WAIWAI-CTN"


def test_a_bad_catalogue_is_one_clear_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,unit,aliases,category,price\nX,Thing,+++,,misc,1\n",
                   encoding="utf-8")
    assert main(["parse", "--catalog", str(bad), "x"]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "+++" in err


def test_a_missing_catalogue_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--catalog", "/nonexistent/catalog.csv", "x"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_a_line_without_a_quantity_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--catalog", str(DEMO_CATALOG), "chini pathaidinu"]) == 0
    line, = json.loads(capsys.readouterr().out)["lines"]
    assert (line["qty"], line["qty_note"]) == (None, "missing")
    assert "SUGAR-KG" in {line["sku"], *(c["sku"] for c in line["candidates"])}
