"""Configuration errors name the variable and what is wrong with it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings

GOOD = {"DATABASE_URL": "postgresql://u@localhost/db", "REDIS_URL": "redis://localhost:6379/0"}


def test_a_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", GOOD["REDIS_URL"])
    with pytest.raises(ConfigError, match=r"^DATABASE_URL is not set$"):
        load_settings()


def test_a_database_url_of_the_wrong_scheme_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://u@localhost/db")
    monkeypatch.setenv("REDIS_URL", GOOD["REDIS_URL"])
    with pytest.raises(ConfigError, match="DATABASE_URL must start with postgres"):
        load_settings()


def test_a_non_numeric_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GOOD.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ConfigError, match=r"^PORT "):
        load_settings()


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GOOD.items():
        monkeypatch.setenv(k, v)
    for k in ("PORT", "WHATSAPP_API_URL", "WHATSAPP_MAX_MPS"):
        monkeypatch.delenv(k, raising=False)
    s = load_settings()
    assert s.port == 8080
    assert s.whatsapp_api_url == "https://graph.facebook.com/v23.0"
    assert s.whatsapp_max_mps == 80


def test_secrets_do_not_appear_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GOOD.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@localhost/db")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "s3cr3t-value")
    monkeypatch.setenv("JWT_SECRET", "jwt-s3cr3t")
    text = repr(load_settings()) + str(load_settings())
    for secret in ("hunter2", "s3cr3t-value", "jwt-s3cr3t"):
        assert secret not in text


def test_migrate_with_a_bad_database_url_fails_with_one_line_naming_it() -> None:
    env = {"DATABASE_URL": "mysql://nowhere/db", "REDIS_URL": GOOD["REDIS_URL"], "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "migrate"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def test_migrate_with_an_unreachable_database_fails_with_one_line_naming_it() -> None:
    env = {"DATABASE_URL": "postgresql://u@127.0.0.1:9/db", "REDIS_URL": GOOD["REDIS_URL"]}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "migrate"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]
