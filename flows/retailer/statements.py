"""Statement of account on request: "hisab", "hisab mangsir", "statement for Kartik", a button."""

from __future__ import annotations

from flows.commands import StatementAsk
from flows.documents import statement_caption
from flows.replies import Document
from flows.retailer.turn import Turn


async def send_statement(turn: Turn, ask: StatementAsk) -> None:
    """The statement PDF for the month asked (the latest one begun), else the last 30 days.

    A word where a month would be that is no month is asked about, not guessed.
    """
    if ask.unknown is not None:
        turn.text("statement.unknown_month")
        return
    sent = await turn.backend.statement(turn.retailer, ask.month, turn.lang)
    turn.say(Document(sent.media_file_id, sent.filename,
                      statement_caption(sent.statement, turn.lang)))
