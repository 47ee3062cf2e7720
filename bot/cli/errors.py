"""The one exception type commands raise to fail with a clear message."""


class CliError(Exception):
    """A failure to report as one line on stderr with a non-zero exit."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
