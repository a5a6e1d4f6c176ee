"""The synthetic population sandbox keys search: generated into the store on first use.

It is loaded in batches, each its own transaction, and marked done at the end; a process
killed half-way leaves batches that a rerun finds unchanged. A size different from the
marked one replaces the population.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import delete

from openenrich.db import Database
from openenrich.people import marks, synthetic
from openenrich.people.models import CompanyRow, PersonRow
from openenrich.people.store import SANDBOX, upsert_companies, upsert_people

MARK = "population"
# Raised when the generator's output changes, so stores load the new population.
VERSION = 1
BATCH = 500
# The population's records are as of this time, so merging them again changes nothing.
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)

_locks: dict[int, asyncio.Lock] = {}


def _fingerprint(people: int, companies: int) -> int:
    return VERSION * 10**14 + people * 10**7 + companies


def _batches(records: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(records, BATCH)):
        yield batch


async def ensure(db: Database, people: int, companies: int) -> None:
    """Load the population of this size unless it is there."""
    wanted = _fingerprint(people, companies)
    async with db.read() as session:
        if await marks.read(session, MARK) == wanted:
            return
    lock = _locks.setdefault(id(db), asyncio.Lock())
    async with lock:
        async with db.read() as session:
            current = await marks.read(session, MARK)
        if current == wanted:
            return
        if current:
            async with db.transaction() as session:
                await session.execute(delete(PersonRow).where(PersonRow.owner == SANDBOX))
                await session.execute(delete(CompanyRow).where(CompanyRow.owner == SANDBOX))
        for batch in _batches(synthetic.companies(companies)):
            async with db.transaction() as session:
                await upsert_companies(session, SANDBOX, batch, "synthetic", AS_OF)
        for batch in _batches(synthetic.people(people, companies)):
            async with db.transaction() as session:
                await upsert_people(session, SANDBOX, batch, "synthetic", AS_OF)
        async with db.transaction() as session:
            await marks.write(session, MARK, wanted)
