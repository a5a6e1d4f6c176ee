"""Profiles the waterfall and reverse lookups build, taken into the store.

Enrichment writes profiles as findings (`findings.kind = 'profile'`) in its own finishing
transaction; the store takes them in afterwards, in finding order, from a marker of how
far it got. Searches and lookups catch up first, so a workspace finds what it just
enriched; the finishing path of a contact pays nothing for it. Sandbox profiles stay out:
sandbox keys search the synthetic population.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from openenrich.db import Database
from openenrich.domain import Field
from openenrich.enrichment.models import Contact, Enrichment, FindingRow
from openenrich.people import marks
from openenrich.people.store import upsert_people

MARK = "ingest"
BATCH = 500


async def catch_up(db: Database, rounds: int = 20) -> int:
    """Take in profiles found since the last time; how many. Cheap when none are new: one
    read of the marker and of the newest finding's id."""
    taken = 0
    for _ in range(rounds):
        async with db.read() as session:
            done = await marks.read(session, MARK)
            newest = await session.scalar(select(func.max(FindingRow.id)))
        if not newest or newest <= done:
            return taken
        async with db.transaction() as session:
            taken += await _next_batch(session)
    return taken


async def _next_batch(session: Any) -> int:
    done = await marks.read(session, MARK)
    ids = list(
        await session.scalars(
            select(FindingRow.id).where(FindingRow.id > done).order_by(FindingRow.id).limit(BATCH)
        )
    )
    if not ids:
        return 0
    rows = await session.execute(
        select(FindingRow.data, FindingRow.source, FindingRow.created_at, Enrichment.workspace_id)
        .join(Contact, Contact.id == FindingRow.contact_id)
        .join(Enrichment, Enrichment.id == Contact.enrichment_id)
        .where(
            FindingRow.id.in_(ids),
            FindingRow.kind == Field.PROFILE.key,
            FindingRow.data.is_not(None),
            Enrichment.sandbox.is_(False),
        )
        .order_by(FindingRow.id)
    )
    by_source: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for data, source, created_at, workspace_id in rows:
        if isinstance(data, dict):
            by_source[(workspace_id, source or "waterfall")].append((data, created_at))
    # Workspaces in ascending order, the order the store's writers take turns in (a stable
    # sort: each workspace's sources keep theirs).
    for (workspace_id, source), found in sorted(by_source.items(), key=lambda i: i[0][0]):
        for data, created_at in found:
            await upsert_people(session, workspace_id, [data], f"enrichment:{source}", created_at)
    await marks.write(session, MARK, ids[-1])
    return sum(len(found) for found in by_source.values())
