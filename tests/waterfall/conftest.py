"""Fixtures for the engine's tests: an event loop backend and a database with our tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openenrich.db import Base, Database
from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'waterfall.db'}")
    tables = [Base.metadata.tables[m.__tablename__] for m in (ProviderCall, ProviderCacheEntry)]
    async with database.engine.begin() as conn:
        await conn.run_sync(lambda sync: Base.metadata.create_all(sync, tables=tables))
    yield database
    await database.dispose()
