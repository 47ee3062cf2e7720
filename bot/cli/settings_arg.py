"""Loading settings for a CLI command."""

from __future__ import annotations

from bot.cli.errors import CliError
from bot.config import ConfigError, Settings, load_settings


def settings_for_cli() -> Settings:
    """Settings from the environment; a bad or missing value is one clear line."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise CliError(f"configuration: {exc}") from None
