"""Writing people and companies: one row per person (or company) per owner, merged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# The owner of the synthetic population that sandbox keys search.
SANDBOX = "sandbox"
# The owner of what the operator imported for every workspace.
EVERYONE = ""


class Outcome(StrEnum):
    INSERTED = "inserted"
    MERGED = "merged"  # an existing row gained or changed values
    UNCHANGED = "unchanged"  # nothing new: importing the same data twice lands here


async def upsert_people(
    session: AsyncSession,
    owner: str,
    people: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Person` dicts into the store, one outcome per record, in order."""
    raise NotImplementedError


async def upsert_companies(
    session: AsyncSession,
    owner: str,
    companies: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Company` dicts into the store, one outcome per record, in order."""
    raise NotImplementedError
