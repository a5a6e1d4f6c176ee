"""What the engine wraps around every source: circuit breaker, rate limit, backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from openenrich.providers.base import ErrorKind
from openenrich.waterfall.config import BreakerConfig

Clock = Callable[[], float]
# Waits between polls; the worker passes one that frees the contact's slot meanwhile.
Sleep = Callable[[float], Awaitable[None]]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Closed, open, half-open. Opens after `failure_threshold` consecutive failures, or at
    once on auth and quota errors; after the open period one probe call is let through, and
    its outcome closes the breaker or reopens it for twice as long (up to a maximum)."""

    def __init__(self, config: BreakerConfig, clock: Clock = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.failures = 0
        self.opened_until = 0.0
        self.open_for = config.open_seconds
        self.state = BreakerState.CLOSED
        self._probing = False

    def allow(self) -> bool:
        """Whether a call may go out now (claims the single probe when half-open)."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN:
            if self.clock() < self.opened_until:
                return False
            self.state = BreakerState.HALF_OPEN
            self._probing = False
        if self._probing:
            return False
        self._probing = True
        return True

    def available(self) -> bool:
        """Like `allow`, without claiming anything: used to pick among keys."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN:
            return self.clock() >= self.opened_until
        return not self._probing

    def record_success(self) -> None:
        self.failures = 0
        self.state = BreakerState.CLOSED
        self.open_for = self.config.open_seconds
        self._probing = False

    def record_failure(self, kind: ErrorKind, retry_after: float | None = None) -> None:
        """Count a failure; `BAD_REQUEST` and `INCONCLUSIVE` are about one input, not the
        source, and are ignored."""
        if kind in (ErrorKind.BAD_REQUEST, ErrorKind.INCONCLUSIVE):
            self._probing = False
            return
        self.failures += 1
        if kind is ErrorKind.AUTH:
            self._open(self.config.auth_open_seconds)
        elif kind is ErrorKind.QUOTA:
            self._open(retry_after or self.config.quota_open_seconds)
        elif kind is ErrorKind.RATE_LIMITED and retry_after:
            self._open(retry_after)
        elif self.state is BreakerState.HALF_OPEN:
            self.open_for = min(self.open_for * 2, self.config.max_open_seconds)
            self._open(self.open_for)
        elif self.failures >= self.config.failure_threshold:
            self._open(self.open_for)
        self._probing = False

    def release_probe(self) -> None:
        """A probe that ended neither way (e.g. cancelled) frees its place."""
        self._probing = False

    def _open(self, seconds: float) -> None:
        self.state = BreakerState.OPEN
        self.opened_until = max(self.opened_until, self.clock() + seconds)

    @property
    def is_open(self) -> bool:
        return self.state is not BreakerState.CLOSED


def limiter_storage(redis_url: str | None) -> Storage:
    """In-process buckets, or buckets shared by every process through Redis."""
    if not redis_url:
        return MemoryStorage()
    uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
    return RedisStorage(uri)


class RateLimiter:
    """A moving-window limit per (source, key), the `limits` package's smooth bucket: a call
    waits until every window it belongs to has room."""

    def __init__(
        self, rate: str, identity: str, storage: Storage, *, namespace: str = "openenrich"
    ) -> None:
        self.items: list[RateLimitItem] = parse_many(rate)
        self.identity = identity
        self.namespace = namespace
        self.strategy = MovingWindowRateLimiter(storage)

    async def try_acquire(self) -> float:
        """Take one token; returns 0 on success, or the seconds to wait before trying again."""
        for item in self.items:
            if not await self.strategy.hit(item, self.namespace, self.identity):
                # Earlier windows of a multi-window rate keep the token this refused attempt
                # took: the limit stays a ceiling, at a small cost in throughput.
                stats = await self.strategy.get_window_stats(item, self.namespace, self.identity)
                return max(0.01, stats.reset_time - time.time())
        return 0.0

    async def acquire(self, deadline: float | None = None) -> None:
        """Wait for a token; raises `TimeoutError` if none comes before `deadline` (monotonic)."""
        while True:
            wait = await self.try_acquire()
            if wait == 0.0:
                return
            if deadline is not None and time.monotonic() + wait > deadline:
                raise TimeoutError("rate limit wait exceeds the deadline")
            await asyncio.sleep(wait)
