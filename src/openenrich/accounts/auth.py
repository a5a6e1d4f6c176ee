"""Bearer-key authentication and the per-workspace request limit."""

from __future__ import annotations

import time
from collections import OrderedDict

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
        self._items: OrderedDict[str, tuple[float, Caller | None]] = OrderedDict()

    def get(self, key_hash: str) -> tuple[bool, Caller | None]:
        hit = self._items.get(key_hash)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, key_hash: str, caller: Caller | None) -> None:
        self._items[key_hash] = (time.monotonic() + self.ttl, caller)
        self._items.move_to_end(key_hash)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


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
    """FullEnrich's limit: N requests per calendar minute per workspace (0 = no limit).
    The minute is part of the key, so windows align to the clock on every replica."""

    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        storage: Storage = RedisStorage("async+" + redis_url) if redis_url else MemoryStorage()
        self.limiter = FixedWindowRateLimiter(storage)
        self.item = RateLimitItemPerMinute(max(per_minute, 1))

    async def hit(self, workspace_id: str) -> None:
        if self.per_minute <= 0:
            return
        now = time.time()
        minute = int(now // 60)
        if not await self.limiter.hit(self.item, workspace_id, str(minute)):
            raise errors.RateLimited(max(1, 60 - int(now % 60)))
