"""Wake-ups: in-process by default, Redis pub/sub across processes when configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from redis.asyncio import Redis

log = logging.getLogger(__name__)
CHANNEL = "openenrich:wake"


class Wakeup(Protocol):
    async def notify(self) -> None:
        """New work was committed."""

    def poke(self) -> None:
        """Wake this process's own waiters (a slot was freed)."""

    async def wait(self, seconds: float) -> None:
        """Return on a wake-up or after `seconds`, whichever comes first."""

    async def close(self) -> None: ...


class LocalWakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self) -> None:
        self._event.set()

    def poke(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
            async with asyncio.timeout(seconds):
                await self._event.wait()
        self._event.clear()

    async def close(self) -> None:
        return None


class RedisWakeup(LocalWakeup):
    """Publishes to and listens on one channel, so an API replica wakes every worker."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis: Redis = Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None

    async def notify(self) -> None:
        await super().notify()
        try:
            await self._redis.publish(CHANNEL, b"1")
        except OSError as error:  # workers still poll; a lost wake-up costs latency only
            log.warning("wake-up not published: %s", error)

    async def wait(self, seconds: float) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())
        await super().wait(seconds)

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._event.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("wake-up listener: %s; retrying", error)
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()


def make_wakeup(redis_url: str | None) -> Wakeup:
    return RedisWakeup(redis_url) if redis_url else LocalWakeup()
