"""Database engines (SQLite in WAL mode, PostgreSQL through psycopg 3) and the declarative base."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, DateTime, MetaData, Result, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from openenrich import sqlite_driver

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def rows_affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (0 when the driver cannot tell)."""
    return max(result.rowcount, 0) if isinstance(result, CursorResult) else 0


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    """Whether `value` can be one of our ids (a malformed one can match no row)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


READ_ONLY = "openenrich_read_only"
# A transaction of a few short statements (the job machinery's): on SQLite its writes run
# on the event loop instead of the connection's thread (`sqlite_driver`).
SHORT = "openenrich_short"
# SQLite's busy timeout (ms): how long a writer waits for another connection's write lock.
SQLITE_BUSY_TIMEOUT_MS = 30000


def _sqlite_hooks(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, and an explicit BEGIN IMMEDIATE: pysqlite's legacy transaction
    handling emits no BEGIN for reads, and a read upgraded to a write under WAL fails with
    SQLITE_BUSY regardless of the timeout."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        options = conn.get_execution_options()
        driver = conn.connection.driver_connection
        if isinstance(driver, sqlite_driver.Connection):
            driver.writes_inline = bool(options.get(SHORT, False))
        conn.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def restrict_sqlite_file(url: str) -> None:
    """Create the SQLite file `0600` before SQLite does (it would follow the umask), and
    tighten one left readable by others: it holds contact data and key hashes. SQLite
    gives its `-wal` and `-shm` files the database file's mode; any already there are
    tightened too."""
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: an existing file is never opened here. Closing any descriptor of a file drops
    # every POSIX lock this process holds on it, SQLite's own included.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # Bound values are contact data: keep them out of error messages and logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        restrict_sqlite_file(url)
        path = sqlite_path(url)
        if path is not None:
            kwargs.setdefault("async_creator", sqlite_driver.connector(str(path)))
        engine = create_async_engine(url, **kwargs)
        _sqlite_hooks(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """An engine and its session factory; the unit of work is `transaction()`."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.engine = create_engine(url, **engine_options)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads take a deferred transaction on SQLite, so they never queue behind writers.
        self._read_sessions = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        self._short_sessions = async_sessionmaker(
            self.engine.execution_options(**{SHORT: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time. Left to SQLite, writers of this process that find
        # the lock taken sleep in its busy handler (1, 2, 5 ... 100 ms steps) and mostly
        # wake too late; queued here instead, the next one starts as soon as the last
        # commits. One lock per event loop (a process may run several, one after another).
        self._serialise_writes = self.dialect == "sqlite"
        self._write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, short: bool = False) -> AsyncIterator[AsyncSession]:
        """One session, committed on success and rolled back on error. `short`: a few
        statements over indexed rows, which SQLite runs on the event loop."""
        sessions = self._short_sessions if short else self.sessions
        if not self._serialise_writes:
            async with sessions() as session, session.begin():
                yield session
            return
        async with self._write_turn(), sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        """This process's turn to write on SQLite. A transaction opened inside another
        one's (it could never get SQLite's lock either) goes on after the busy timeout
        and meets SQLite's own error, as it would without this queue."""
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            lock = self._write_locks[loop] = asyncio.Lock()
        try:
            await asyncio.wait_for(lock.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
        except TimeoutError:
            yield
            return
        try:
            yield
        finally:
            lock.release()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; closing it rolls its transaction back."""
        async with self._read_sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
