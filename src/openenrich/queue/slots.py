"""Worker slots that a waiting contact gives back.

A contact that waits (an asynchronous vendor between two polls, a greylisted address
before its retry) holds no slot of the pool while it sleeps: `idle()` releases it and
takes one again before going on, so waiting contacts never starve the working ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class SlotPool:
    """Counts contacts doing work; at most `size` at once."""

    def __init__(self, size: int, on_free: Callable[[], None] = lambda: None) -> None:
        self.size = size
        self.active = 0
        self.on_free = on_free
        self._freed = asyncio.Condition()

    @property
    def free(self) -> int:
        return self.size - self.active

    def take(self) -> None:
        """For a contact that is starting: the claim loop only claims `free` of them."""
        self.active += 1

    async def give_back(self) -> None:
        self.active -= 1
        self.on_free()
        async with self._freed:
            self._freed.notify_all()

    async def take_when_free(self) -> None:
        async with self._freed:
            await self._freed.wait_for(lambda: self.active < self.size)
            self.active += 1


_current: ContextVar[SlotPool | None] = ContextVar("openenrich_worker_slot", default=None)


@contextmanager
def holding(pool: SlotPool) -> Iterator[None]:
    """Mark the running task as holding one slot of `pool`."""
    token = _current.set(pool)
    try:
        yield
    finally:
        _current.reset(token)


async def idle(seconds: float) -> None:
    """Sleep; inside a worker, without holding its slot meanwhile."""
    pool = _current.get()
    if pool is None:
        await asyncio.sleep(seconds)
        return
    await pool.give_back()
    taken = False
    try:
        await asyncio.sleep(seconds)
        await pool.take_when_free()
        taken = True
    finally:
        if not taken:  # cancelled: the caller still gives one slot back on its way out
            pool.take()
