"""Bearer-key authentication and the per-workspace request limit."""

from __future__ import annotations

import logging
import time

from cachetools import LRUCache, TTLCache
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from sqlalchemy.exc import SQLAlchemyError

from openenrich import errors
from openenrich.accounts import repository
from openenrich.accounts.keys import hash_key, well_formed
from openenrich.accounts.repository import Caller
from openenrich.accounts.revocations import NoSignal, RevocationSignal
from openenrich.db import Database, utcnow

log = logging.getLogger(__name__)


class UnknownKeys:
    """Well-formed keys that matched nothing, by hash, for a few seconds: a flood of made-up
    keys with valid checksums costs one lookup each per `ttl`."""

    def __init__(self, ttl: float = 10.0, size: int = 10_000) -> None:
        self._items: TTLCache[str, bool] = TTLCache(size, ttl, timer=time.monotonic)

    def __contains__(self, key_hash: str) -> bool:
        return key_hash in self._items

    def add(self, key_hash: str) -> None:
        self._items[key_hash] = True


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
    """Resolves API keys. Keys it resolved are kept, tagged with the revocation epoch read
    before their lookup, and trusted only while that epoch holds (`accounts.revocations`):
    a revocation from any process is seen from the next request on, on every replica, and
    a client polling a job costs no key lookup."""

    def __init__(
        self,
        db: Database,
        secret: bytes,
        revocations: RevocationSignal | None = None,
        size: int = 10_000,
    ) -> None:
        self.db = db
        self.secret = secret
        self.revocations = revocations or NoSignal()
        self.unknown = UnknownKeys()
        self.known: LRUCache[str, tuple[object, Caller]] = LRUCache(size)
        # Keys whose use was written less than a minute ago (for the dashboard's "last used").
        self.marked: TTLCache[str, bool] = TTLCache(size, 60.0, timer=time.monotonic)

    async def caller(self, api_key: str) -> Caller:
        """The workspace and key behind `api_key` (from `bearer_token`). The checksum is
        verified first: a key that fails it never reaches the database."""
        if not well_formed(api_key):
            raise errors.UnknownApiKey()
        key_hash = hash_key(api_key, self.secret)
        epoch = await self.revocations.epoch()
        held = self.known.get(key_hash)
        if epoch is not None and held is not None and held[0] == epoch:
            await self._mark_used(held[1].api_key_id)
            return held[1]
        if key_hash in self.unknown:
            raise errors.UnknownApiKey()
        async with self.db.read() as session:
            caller = await repository.caller_for_hash(session, key_hash)
        if caller is None:
            self.known.pop(key_hash, None)
            self.unknown.add(key_hash)
            raise errors.UnknownApiKey()
        if epoch is not None:
            self.known[key_hash] = (epoch, caller)
        await self._mark_used(caller.api_key_id)
        return caller

    async def _mark_used(self, key_id: str) -> None:
        """`last_used_at`, written at most once a minute per key and process; a failure to
        write it never fails the request."""
        if key_id in self.marked:
            return
        self.marked[key_id] = True
        try:
            async with self.db.transaction() as session:
                await repository.touch_key(session, key_id, utcnow())
        except SQLAlchemyError:
            log.debug("could not record the use of key %s", key_id, exc_info=True)


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
