"""Sign-in throttling: a moving window per email and per client address, shared through
Redis when the server has one (replicas then count together)."""

from __future__ import annotations

import hashlib

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(
        self,
        per_email: int,
        per_address: int,
        window_minutes: int,
        redis_url: str | None = None,
    ) -> None:
        storage: Storage = RedisStorage("async+" + redis_url) if redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.email_item = RateLimitItemPerMinute(max(per_email, 1), window_minutes)
        self.address_item = RateLimitItemPerMinute(max(per_address, 1), window_minutes)
        self.window_minutes = window_minutes

    async def allow(self, email: str, address: str) -> bool:
        """Count one attempt; False once either limit is reached."""
        # Keys are hashed: Redis (or a memory dump) never holds the email itself.
        hashed = hashlib.sha256(email.encode()).hexdigest()
        by_email = await self.limiter.hit(self.email_item, "login-email", hashed)
        by_address = await self.limiter.hit(self.address_item, "login-address", address)
        return by_email and by_address
