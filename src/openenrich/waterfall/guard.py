"""Policies around one source, per API key: concurrency cap, rate limit, timeout, retries
for transient failures only, and a circuit breaker. Every request is logged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from limits.aio.storage import Storage

from openenrich.providers.base import ErrorKind, GarbageReply, ProviderError
from openenrich.retrying import exponential_backoff
from openenrich.waterfall import metrics
from openenrich.waterfall.calllog import CallLog, CallRecord
from openenrich.waterfall.config import BreakerConfig, ProviderConfig
from openenrich.waterfall.normalise import key_id
from openenrich.waterfall.policies import CircuitBreaker, Clock, RateLimiter

T = TypeVar("T")
R = TypeVar("R")

# Longer waits than this are not slept through: the key is parked by its breaker instead.
MAX_RETRY_WAIT = 30.0


def _classify(exc: Exception) -> tuple[ProviderError, str]:
    """A failed attempt as a `ProviderError`, and its outcome label for the log."""
    if isinstance(exc, ProviderError):
        return exc, exc.outcome
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return ProviderError(ErrorKind.TRANSIENT, "timeout"), "timeout"
    if isinstance(exc, httpx.TransportError):
        return ProviderError(ErrorKind.TRANSIENT, type(exc).__name__), "transport"
    # An unparseable body the adapter did not catch (a missing key, a wrong type).
    garbage = GarbageReply(f"unparseable: {type(exc).__name__}")
    return garbage, garbage.outcome


class ProviderUnavailable(ProviderError):
    """Every key of a source has its breaker open: the step is skipped, nothing is sent."""

    def __init__(self, provider: str) -> None:
        super().__init__(ErrorKind.TRANSIENT, f"{provider}: circuit open")


@dataclass(slots=True)
class KeySlot:
    """One API key of a source, with its own limits and breaker."""

    api_key: str
    key_id: str
    semaphore: asyncio.Semaphore
    limiter: RateLimiter | None
    breaker: CircuitBreaker
    resume_at: float = 0.0  # monotonic time before which a Retry-After asks us to wait
    token: str | None = None  # exchanged bearer token (TokenAuthAdapter)
    token_expires: float = 0.0
    token_lock: asyncio.Lock | None = None


@dataclass(slots=True)
class Attempt:
    """What one attempt may read (the key) and report (the HTTP status)."""

    slot: KeySlot
    http_status: int | None = None


class SourceGuard:
    """Every call to one source goes through here: a key is picked (round robin, skipping
    open breakers), then its concurrency cap, rate limit, timeout and retries apply."""

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        breaker: BreakerConfig,
        log: CallLog,
        *,
        api_keys: list[str],
        storage: Storage | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.name = name
        self.config = config
        self.log = log
        self.slots = [
            KeySlot(
                api_key=key,
                key_id=key_id(key),
                semaphore=asyncio.Semaphore(config.concurrency),
                limiter=(
                    RateLimiter(config.rate_limit, f"{name}:{key_id(key)}", storage)
                    if config.rate_limit and storage is not None
                    else None
                ),
                breaker=CircuitBreaker(breaker, clock),
            )
            for key in (api_keys or [""])
        ]
        self._next = 0

    @property
    def available(self) -> bool:
        return any(slot.breaker.available() for slot in self.slots)

    def slot(self, key_id: str) -> KeySlot | None:
        """The slot of one key, by its id (a vendor job belongs to the key that started it)."""
        return next((s for s in self.slots if s.key_id == key_id), None)

    def pick(self) -> KeySlot:
        """The next key (round robin) whose breaker lets a call through."""
        for step in range(len(self.slots)):
            slot = self.slots[(self._next + step) % len(self.slots)]
            if slot.breaker.allow():
                self._next = (self._next + step + 1) % len(self.slots)
                self._gauge(slot)
                return slot
        metrics.SKIPPED.labels(self.name, "breaker_open").inc()
        raise ProviderUnavailable(self.name)

    def _gauge(self, slot: KeySlot) -> None:
        metrics.BREAKER_OPEN.labels(self.name, slot.key_id).set(1 if slot.breaker.is_open else 0)

    async def call(
        self,
        operation: str,
        input_hash: str,
        attempt: Callable[[Attempt], Awaitable[R]],
        finish: Callable[[R], T],
        describe: Callable[[T], tuple[str, float]],
        *,
        slot: KeySlot,
    ) -> T:
        """Run `attempt` (the I/O) under the key's policies, then `finish` (the parsing,
        outside the concurrency slot), retrying transient failures. `describe` names a
        success's outcome and cost, for the log."""
        for number in range(1, self.config.max_retries + 2):
            wait = slot.resume_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            error: ProviderError | None = None
            outcome = ""
            async with slot.semaphore:
                if slot.limiter is not None:
                    await slot.limiter.acquire()
                ctx = Attempt(slot)
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(self.config.timeout):
                        raw = await attempt(ctx)
                except asyncio.CancelledError:
                    slot.breaker.release_probe()
                    raise
                except Exception as exc:
                    error, outcome = _classify(exc)
                latency = time.perf_counter() - started
            if error is None:
                # The slot is free: let whoever waited for it start before this call's
                # parsing and bookkeeping, so the source is never left idle meanwhile.
                await asyncio.sleep(0)
                try:
                    value = finish(raw)
                except Exception as exc:
                    error, outcome = _classify(exc)
                else:
                    label, cost = describe(value)
                    self._record(operation, input_hash, ctx, latency, label, cost, number)
                    was_open = slot.breaker.is_open
                    slot.breaker.record_success()
                    if was_open:
                        self._gauge(slot)
                    return value
            self._record(operation, input_hash, ctx, latency, outcome, 0.0, number)
            if error.kind is ErrorKind.RATE_LIMITED:
                pause = error.retry_after or exponential_backoff(number, base=1.0, cap=10.0)
                if pause > MAX_RETRY_WAIT:
                    slot.breaker.record_failure(error.kind, pause)
                else:
                    slot.resume_at = max(slot.resume_at, time.monotonic() + pause)
                    slot.breaker.record_failure(error.kind)
            else:
                slot.breaker.record_failure(error.kind, error.retry_after)
            self._gauge(slot)
            if not error.retryable or slot.breaker.is_open or number > self.config.max_retries:
                raise error
            if error.kind is ErrorKind.TRANSIENT:
                await asyncio.sleep(exponential_backoff(number - 1, base=0.2, cap=10.0))
        raise AssertionError("unreachable")

    def _record(
        self,
        operation: str,
        input_hash: str,
        ctx: Attempt,
        latency: float,
        outcome: str,
        cost: float,
        number: int,
    ) -> None:
        self.log.record(
            CallRecord(
                provider=self.name,
                key_id=ctx.slot.key_id,
                operation=operation,
                input_hash=input_hash,
                outcome=outcome,
                latency=latency,
                cost=cost,
                attempt=number,
                http_status=ctx.http_status,
            )
        )
