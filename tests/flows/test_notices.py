"""Facts about an order become the messages each party gets, in their language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain import facts as f
from domain.order_status import Role, Status
from domain.vendor_commands import VendorAction
from flows.i18n import t
from flows.order_notices import outgoing
from flows.replies import Buttons, Template, Text

SHOP = f.Party("9779812000001", "ne", "Ram Kirana")
VENDOR = f.Party("9779801000001", "en", "Shrestha Traders")


def test_an_operators_cancel_tells_the_vendor_and_the_retailer() -> None:
    out = outgoing([f.OrderCancelled(1001, "shop closed", Role.OPERATOR, Status.ACCEPTED,
                                     VENDOR, SHOP)])
    assert [(o.to, o.reply) for o in out] == [
        (VENDOR.phone, Text(t("en", "vendor.cancelled", number=1001, reason="shop closed"))),
        (SHOP.phone, Text(t("ne", "order.cancelled_by_operator", number=1001,
                            reason="shop closed")))]


def test_a_retailers_own_cancel_tells_only_the_vendor() -> None:
    out = outgoing([f.OrderCancelled(1001, "x", Role.RETAILER, Status.PENDING, VENDOR, SHOP)])
    assert [o.to for o in out] == [VENDOR.phone]


def test_no_vendor_is_told_of_a_cancelled_order_no_one_was_holding() -> None:
    out = outgoing([f.OrderCancelled(1001, "x", Role.OPERATOR, Status.UNROUTABLE, VENDOR,
                                     SHOP)])
    assert [o.to for o in out] == [SHOP.phone]


def test_every_order_notice_has_the_order_update_template_and_correlation() -> None:
    out = outgoing([f.OrderDelivered(1001, VENDOR, SHOP, Decimal(980), dt.date(2026, 4, 1))])
    retailer = out[1]
    assert isinstance(retailer.reply, Buttons)
    assert retailer.reply.body == t("ne", "order.delivered", number=1001, total="रु ९८०",
                                    due="१८ चैत २०८२ / २०२६-०४-०१")
    assert retailer.reply.footer == t("ne", "order.delivered.ask")
    assert isinstance(retailer.fallback, Template) and retailer.fallback.name == "order_update"
    assert {o.correlation for o in out} == {"order:1001"}


def test_a_refusal_names_the_status_in_the_vendors_language() -> None:
    out = outgoing([f.VendorRefused(1001, VENDOR, f.VendorRefusal.FINISHED,
                                    VendorAction.REJECT, Status.DELIVERED)])
    assert out[0].reply == Text(t("en", "vendor.finished", number=1001, status="delivered"))
