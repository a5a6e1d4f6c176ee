"""Batched writes of log rows and cache entries, off the providers' hot path."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import SQLAlchemyError

from openenrich.db import Database
from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall

log = logging.getLogger(__name__)


class BatchWriter:
    """Buffers rows and writes them in one transaction every `interval` seconds (or sooner
    when `max_rows` pile up). A failed write is logged and dropped: losing a log row or a
    cache entry must never fail an enrichment."""

    def __init__(self, db: Database, *, interval: float = 0.5, max_rows: int = 500) -> None:
        self.db = db
        self.interval = interval
        self.max_rows = max_rows
        self._calls: list[ProviderCall] = []
        self._entries: dict[str, ProviderCacheEntry] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def add_call(self, row: ProviderCall) -> None:
        self._calls.append(row)
        self._kick()

    def put_entry(self, entry: ProviderCacheEntry) -> None:
        self._entries[entry.key] = entry
        self._kick()

    def pending_entry(self, key: str) -> ProviderCacheEntry | None:
        return self._entries.get(key)

    def _kick(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        if len(self._calls) + len(self._entries) >= self.max_rows:
            self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            calls, self._calls = self._calls, []
            entries, self._entries = list(self._entries.values()), {}
            if not calls and not entries:
                return
            try:
                async with self.db.transaction() as session:
                    session.add_all(calls)
                    for entry in entries:
                        await session.merge(entry)
            except SQLAlchemyError:
                log.warning(
                    "dropped %d provider-call rows and %d cache entries: database error",
                    len(calls),
                    len(entries),
                    exc_info=True,
                )

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()
