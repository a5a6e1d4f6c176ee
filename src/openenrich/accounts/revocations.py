"""How every server process learns at once that an API key was revoked.

Looking a key up on every request costs a database round trip on the hottest path (a
client polling a finished job). Instead a process keeps the keys it resolved, tagged with
the *revocation epoch* it read before the lookup, and trusts them only while the epoch is
unchanged. A revocation commits, then moves the epoch, so any cached key is looked up
again on its next use, by every process that shares the signal:

- with Redis configured (scaled mode, any database): a counter in Redis;
- on SQLite without Redis (every process on one host): a file beside the database;
- PostgreSQL without Redis has no shared signal: keys are looked up on every request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import redis.asyncio as redis

from openenrich.accounts import repository
from openenrich.db import Database, sqlite_path

REDIS_KEY = "openenrich:api-keys:revocations"


class RevocationSignal(Protocol):
    async def epoch(self) -> object | None:
        """The current epoch; None when there is none to trust (look the key up)."""

    async def moved(self) -> None:
        """Tell every process that a key was revoked (after the revocation committed)."""

    async def aclose(self) -> None: ...


class NoSignal:
    async def epoch(self) -> object | None:
        return None

    async def moved(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


class FileSignal:
    """The epoch is the size of a file that every revocation appends one byte to: reading
    it is one `stat` (no lock, no database work), and it only ever grows, so an epoch never
    comes back."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def epoch(self) -> object | None:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    async def moved(self) -> None:
        handle = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, b"\n")  # one O_APPEND write: atomic across processes
        finally:
            os.close(handle)

    async def aclose(self) -> None:
        return None


class RedisSignal:
    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)

    async def epoch(self) -> object | None:
        try:
            return await self.client.get(REDIS_KEY) or b"0"
        except redis.RedisError:
            return None  # Redis away: look keys up rather than trust the cache

    async def moved(self) -> None:
        await self.client.incr(REDIS_KEY)

    async def aclose(self) -> None:
        await self.client.aclose()


def revocation_signal(database_url: str, redis_url: str | None) -> RevocationSignal:
    if redis_url:
        return RedisSignal(redis_url)
    path = sqlite_path(database_url)
    if path is not None:
        return FileSignal(path.with_name(path.name + ".revocations"))
    return NoSignal()


async def revoke(db: Database, signal: RevocationSignal, workspace_id: str, key_id: str) -> bool:
    """Revoke one key of a workspace, effective on every process from its next request.
    False if the workspace has no such active key."""
    async with db.transaction() as session:
        revoked = await repository.revoke_key(session, workspace_id, key_id)
    if revoked:
        await signal.moved()
    return revoked
