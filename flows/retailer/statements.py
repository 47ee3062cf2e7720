"""Statement of account on request: "hisab", "hisab mangsir", "statement for Kartik", a button."""

from __future__ import annotations

from flows.commands import StatementAsk
from flows.documents import period_words
from flows.retailer.turn import Turn


async def send_statement(turn: Turn, ask: StatementAsk) -> None:
    """Ask for the statement PDF of the month asked (the latest one begun), else of the
    last 30 days, and say it is coming: the PDF is rendered off the conversation path.

    A word where a month would be that is no month is asked about, not guessed.
    """
    if ask.unknown is not None:
        turn.text("statement.unknown_month")
        return
    asked = await turn.backend.statement(turn.retailer, ask.month, turn.lang)
    turn.text("statement.coming", period=period_words(asked.period, turn.lang))
