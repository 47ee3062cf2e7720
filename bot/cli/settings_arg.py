"""Loading settings for a CLI command, with embedded servers where allowed."""

from __future__ import annotations

from bot.cli.errors import CliError
from bot.config import ConfigError, Settings, load_settings


def settings_for_cli(*, embedded: bool = False) -> Settings:
    """Settings from the environment; with `embedded`, start local servers for unset URLs."""
    if embedded:
        from bot.dev.embedded import EmbeddedUnavailable, ensure_services

        try:
            ensure_services()
        except EmbeddedUnavailable as exc:
            raise CliError(str(exc)) from None
    try:
        return load_settings()
    except ConfigError as exc:
        raise CliError(f"configuration: {exc}") from None
