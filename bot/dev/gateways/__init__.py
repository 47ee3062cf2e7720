"""Local stand-ins for the payment gateways, speaking their documented wire formats.

One aiohttp app serves all three under their own prefixes, so one loopback port
stands in for them all (the demo and the tests point the settings here):

    KHALTI_API_URL   = {base}/khalti/api/v2
    ESEWA_FORM_URL   = {base}/esewa/api/epay/main/v2/form
    ESEWA_STATUS_URL = {base}/esewa
    FONEPAY_API_URL  = {base}/fonepay/api/merchantRequest

Each part keeps its payments in memory and offers what a test needs to play the
customer and the gateway's bad days: pay (the amount asked, or another), let a
payment expire or be cancelled, fail the next status lookups with 5xx, and build
the browser redirect the gateway would send (so a test can send it twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.dev.gateways.esewa import EsewaSim
from bot.dev.gateways.fonepay import FonepaySim
from bot.dev.gateways.khalti import KhaltiSim

KHALTI_SECRET = "live_secret_key_sim_0000000000000000"  # noqa: S105 - the simulator's own
ESEWA_PRODUCT = "EPAYTEST"
ESEWA_SECRET = "8gBm/:&EnhH.1/q"  # noqa: S105 - eSewa's published UAT key
FONEPAY_MERCHANT = "fonepay123"  # Fonepay's published test credentials
FONEPAY_SECRET = "fonepay"  # noqa: S105 - Fonepay's published test key
FONEPAY_USERNAME = "bijayk"
FONEPAY_PASSWORD = "password"  # noqa: S105 - the sandbox's published test password


@dataclass(slots=True)
class GatewaySim:
    """The three gateways, with the sandbox credentials they accept."""

    khalti: KhaltiSim = field(default_factory=lambda: KhaltiSim(KHALTI_SECRET))
    esewa: EsewaSim = field(default_factory=lambda: EsewaSim(ESEWA_PRODUCT, ESEWA_SECRET))
    fonepay: FonepaySim = field(default_factory=lambda: FonepaySim(
        FONEPAY_MERCHANT, FONEPAY_SECRET, FONEPAY_USERNAME, FONEPAY_PASSWORD))
    base_url: str = ""

    def settings(self, base_url: str | None = None) -> dict[str, str]:
        """The environment that points the bot at this simulator (names as in .env)."""
        base = (base_url or self.base_url).rstrip("/")
        return {
            "KHALTI_API_URL": f"{base}/khalti/api/v2", "KHALTI_SECRET_KEY": KHALTI_SECRET,
            "ESEWA_FORM_URL": f"{base}/esewa/api/epay/main/v2/form",
            "ESEWA_STATUS_URL": f"{base}/esewa", "ESEWA_PRODUCT_CODE": ESEWA_PRODUCT,
            "ESEWA_SECRET_KEY": ESEWA_SECRET,
            "FONEPAY_API_URL": f"{base}/fonepay/api/merchantRequest",
            "FONEPAY_MERCHANT_CODE": FONEPAY_MERCHANT, "FONEPAY_SECRET_KEY": FONEPAY_SECRET,
            "FONEPAY_USERNAME": FONEPAY_USERNAME, "FONEPAY_PASSWORD": FONEPAY_PASSWORD,
        }

    def settings_fields(self, base_url: str | None = None) -> dict[str, object]:
        """The same, as `Settings` field names (for `settings.model_copy(update=…)`)."""
        from pydantic import SecretStr

        out: dict[str, object] = {}
        for name, value in self.settings(base_url).items():
            key = name.lower()
            out[key] = SecretStr(value) if key.endswith(("_key", "password")) else value
        return out


def create_app(sim: GatewaySim) -> web.Application:
    """The simulator's aiohttp application (all three gateways)."""
    app = web.Application()
    sim.khalti.register(app, "/khalti")
    sim.esewa.register(app, "/esewa")
    sim.fonepay.register(app, "/fonepay/api/merchantRequest")
    return app


async def serve(sim: GatewaySim, host: str = "127.0.0.1", port: int = 0) -> web.AppRunner:
    """Start the simulator on loopback; its base URL is then `sim.base_url`."""
    runner = web.AppRunner(create_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sim.base_url = f"http://{host}:{bound}"
    return runner
