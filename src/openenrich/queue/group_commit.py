"""Group commit: what is handed in while one write runs goes together in the next.

Contacts that end at about the same time are written in one transaction instead of one
each: a write waits a moment (`linger`) for company, and what arrives while a write is
under way goes in the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
# Writes a group; per item, the error it ended with, or None once it is written.
Writer = Callable[[list[Item]], Awaitable[Sequence[BaseException | None]]]


class GroupCommit(Generic[Item]):
    """One writer at a time per event loop; `submit` returns once its item is written."""

    def __init__(self, write: Writer[Item], linger: float = 0.001) -> None:
        self._write = write
        # How long a write waits for company once the first item is in: like PostgreSQL's
        # commit_delay, a millisecond groups contacts that end within the same moment at
        # a cost no provider call would notice.
        self.linger = linger
        self._pending: list[tuple[Item, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> None:
        """Hand `item` in and wait until it is written; raises what writing it raised. A
        waiter cancelled meanwhile leaves its item in its group."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await future

    async def idle(self) -> None:
        """Return once nothing handed in is left unwritten (on shutdown)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _drain(self) -> None:
        await asyncio.sleep(self.linger)
        while self._pending:
            group, self._pending = self._pending, []
            try:
                errors = await self._write([item for item, _ in group])
            except asyncio.CancelledError:  # shutting down: no waiter is left hanging
                for _, future in group + self._pending:
                    future.cancel()
                self._pending = []
                raise
            except Exception as failure:  # the writer itself failed: so did every item
                errors = [failure] * len(group)
            for (_, future), error in zip(group, errors, strict=True):
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
