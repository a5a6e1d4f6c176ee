"""What enrichment jobs keep of people, registered with `openenrich.privacy`: the input and
result of every contact (enrichments and reverse lookups alike), the findings behind them
(the server's own people data: reverse lookups answer from it), and each job's serialized
result body."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Text, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected
from openenrich.domain import ContactQuery, Field
from openenrich.enrichment.models import Contact, Enrichment, EnrichmentStatus, FindingRow
from openenrich.enrichment.processing import query_of
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import (
    Kind,
    Person,
    Subject,
    erase_from_body,
    redact_record,
    scrub,
    subjects_of_input,
)
from openenrich.waterfall.normalise import normalise_linkedin, query_hash

_EMAIL_KINDS = tuple(kind.key for kind in Field if kind.is_email)
_TERMINAL = tuple(s.value for s in EnrichmentStatus if s.terminal)


def _like_any(column: Any, needles: list[str]) -> Any:
    return or_(*(cast(column, Text).ilike(f"%{n}%") for n in needles))


def _in_scope(query: Any, person: Person) -> Any:
    """Contacts of the workspace the erasure is limited to (all when it is not)."""
    if person.workspace_id is None:
        return query
    jobs = select(Enrichment.id).where(Enrichment.workspace_id == person.workspace_id)
    return query.where(Contact.enrichment_id.in_(jobs))


async def _candidates(session: AsyncSession, person: Person) -> list[Contact]:
    """Contacts that may be this person's: their input holds one of the person's values
    (the database narrows, Python decides), or a finding of theirs is the person's."""
    terms = person.needles() + sorted({n.split("|", 1)[1] for n in person.names})
    found: dict[str, Contact] = {}
    if terms:
        query = _in_scope(select(Contact).where(_like_any(Contact.input, terms)), person)
        rows = await session.execute(query)
        for contact in rows.scalars():
            found[contact.id] = contact
    conditions = []
    if person.emails:
        conditions.append(
            (FindingRow.kind.in_(_EMAIL_KINDS)) & FindingRow.value.in_(sorted(person.emails))
        )
    for url in person.linkedin:
        handle = url.split("/in/", 1)[1]
        conditions.append(
            (FindingRow.kind == Field.PROFILE.key) & FindingRow.value.ilike(f"%/in/{handle}%")
        )
    if conditions:
        holders = select(FindingRow.contact_id).where(or_(*conditions))
        query = _in_scope(select(Contact).where(Contact.id.in_(holders)), person)
        rows = await session.execute(query)
        for contact in rows.scalars():
            found[contact.id] = contact
    return list(found.values())


async def _owned_by(session: AsyncSession, person: Person, contact: Contact) -> bool:
    if person.is_input_of(contact.input):
        return True
    # Found for this contact as its own address or profile, not a passing candidate.
    return person.owns(contact.result or {})


async def identify(session: AsyncSession, person: Person) -> bool:
    """Contacts of this person, and what they teach about them: the names, addresses and
    profile URLs of their inputs and findings, and the digests the call log knows them by."""
    learnt = False
    for contact in await _candidates(session, person):
        if contact.id in person.contact_ids or not await _owned_by(session, person, contact):
            continue
        person.contact_ids.add(contact.id)
        person.enrichment_ids.add(contact.enrichment_id)
        person.input_hashes.add(query_hash(query_of(contact.input)))
        person.learn(s for s in subjects_of_input(contact.input) if s.is_person)
        rows = await session.execute(
            select(FindingRow.kind, FindingRow.value).where(FindingRow.contact_id == contact.id)
        )
        for kind, value in rows.all():
            if kind in _EMAIL_KINDS and value:
                person.add(Subject(Kind.EMAIL, value.lower()))
            elif kind == Field.PROFILE.key and "/in/" in (value or ""):
                person.add(Subject(Kind.LINKEDIN, normalise_linkedin(value)))
        learnt = True
    for email in person.emails:
        person.input_hashes.add(query_hash(ContactQuery(email=email)))
    return learnt


async def erase(session: AsyncSession, person: Person) -> Found:
    """Redact the person's contacts (shape kept, values gone), delete every finding that
    is theirs, scrub their values from other contacts' results, and rewrite the result
    bodies of the jobs touched."""
    found = removed = 0
    if person.contact_ids:
        ids = sorted(person.contact_ids)
        rows = await session.execute(select(Contact).where(Contact.id.in_(ids)))
        for contact in rows.scalars():
            found += 1
            removed += 1
            contact.input = {}
            contact.custom = scrub(contact.custom, person) if contact.custom else contact.custom
            if contact.result is not None:
                contact.result = redact_record(contact.result, person)
            contact.dedup_key = ""
        gone = await session.execute(delete(FindingRow).where(FindingRow.contact_id.in_(ids)))
        found += rows_affected(gone)
        removed += rows_affected(gone)
    conditions = []
    if person.emails:
        conditions.append(FindingRow.value.in_(sorted(person.emails)))
    conditions += [FindingRow.value.ilike(f"%/in/{n}%") for n in _handles(person)]
    if conditions:
        scoped = _in_scope(select(Contact.id), person)
        gone = await session.execute(
            delete(FindingRow).where(or_(*conditions), FindingRow.contact_id.in_(scoped))
        )
        found += rows_affected(gone)
        removed += rows_affected(gone)
    needles = person.needles()
    if needles:
        others = await session.execute(
            _in_scope(
                select(Contact).where(
                    _like_any(Contact.result, needles),
                    Contact.id.not_in(sorted(person.contact_ids)),
                ),
                person,
            )
        )
        for contact in others.scalars():
            found += 1
            removed += 1
            contact.result = scrub(contact.result, person)
            person.enrichment_ids.add(contact.enrichment_id)
    if person.enrichment_ids:
        jobs = await session.execute(
            select(Enrichment).where(Enrichment.id.in_(sorted(person.enrichment_ids)))
        )
        for enrichment in jobs.scalars():
            if person.mentioned_in(enrichment.name):
                enrichment.name = ""
            if enrichment.result_body is None:
                continue
            body, hits = erase_from_body(orjson.loads(enrichment.result_body), person)
            if hits:
                enrichment.result_body = orjson.dumps(body)
                found += 1
                removed += 1
    await session.flush()
    return Found(found, removed)


def _handles(person: Person) -> list[str]:
    return [url.split("/in/", 1)[1] for url in sorted(person.linkedin) if "/in/" in url]


async def purge(session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings) -> int:
    """Finished jobs past retention: first their contacts (findings go with them), at most
    `limit` a call, then the emptied jobs themselves (webhook events go with them)."""
    cutoff = now - timedelta(days=settings.result_retention_days)
    expired = select(Enrichment.id).where(
        Enrichment.status.in_(_TERMINAL), Enrichment.finished_at < cutoff
    )
    contacts = select(Contact.id).where(Contact.enrichment_id.in_(expired)).limit(limit)
    gone = rows_affected(
        await session.execute(delete(Contact).where(Contact.id.in_(contacts.scalar_subquery())))
    )
    if gone >= limit:
        return gone
    emptied = (
        expired.where(~select(Contact.id).where(Contact.enrichment_id == Enrichment.id).exists())
        .limit(limit - gone)
        .scalar_subquery()
    )
    return gone + rows_affected(
        await session.execute(delete(Enrichment).where(Enrichment.id.in_(emptied)))
    )


def _kept_for(settings: PrivacySettings) -> str:
    return f"{settings.result_retention_days:g} days after the job finished"


STORES = [
    Store(
        name="results",
        tables=("enrichments", "contacts", "findings"),
        keeps=(
            "each contact's input (names, company, LinkedIn URL, email for reverse lookups),"
            " its result record and every candidate found (emails, phones, profiles), and"
            " each job's result body"
        ),
        retention=_kept_for,
        identify=identify,
        erase=erase,
        purge=purge,
    )
]
