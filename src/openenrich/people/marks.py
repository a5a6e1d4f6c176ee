"""The store's progress markers (`people_marks`)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected
from openenrich.people.models import Mark


async def read(session: AsyncSession, name: str) -> int:
    return int(await session.scalar(select(Mark.value).where(Mark.name == name)) or 0)


async def write(session: AsyncSession, name: str, value: int) -> None:
    done = await session.execute(update(Mark).where(Mark.name == name).values(value=value))
    if not rows_affected(done):
        session.add(Mark(name=name, value=value))
        await session.flush()
