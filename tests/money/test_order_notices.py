"""Order notices fit WhatsApp's limits whatever the order's size or language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from bot.whatsapp.outbound import render_outgoing
from flows import order_notices
from flows.replies import Buttons


@dataclass(frozen=True)
class Line:
    name: str
    qty: Decimal
    unit: str
    unit_price: Decimal
    line_total: Decimal


@pytest.mark.parametrize("language", ["en", "ne"])
@pytest.mark.parametrize("count", [1, 8, 60])
def test_a_vendor_offer_of_any_size_renders_within_limits(language: str, count: int) -> None:
    lines = [Line(f"Sona Mansuli Rice 25kg premium batch {i}", Decimal("12.5"), "bag",
                  Decimal("2250"), Decimal("28125")) for i in range(count)]
    out = order_notices.vendor_offer(to="9779801000001", language=language, number=1042,
                                     shop="Laxmi Kirana Pasal", area="Kalanki-14", lines=lines,
                                     total=Decimal("28125") * count, minutes=15)
    payload, fallback = render_outgoing(out)
    assert payload["type"] == "interactive" and fallback is not None
    assert isinstance(out.reply, Buttons) and len(out.reply.body) <= 1024
    if count <= 8:
        assert all(line.name in out.reply.body for line in lines)
    else:
        assert ("more item(s)" if language == "en" else "अरू") in out.reply.body
    assert out.correlation == "order:1042"


def test_a_payment_receipt_says_advance_when_the_retailer_is_in_credit() -> None:
    out = order_notices.payment_received(to="977", language="en", amount=Decimal(500),
                                         balance=Decimal(-200), payment_id=7)
    assert out.reply.body == (  # type: ignore[union-attr]
        "🙏 Payment of Rs 500 received. You have Rs 200 paid in advance.")
