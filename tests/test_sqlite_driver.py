"""Where SQLite statements run: short reads and short transactions on the event loop, long
reads and other writes on the connection's thread, and a wait for another process's
write lock never on the event loop."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from openenrich.db import Database

pytestmark = pytest.mark.anyio
# A read far over the event loop's budget: a few hundred thousand rows counted.
LONG_READ = (
    "SELECT count(*), max(where_am_i()) FROM (WITH RECURSIVE c(x) AS"
    " (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000) SELECT x FROM c)"
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")

    @event.listens_for(database.engine.sync_engine, "connect")
    def _where(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.create_function("where_am_i", 0, threading.get_ident)

    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE marks (place INTEGER)"))
    yield database
    await database.dispose()


async def test_short_reads_run_on_the_event_loop(db: Database) -> None:
    async with db.read() as session:
        assert await session.scalar(text("SELECT where_am_i()")) == threading.get_ident()


async def test_a_long_read_moves_to_the_thread_with_the_same_answer(db: Database) -> None:
    async with db.read() as session:
        count, place = (await session.execute(text(LONG_READ))).one()
    assert count == 400000
    assert place != threading.get_ident()


async def test_writes_run_on_the_thread_unless_the_transaction_is_short(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO marks VALUES (where_am_i())"))
    async with db.transaction(short=True) as session:
        await session.execute(text("INSERT INTO marks VALUES (where_am_i())"))
    async with db.read() as session:
        places = list((await session.execute(text("SELECT place FROM marks"))).scalars())
    assert places[0] != threading.get_ident()
    assert places[1] == threading.get_ident()


async def test_waiting_for_another_process_lock_leaves_the_event_loop_free(
    db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def release() -> None:
        await asyncio.sleep(0.5)
        other.execute("ROLLBACK")

    ticker = asyncio.create_task(tick())
    releaser = asyncio.create_task(release())
    started = time.monotonic()
    async with db.transaction(short=True) as session:
        await session.execute(text("INSERT INTO marks VALUES (1)"))
    waited = time.monotonic() - started
    ticker.cancel()
    await releaser
    other.close()
    assert waited >= 0.4  # it did wait for the lock
    during = [t for t in ticks if started <= t <= started + waited]
    assert len(during) >= 10 and max(b - a for a, b in itertools.pairwise(during)) < 0.2


async def test_a_long_read_leaves_the_event_loop_free(db: Database) -> None:
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    started = time.monotonic()
    async with db.read() as session:
        await session.execute(text(LONG_READ.replace("400000", "2000000")))
    took = time.monotonic() - started
    ticker.cancel()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert took > 0.1 and max(gaps) < took / 2
