"""Bearer-key authentication and the per-workspace request limit."""

from __future__ import annotations

import time

from cachetools import TTLCache
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from openenrich import errors
from openenrich.accounts import repository
from openenrich.accounts.keys import hash_key
from openenrich.accounts.repository import Caller
from openenrich.db import Database


class KeyCache:
    """Recently resolved keys, by hash, for a few seconds: a revoked key stops working
    within `ttl` seconds, and a hot endpoint costs no key lookup."""

    def __init__(self, ttl: float = 10.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._items: TTLCache[str, Caller | None] = TTLCache(size, ttl, timer=time.monotonic)

    def get(self, key_hash: str) -> tuple[bool, Caller | None]:
        """(whether the key was resolved recently, its caller: None for an unknown key)."""
        try:
            return True, self._items[key_hash]
        except KeyError:
            return False, None

    def put(self, key_hash: str, caller: Caller | None) -> None:
        self._items[key_hash] = caller


def bearer_token(authorization: str | None) -> str:
    """The API key of an `Authorization: Bearer <key>` header (scheme in any case), or the
    spec's 401 for a missing header, another scheme, or an empty key."""
    if not authorization:
        raise errors.AuthorizationNotSet()
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise errors.AuthorizationNotBearer()
    token = token.strip()
    if not token:
        raise errors.UnknownApiKey()
    return token


class Authenticator:
    def __init__(self, db: Database, secret: bytes) -> None:
        self.db = db
        self.secret = secret
        self.cache = KeyCache()

    async def caller(self, api_key: str) -> Caller:
        """The workspace and key behind `api_key` (from `bearer_token`)."""
        key_hash = hash_key(api_key, self.secret)
        hit, caller = self.cache.get(key_hash)
        if not hit:
            async with self.db.read() as session:
                caller = await repository.caller_for_hash(session, key_hash)
            self.cache.put(key_hash, caller)
        if caller is None:
            raise errors.UnknownApiKey()
        return caller


class RequestLimiter:
    """FullEnrich's limit: N requests per calendar minute per workspace and mode (live and
    sandbox each have N; 0 = no limit). The minute is part of the key, so windows align to
    the clock on every replica."""

    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        storage: Storage = RedisStorage("async+" + redis_url) if redis_url else MemoryStorage()
        self.limiter = FixedWindowRateLimiter(storage)
        self.item = RateLimitItemPerMinute(max(per_minute, 1))

    async def hit(self, workspace_id: str, sandbox: bool) -> None:
        if self.per_minute <= 0:
            return
        now = time.time()
        minute = int(now // 60)
        mode = "sandbox" if sandbox else "live"
        if not await self.limiter.hit(self.item, workspace_id, mode, str(minute)):
            raise errors.RateLimited(max(1, 60 - int(now % 60)))
