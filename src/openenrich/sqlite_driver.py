"""SQLite connections for SQLAlchemy's asyncio engine, with short work on the event loop.

aiosqlite runs every call of a statement (make a cursor, execute, fetch, close) on the
connection's thread: four hand-offs between threads, about 250 µs, for a statement that
takes 20. These connections, handed to the `sqlite+aiosqlite` dialect as its driver
connections (`async_creator`), run a statement that only reads on the event loop, within
a budget of SQLite VM steps; a read that goes over it is stopped and run again on the
connection's thread (stopping a read changes nothing). Statements that write go to the
thread, one hand-off each with their rows fetched there (stopping a write would roll
back its transaction, and a long one would hold up every request), except inside a
transaction its opener declared short (`db.SHORT`: the job machinery's few indexed
statements), which holds the write lock already and runs on the event loop once its
BEGIN IMMEDIATE, which may wait for another process, has run on the thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

Value = TypeVar("Value")

# SQLite calls the progress handler every this many VM steps; a read on the event loop
# may take READ_BUDGET calls (a few milliseconds) before it moves to the thread.
STEPS_PER_CALL = 1000
READ_BUDGET = 500


class Cursor:
    """The part of aiosqlite's cursor SQLAlchemy's adapter uses; rows are fetched where
    the statement ran."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor = connection._conn.cursor()
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _done(self) -> None:
        cursor = self._cursor
        self.description = cursor.description
        self._rows = cursor.fetchall() if cursor.description else []
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid

    def _execute(self, sql: str, parameters: Any) -> None:
        self._cursor.execute(sql, parameters)
        self._done()

    def _executemany(self, sql: str, parameters: Iterable[Any]) -> None:
        self._cursor.executemany(sql, parameters)
        self._done()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        head = sql.lstrip()[:7].upper()
        await self._connection._run(
            lambda: self._execute(sql, parameters),
            reads_only=head.startswith("SELECT") or head.rstrip() == "BEGIN",
            begins=head.startswith("BEGIN"),
        )
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        await self._connection._run(lambda: self._executemany(sql, parameters))
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> Sequence[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._cursor.close()


class _Inline:
    """What SQLAlchemy's adapter queues on aiosqlite's thread (`_tx`): run at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class Connection:
    """The part of aiosqlite's connection SQLAlchemy's adapter uses."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._tx = _Inline()
        self._budget: int | None = None  # VM-step calls left to a read on the event loop
        self._stopped = False
        self._wrote = False  # this transaction took the write lock or wrote
        # Set for a transaction its opener declared short (`db.SHORT`): its writes run on
        # the event loop too, since they cannot wait for a lock it already holds.
        self.writes_inline = False
        conn.set_progress_handler(self._progress, STEPS_PER_CALL)

    def _progress(self) -> int:
        if self._budget is None:
            return 0
        self._budget -= 1
        if self._budget >= 0:
            return 0
        self._stopped = True
        return 1  # SQLite stops the statement with "interrupted"

    async def _run(
        self, work: Callable[[], Value], *, reads_only: bool = False, begins: bool = False
    ) -> Value:
        if self.writes_inline and self._wrote and not begins:
            return work()
        if reads_only:
            self._budget, self._stopped = READ_BUDGET, False
            try:
                return work()
            except sqlite3.OperationalError:
                if not self._stopped:
                    raise
            finally:
                self._budget = None
        self._wrote = True
        return await asyncio.get_running_loop().run_in_executor(self._thread, work)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return await Cursor(self).execute(sql, parameters)

    async def _end(self, how: Callable[[], None]) -> None:
        # Ending a transaction that only read releases a read lock: no wait, no write.
        # A commit that wrote may checkpoint the log into the file: on the thread.
        wrote, self._wrote = self._wrote, False
        self.writes_inline = False
        if wrote:
            await asyncio.get_running_loop().run_in_executor(self._thread, how)
        else:
            how()

    async def commit(self) -> None:
        await self._end(self._conn.commit)

    async def rollback(self) -> None:
        await self._end(self._conn.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()
            self._thread.shutdown(wait=False)


def connector(path: str) -> Callable[[], Any]:
    """`async_creator` for `create_async_engine`: connections to the file at `path`."""

    async def connect() -> Connection:
        loop = asyncio.get_running_loop()
        conn = await loop.run_in_executor(
            None, lambda: sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        )
        return Connection(conn)

    return connect
