"""Never pay twice: answers kept per normalised input (memory, then the database), and
concurrent identical calls collapsed into one."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import orjson
from cachetools import TLRUCache
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from openenrich.db import Database
from openenrich.providers.base import ErrorKind, Pending, ProviderError
from openenrich.waterfall.config import CacheConfig
from openenrich.waterfall.models import ProviderCacheEntry
from openenrich.waterfall.store import BatchWriter

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Codec(Generic[T]):
    """How one kind of answer is stored, and for how long."""

    kind: str
    encode: Callable[[T], str]
    decode: Callable[[str], T]
    found: Callable[[T], bool]
    ttl: Callable[[T], float]  # seconds; 0 means do not keep


def _expires_at(_key: str, entry: tuple[float, Any], _now: float) -> float:
    return entry[0]


class ResultCache:
    def __init__(
        self,
        config: CacheConfig,
        *,
        db: Database | None = None,
        writer: BatchWriter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.db = db
        self.writer = writer
        self.clock = clock
        # (expires at, answer), least recently used dropped first; each entry keeps its own
        # expiry (a hit and a miss are kept for different times).
        self._memory: TLRUCache[str, tuple[float, Any]] | None = (
            TLRUCache(config.memory_entries, ttu=_expires_at, timer=clock)
            if config.memory_entries > 0
            else None
        )
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._jobs: dict[str, tuple[str, Pending]] = {}  # without a database

    async def fetch(
        self, key: str, provider: str, codec: Codec[T], call: Callable[[], Awaitable[T]]
    ) -> tuple[T, bool]:
        """The answer for `key`, and whether it was paid for by this very call (False when it
        came from the cache or from an identical call already in flight)."""
        waiting = self._inflight.get(key)
        if waiting is not None:
            return await asyncio.shield(waiting), False
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            cached = await self._get(key, codec)
            if cached is not None:
                future.set_result(cached)
                return cached, False
            value = await call()
            self._put(key, provider, codec, value)
            future.set_result(value)
            return value, True
        except asyncio.CancelledError:
            future.set_exception(ProviderError(ErrorKind.TRANSIENT, "call cancelled"))
            raise
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            del self._inflight[key]
            if future.done() and not future.cancelled() and future.exception() is not None:
                future.exception()  # mark retrieved when nobody else was waiting

    async def _get(self, key: str, codec: Codec[T]) -> T | None:
        if not self.config.enabled:
            return None
        now = self.clock()
        hit = self._memory.get(key) if self._memory is not None else None
        if hit is not None:
            value: T = hit[1]
            return value
        if self.db is None:
            return None
        entry = self.writer.pending_entry(key) if self.writer else None
        if entry is None:
            try:
                async with self.db.read() as session:
                    entry = await session.get(ProviderCacheEntry, key)
            except SQLAlchemyError:
                log.warning("provider cache read failed", exc_info=True)
                return None
        if entry is None or entry.expires_at.timestamp() <= now:
            return None
        try:
            decoded = codec.decode(entry.payload)
        except (ValueError, KeyError, TypeError):  # a row written by another version
            log.warning("unreadable provider cache entry ignored", exc_info=True)
            return None
        self._remember(key, entry.expires_at.timestamp(), decoded)
        return decoded

    def _put(self, key: str, provider: str, codec: Codec[T], value: T) -> None:
        ttl = codec.ttl(value)
        if not self.config.enabled or ttl <= 0:
            return
        now = self.clock()
        self._remember(key, now + ttl, value)
        if self.writer is not None:
            self.writer.put_entry(
                ProviderCacheEntry(
                    key=key,
                    provider=provider,
                    kind=codec.kind,
                    found=codec.found(value),
                    payload=codec.encode(value),
                    created_at=datetime.fromtimestamp(now, UTC),
                    expires_at=datetime.fromtimestamp(now + ttl, UTC),
                )
            )

    def forget_held(self) -> None:
        """Forget every answer held in memory (the database copy is erased apart)."""
        if self._memory is not None:
            self._memory.clear()

    def _remember(self, key: str, expires_at: float, value: object) -> None:
        if self._memory is not None:
            self._memory[key] = (expires_at, value)

    # Jobs accepted by asynchronous vendors, kept until answered: a process killed while
    # polling leaves its job here, and the next attempt at the same input polls that job
    # instead of paying the vendor to start another. Written at once, not batched.

    async def open_job(self, key: str) -> tuple[str, Pending] | None:
        """(key id, pending job) accepted earlier for `key`, if still open."""
        if self.db is None:
            found = self._jobs.get(key)
            return found
        async with self.db.read() as session:
            entry = await session.get(ProviderCacheEntry, key)
        if entry is None or entry.expires_at.timestamp() <= self.clock():
            return None
        data = orjson.loads(entry.payload)
        return data["key_id"], Pending(data["handle"], data["poll_after"])

    async def remember_job(
        self, key: str, provider: str, key_id: str, job: Pending, ttl: float
    ) -> None:
        if self.db is None:
            self._jobs[key] = (key_id, job)
            return
        now = self.clock()
        payload = {"key_id": key_id, "handle": job.handle, "poll_after": job.poll_after}
        async with self.db.transaction() as session:
            await session.merge(
                ProviderCacheEntry(
                    key=key,
                    provider=provider,
                    kind="job",
                    found=False,
                    payload=orjson.dumps(payload).decode(),
                    created_at=datetime.fromtimestamp(now, UTC),
                    expires_at=datetime.fromtimestamp(now + ttl, UTC),
                )
            )

    async def forget_job(self, key: str) -> None:
        if self.db is None:
            self._jobs.pop(key, None)
            return
        async with self.db.transaction() as session:
            await session.execute(delete(ProviderCacheEntry).where(ProviderCacheEntry.key == key))
