"""Worker slots that a waiting contact gives back.

A contact that waits (an asynchronous vendor between two polls, a greylisted address
before its retry) holds no slot of the pool while it sleeps: `idle()` gives the contact's
slot back and takes one again before going on, so waiting contacts never starve working
ones. A contact holds at most one slot however many of its branches wait at once, and
contacts coming back from a wait go before newly claimed ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


class SlotPool:
    """Counts contacts doing work; at most `size` at once."""

    def __init__(self, size: int, on_free: Callable[[], None] = lambda: None) -> None:
        self.size = size
        self.active = 0
        self.resuming = 0  # contacts back from a wait, queued for a slot
        self.on_free = on_free
        self._freed = asyncio.Condition()

    @property
    def free(self) -> int:
        """Slots the claim loop may fill: what is left after contacts waiting to resume."""
        return self.size - self.active - self.resuming

    def take(self) -> None:
        """For a contact that is starting (the claim loop takes only `free` of them)."""
        self.active += 1

    async def give_back(self) -> None:
        # Counted inside the lock: a cancellation while waiting for it changes nothing.
        async with self._freed:
            self.active -= 1
            self._freed.notify_all()
        self.on_free()

    async def take_when_free(self) -> None:
        async with self._freed:
            self.resuming += 1
            try:
                await self._freed.wait_for(lambda: self.active < self.size)
            finally:
                self.resuming -= 1
            self.active += 1


@dataclass
class Holder:
    """One contact's claim on its pool: whether it holds its slot right now."""

    pool: SlotPool
    held: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def release(self) -> None:
        """Give the slot back (if held); at the end of the contact too."""
        async with self.lock:
            if self.held:
                await self.pool.give_back()
                self.held = False

    async def reacquire(self) -> None:
        async with self.lock:
            if not self.held:
                await self.pool.take_when_free()
                self.held = True


_current: ContextVar[Holder | None] = ContextVar("openenrich_worker_slot", default=None)


@contextmanager
def holding(holder: Holder) -> Iterator[None]:
    """Mark the running task (and the tasks it starts) as this contact's."""
    token = _current.set(holder)
    try:
        yield
    finally:
        _current.reset(token)


async def idle(seconds: float) -> None:
    """Sleep; inside a worker, without holding the contact's slot meanwhile."""
    holder = _current.get()
    if holder is None:
        await asyncio.sleep(seconds)
        return
    await holder.release()
    await asyncio.sleep(seconds)
    await holder.reacquire()


@asynccontextmanager
async def slot_given_back() -> AsyncIterator[None]:
    """Inside a worker, the body runs without the contact's slot: for waits on something
    another contact holds (a per-domain probe lock, a mail host's sessions), so contacts
    queued behind one slow domain never hold slots that other work could use."""
    holder = _current.get()
    if holder is None:
        yield
        return
    await holder.release()
    try:
        yield
    finally:
        await holder.reacquire()
