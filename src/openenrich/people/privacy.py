"""What the people store keeps of people, registered with `openenrich.privacy`: person
records (from enrichments, imports and lookups) and which of them each workspace was
given. Companies hold company facts only."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected
from openenrich.people import identity, live
from openenrich.people.models import Export, PersonRow
from openenrich.people.store import EVERYONE, SANDBOX
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person
from openenrich.waterfall.normalise import query_hash


def _matching(person: Person) -> ColumnElement[bool] | None:
    handles = {identity.network_handle(url, "in") for url in person.linkedin} - {""}
    pairs = set()
    for entry in person.names:
        name, _, domain = entry.partition("|")
        pairs.add((identity.name_key(name), domain))
    found: list[ColumnElement[bool]] = []
    if handles:
        found.append(PersonRow.handle.in_(handles))
    if pairs:
        found.append(tuple_(PersonRow.name_key, PersonRow.company_domain).in_(pairs))
    return or_(*found) if found else None


async def identify(session: AsyncSession, person: Person) -> bool:
    """The digests the provider-call log knows the person's live lookups by (by profile
    URL, by name at a company's domain), so those calls are unlinked too. Nothing new is
    learnt of the person."""
    queries = [live.by_profile(url) for url in person.linkedin]
    queries += [live.by_name(*entry.split("|", 1)) for entry in person.names if "|" in entry]
    person.input_hashes.update(query_hash(q) for q in queries if q is not None)
    return False


async def erase(session: AsyncSession, person: Person) -> Found:
    """The person's records (in the workspace, or everywhere), and the record of having
    given them to anyone."""
    matching = _matching(person)
    if matching is None:
        return Found(0, 0)
    query = select(PersonRow.seq, PersonRow.id).where(matching, PersonRow.owner != SANDBOX)
    if person.workspace_id is not None:
        query = query.where(PersonRow.owner.in_((person.workspace_id, EVERYONE)))
    rows = (await session.execute(query)).all()
    if not rows:
        return Found(0, 0)
    await session.execute(delete(Export).where(Export.record_id.in_([r.id for r in rows])))
    done = await session.execute(delete(PersonRow).where(PersonRow.seq.in_([r.seq for r in rows])))
    return Found(len(rows), rows_affected(done))


async def purge(session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings) -> int:
    """Records a workspace gathered (from its enrichments and lookups) that nothing
    refreshed within the results' retention. What the operator imported for everyone
    stays until erased."""
    cutoff = now - timedelta(days=settings.result_retention_days)
    old = list(
        await session.scalars(
            select(PersonRow.seq)
            .where(
                PersonRow.owner.not_in((EVERYONE, SANDBOX)),
                PersonRow.updated_at < cutoff,
            )
            .limit(limit)
        )
    )
    if not old:
        return 0
    return rows_affected(await session.execute(delete(PersonRow).where(PersonRow.seq.in_(old))))


STORES = [
    Store(
        name="people",
        tables=("people", "people_exports"),
        keeps=(
            "person records from enrichments, reverse lookups, lookups and imports, with "
            "the source of each value; which records each workspace was given"
        ),
        retention=lambda s: (
            f"a workspace's records {s.result_retention_days:g} days after their last "
            "update; imported records until erased"
        ),
        erase=erase,
        identify=identify,
        purge=purge,
    )
]

_FTS = "the full-text index of a table's search documents, kept in step by triggers"
EXEMPT = {
    "companies": "company facts only (names, domains, sizes, addresses of offices)",
    "people_marks": "progress markers (a finding id, a population size)",
    **{
        f"{table}_fts{suffix}": _FTS
        for table in ("people", "companies")
        for suffix in ("", "_data", "_idx", "_docsize", "_config", "_content")
    },
}
