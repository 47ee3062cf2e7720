"""One message's worth of work: the backend, the session, the account and the replies so far."""

from __future__ import annotations

from decimal import Decimal

from domain import cart as carts
from flows import machine as m
from flows.i18n import qty, t, unit
from flows.replies import Outgoing, Reply, Text
from flows.retailer.ports import Account, RetailerBackend
from flows.session import Session


class Turn:
    """The state one message works on; every part of the flow takes it first."""

    def __init__(self, backend: RetailerBackend, session: Session, account: Account | None,
                 model: m.RetailerModel, *, photo: bool = False) -> None:
        self.backend = backend
        # This message is a photo's caption, the photo already with a person.
        self.photo = photo
        self.s = session
        self.account = account
        self.model = model
        self.out: list[Outgoing] = []

    # ------------------------------------------------------------ who and where

    @property
    def lang(self) -> str:
        return self.s.language

    @property
    def state(self) -> str:
        return self.s.state

    @property
    def retailer(self) -> Account:
        """The registered retailer (shopping only happens once there is one)."""
        if self.account is None:
            raise LookupError("this message has no registered retailer")
        return self.account

    # ------------------------------------------------------------ the machine

    def fire(self, trigger: str) -> bool:
        """Move the conversation on; a refusal is recorded for the shell to report."""
        return m.fire(self.model, trigger)

    def may(self, trigger: str) -> bool:
        """Whether the machine would take `trigger` now."""
        return m.may(self.model, trigger)

    # ------------------------------------------------------------ saying

    def tr(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def say(self, reply: Reply, correlation: str | None = None) -> None:
        self.out.append(Outgoing(self.s.phone, reply, correlation=correlation))

    def text(self, key: str, **values: object) -> None:
        self.say(Text(self.tr(key, **values)))

    def not_understood(self) -> None:
        """The answer to a message with nothing the flow can read: "sorry, send items…",
        or, for a photo's caption, that a person will prepare the order from the photo."""
        self.text("media.received.image" if self.photo else "cart.nothing_understood")

    def say_text_for_order(self, key: str, number: int, **values: object) -> None:
        """A text about order `number`, correlated with it for operators."""
        self.say(Text(self.tr(key, number=number, **values)), correlation=f"order:{number}")

    def qty_unit(self, amount: Decimal, unit_name: str) -> tuple[str, str]:
        return qty(self.lang, amount), unit(self.lang, unit_name, amount)

    # ------------------------------------------------------------ the cart

    def set_cart(self, cart: carts.Cart) -> None:
        """Replace the cart; buttons under older summaries no longer apply."""
        self.s.lines = cart
        self.s.rev += 1
        self.s.reminded_at = None
