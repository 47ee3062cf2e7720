"""A number the bot does not know: the shop's name, then its area, then it is registered."""

from __future__ import annotations

from domain.areas import match_area
from flows import machine as m
from flows.choices import AreaChoice, parse
from flows.commands import command_of
from flows.replies import ListMenu, ListRow, ListSection, Text
from flows.retailer.ports import Said
from flows.retailer.review import MAX_CANDIDATES
from flows.retailer.titles import unique_titles
from flows.retailer.turn import Turn

SHOP_NAME_MAX, AREA_MAX = 120, 80


async def onboarding(turn: Turn, said: Said) -> None:
    """One step of registering: welcome, shop name, area."""
    text = (said.text or "").strip()
    state = turn.state
    if state == m.ONBOARDING_SHOP and text and not said.choice:
        if len(text) > SHOP_NAME_MAX or command_of(text) is not None:
            turn.text("onboard.bad_name")
            return
        turn.s.shop_name = " ".join(text.split())
        turn.fire("name_shop")
        await ask_area(turn)
        return
    if state == m.ONBOARDING_AREA and turn.s.shop_name:
        tapped = parse(said.choice) if said.choice else None
        if isinstance(tapped, AreaChoice):
            await register(turn, turn.s.shop_name, tapped.area, served=True)
            return
        if text and not said.choice:
            if len(text) > AREA_MAX or command_of(text) is not None:
                turn.text("onboard.bad_area")
                return
            known = match_area(text, await turn.backend.served_areas())
            await register(turn, turn.s.shop_name, known or " ".join(text.split()),
                           served=known is not None)
            return
    if state in m.ONBOARDING:
        turn.text("onboard.bad_name" if state == m.ONBOARDING_SHOP else "onboard.bad_area")
        return
    turn.fire("meet")
    turn.text("onboard.welcome")


async def ask_area(turn: Turn) -> None:
    """Offer the areas vendors serve as a list (typing another is still fine)."""
    served = (await turn.backend.served_areas())[:MAX_CANDIDATES]
    body = turn.tr("onboard.ask_area", shop=turn.s.shop_name)
    if not served:
        turn.say(Text(body))
        return
    rows = tuple(ListRow(id=AreaChoice(area).to_id(), title=title)
                 for area, title in zip(served, unique_titles(served, 24), strict=True))
    turn.say(ListMenu(body=body + "\n" + turn.tr("onboard.area_pick"),
                      button=turn.tr("onboard.area_button"),
                      sections=(ListSection(title=turn.tr("onboard.area_button"), rows=rows),)))


async def register(turn: Turn, shop: str, area: str, *, served: bool) -> None:
    """Register the shop (pending an operator's approval) and say so."""
    turn.account = await turn.backend.register(turn.s.phone, shop, area, turn.lang)
    turn.fire("register")
    turn.text("onboard.done", shop=shop, area=area)
    if not served:
        turn.text("onboard.area_unserved", area=area)
