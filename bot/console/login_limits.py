"""Failed console logins, counted per account and per client IP in Redis.

Only failures count: once an account (or an IP) has failed
`CONSOLE_LOGIN_FAILURES` (`CONSOLE_LOGIN_IP_FAILURES`) times in the window, its
next attempts are refused without checking the password until the window ends,
even with the right password — so guessing stays slow whichever way it is spread.
A successful login clears the account's count.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rate_limits import RateLimiter
from bot.runtime import Runtime

ACCOUNT_SCOPE = "console-login-account"
IP_SCOPE = "console-login-ip"


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """The two failure counters of the login page."""

    runtime: Runtime

    def _limiters(self) -> tuple[RateLimiter, RateLimiter]:
        s = self.runtime.settings
        window = s.console_login_window_seconds
        return (RateLimiter(self.runtime.redis, self.runtime.keys, ACCOUNT_SCOPE,
                            limit=s.console_login_failures, window=window),
                RateLimiter(self.runtime.redis, self.runtime.keys, IP_SCOPE,
                            limit=s.console_login_ip_failures, window=window))

    async def refused_for(self, username: str, ip: str) -> int | None:
        """Seconds until another try is allowed when either counter is full, else None."""
        s = self.runtime.settings
        keys = self.runtime.keys
        worst: int | None = None
        for scope, who, limit in ((ACCOUNT_SCOPE, username, s.console_login_failures),
                                  (IP_SCOPE, ip, s.console_login_ip_failures)):
            key = keys.ratelimit(scope, who)
            count = await self.runtime.redis.get(key)
            if count is not None and int(count) >= limit:
                ttl_ms = await self.runtime.redis.pttl(key)
                wait = max(1, -(-int(ttl_ms) // 1000)) if ttl_ms and ttl_ms > 0 else 1
                worst = max(worst or 0, wait)
        return worst

    async def failed(self, username: str, ip: str) -> None:
        """Count one failed login against the account and the IP."""
        account, by_ip = self._limiters()
        await account.hit(username)
        await by_ip.hit(ip)

    async def succeeded(self, username: str) -> None:
        """A right password clears the account's failures (the IP's stay)."""
        await self.runtime.redis.delete(self.runtime.keys.ratelimit(ACCOUNT_SCOPE, username))
