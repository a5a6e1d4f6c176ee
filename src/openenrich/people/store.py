"""Writing people and companies: one row per person (or company) per owner, merged.

A person is the same person again when their professional-network id or URL matches, or
else their name and current company domain; a company when its network id or URL, its
domain, or (lacking all three) its name matches. A person's current company is kept as a
company too, and the person's record points at it by id. Callers own the transaction;
writers of one owner's records take turns within it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, insert, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import is_uuid, new_id
from openenrich.people.documents import (
    PreparedCompany,
    PreparedPerson,
    prepare_company,
    prepare_person,
)
from openenrich.people.merge import merge, provenance
from openenrich.people.models import CompanyRow, PersonRow

# The owner of the synthetic population that sandbox keys search.
SANDBOX = "sandbox"
# The owner of what the operator imported for every workspace.
EVERYONE = ""


class Outcome(StrEnum):
    INSERTED = "inserted"
    MERGED = "merged"  # an existing row gained or changed values
    UNCHANGED = "unchanged"  # nothing new: importing the same data twice lands here


Row = TypeVar("Row", PersonRow, CompanyRow)


@dataclass(slots=True)
class _Known(Generic[Row]):
    """Rows of one owner by each of their keys, including those added in this batch."""

    by_key: dict[Hashable, Row] = field(default_factory=dict)

    def find(self, keys: Sequence[Hashable]) -> Row | None:
        return next((self.by_key[k] for k in keys if k in self.by_key), None)

    def add(self, keys: Sequence[Hashable], row: Row) -> None:
        for key in keys:
            self.by_key.setdefault(key, row)


def _company_keys(company: PreparedCompany) -> list[Hashable]:
    keys: list[Hashable] = []
    if company.network_id is not None:
        keys.append(("n", company.network_id))
    if company.handle:
        keys.append(("h", company.handle))
    if company.domain:
        keys.append(("d", company.domain))
    elif company.name_key and not keys:
        keys.append(("k", company.name_key))
    return keys


def _row_company_keys(row: CompanyRow) -> list[Hashable]:
    keys: list[Hashable] = []
    if row.network_id is not None:
        keys.append(("n", row.network_id))
    if row.handle:
        keys.append(("h", row.handle))
    if row.domain:
        keys.append(("d", row.domain))
    if row.name_key:
        keys.append(("k", row.name_key))
    return keys


def _person_keys(person: PreparedPerson) -> list[Hashable]:
    keys: list[Hashable] = []
    if person.network_id is not None:
        keys.append(("n", person.network_id))
    if person.handle:
        keys.append(("h", person.handle))
    if person.name_key and person.company_domain:
        keys.append(("p", person.name_key, person.company_domain))
    return keys


def _row_person_keys(row: PersonRow) -> list[Hashable]:
    keys: list[Hashable] = []
    if row.network_id is not None:
        keys.append(("n", row.network_id))
    if row.handle:
        keys.append(("h", row.handle))
    if row.name_key and row.company_domain:
        keys.append(("p", row.name_key, row.company_domain))
    return keys


async def _take_turn(session: AsyncSession, owner: str) -> None:
    """Writers of one owner's records take turns until the transaction ends: two writing
    the same new person at once (identical lookups) would each find no row and insert
    it twice. SQLite's write lock already serialises them; a transaction that writes
    several owners must take them in ascending order."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"people-store:{owner}"},
        )


async def _free_ids(session: AsyncSession, table: type[Row], wanted: list[str]) -> set[str]:
    """Which of the records' own ids no row uses yet (they keep them: sandbox ids must
    stay those the sandbox provider gives)."""
    valid = {value.lower() for value in wanted if is_uuid(value)}
    if not valid:
        return set()
    taken = await session.scalars(select(table.id).where(table.id.in_(valid)))
    return valid - set(taken)


def _own_id(data: Mapping[str, Any], free: set[str]) -> str:
    wanted = str(data.get("id", "")).lower()
    if wanted in free:
        free.discard(wanted)
        return wanted
    return new_id()


async def _company_rows(
    session: AsyncSession, owner: str, prepared: Sequence[PreparedCompany]
) -> _Known[CompanyRow]:
    known: _Known[CompanyRow] = _Known()
    conditions: list[ColumnElement[bool]] = []
    ids = {p.network_id for p in prepared if p.network_id is not None}
    handles = {p.handle for p in prepared if p.handle}
    domains = {p.domain for p in prepared if p.domain}
    names = {p.name_key for p in prepared if p.name_key and not p.domain}
    if ids:
        conditions.append(CompanyRow.network_id.in_(ids))
    if handles:
        conditions.append(CompanyRow.handle.in_(handles))
    if domains:
        conditions.append(CompanyRow.domain.in_(domains))
    if names:
        conditions.append(CompanyRow.name_key.in_(names))
    if conditions:
        rows = await session.scalars(
            select(CompanyRow).where(CompanyRow.owner == owner, or_(*conditions))
        )
        for row in rows:
            known.add(_row_company_keys(row), row)
    return known


async def _upsert_companies(
    session: AsyncSession,
    owner: str,
    companies: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[tuple[Outcome, str]]:
    prepared = [prepare_company(company) for company in companies]
    known = await _company_rows(session, owner, prepared)
    free = await _free_ids(session, CompanyRow, [str(p.data.get("id", "")) for p in prepared])
    done: list[tuple[Outcome, str]] = []
    inserts: list[dict[str, Any]] = []
    for company in prepared:
        keys = _company_keys(company)
        row = known.find(keys)
        if row is None:
            row_id = _own_id(company.data, free)
            data = {"id": row_id, **{k: v for k, v in company.data.items() if k != "id"}}
            row = CompanyRow(id=row_id, owner=owner, data=data)
            fresh = prepare_company(data)
            values = _company_values(fresh)
            values.update(
                id=row_id,
                owner=owner,
                data=data,
                sources=provenance(data, source, seen_at),
                created_at=seen_at,
                updated_at=seen_at,
            )
            inserts.append(values)
            for key, value in values.items():
                setattr(row, key, value)
            known.add(_row_company_keys(row), row)
            done.append((Outcome.INSERTED, row_id))
            continue
        data, marks = merge(row.data, row.sources, company.data, source, seen_at)
        if data == row.data:
            done.append((Outcome.UNCHANGED, row.id))
            continue
        values = _company_values(prepare_company(data))
        values.update(data=data, sources=marks, updated_at=seen_at)
        if row.seq is not None:
            await session.execute(
                update(CompanyRow).where(CompanyRow.seq == row.seq).values(**values)
            )
        else:  # inserted earlier in this batch
            pending = next(v for v in inserts if v["id"] == row.id)
            pending.update(values)
        for key, value in values.items():
            setattr(row, key, value)
        done.append((Outcome.MERGED, row.id))
    if inserts:
        await session.execute(insert(CompanyRow), inserts)
    return done


def _company_values(company: PreparedCompany) -> dict[str, Any]:
    return {
        "domain": company.domain,
        "network_id": company.network_id,
        "handle": company.handle,
        "name_key": company.name_key,
        "headcount": company.headcount,
        "founded": company.founded,
        "doc": company.doc,
    }


async def upsert_companies(
    session: AsyncSession,
    owner: str,
    companies: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Company` dicts into the store, one outcome per record, in order."""
    await _take_turn(session, owner)
    return [
        outcome
        for outcome, _ in await _upsert_companies(session, owner, companies, source, seen_at)
    ]


async def _link_companies(
    session: AsyncSession,
    owner: str,
    people: Sequence[PreparedPerson],
    source: str,
    seen_at: datetime,
) -> None:
    """Keep each person's current company as a company and point the person at it."""
    jobs: list[dict[str, Any]] = []
    for person in people:
        employment = person.data.get("employment")
        current = employment.get("current") if isinstance(employment, dict) else None
        company = current.get("company") if isinstance(current, dict) else None
        if isinstance(company, dict) and (company.get("domain") or company.get("name")):
            jobs.append(company)
    if not jobs:
        return
    ids = await _upsert_companies(session, owner, jobs, source, seen_at)
    for company, (_, company_id) in zip(jobs, ids, strict=True):
        company["id"] = company_id
    for person in people:
        employment = person.data.get("employment")
        if not isinstance(employment, dict) or not isinstance(employment.get("current"), dict):
            continue
        current = employment["current"]
        for job in employment.get("all", []):
            if (
                isinstance(job, dict)
                and job.get("is_current")
                and isinstance(job.get("company"), dict)
            ) and job["company"].get("name") == current.get("company", {}).get("name"):
                job["company"]["id"] = current["company"].get("id")


def _person_values(person: PreparedPerson) -> dict[str, Any]:
    return {
        "network_id": person.network_id,
        "handle": person.handle,
        "name_key": person.name_key,
        "company_domain": person.company_domain,
        "headcount": person.headcount,
        "founded": person.founded,
        "position_start": person.position_start,
        "company_start": person.company_start,
        "last_change": person.last_change,
        "doc": person.doc,
    }


async def _person_rows(
    session: AsyncSession, owner: str, prepared: Sequence[PreparedPerson]
) -> _Known[PersonRow]:
    known: _Known[PersonRow] = _Known()
    conditions: list[ColumnElement[bool]] = []
    ids = {p.network_id for p in prepared if p.network_id is not None}
    handles = {p.handle for p in prepared if p.handle}
    pairs = {(p.name_key, p.company_domain) for p in prepared if p.name_key and p.company_domain}
    if ids:
        conditions.append(PersonRow.network_id.in_(ids))
    if handles:
        conditions.append(PersonRow.handle.in_(handles))
    if pairs:
        conditions.append(tuple_(PersonRow.name_key, PersonRow.company_domain).in_(pairs))
    if conditions:
        rows = await session.scalars(
            select(PersonRow).where(PersonRow.owner == owner, or_(*conditions))
        )
        for row in rows:
            known.add(_row_person_keys(row), row)
    return known


async def upsert_people(
    session: AsyncSession,
    owner: str,
    people: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Person` dicts into the store, one outcome per record, in order."""
    await _take_turn(session, owner)
    prepared = [prepare_person(person) for person in people]
    await _link_companies(session, owner, prepared, source, seen_at)
    known = await _person_rows(session, owner, prepared)
    free = await _free_ids(session, PersonRow, [str(p.data.get("id", "")) for p in prepared])
    done: list[Outcome] = []
    inserts: list[dict[str, Any]] = []
    for person in prepared:
        row = known.find(_person_keys(person))
        if row is None:
            row_id = _own_id(person.data, free)
            data = {"id": row_id, **{k: v for k, v in person.data.items() if k != "id"}}
            values = _person_values(prepare_person(data))
            values.update(
                id=row_id,
                owner=owner,
                data=data,
                sources=provenance(data, source, seen_at),
                created_at=seen_at,
                updated_at=seen_at,
            )
            inserts.append(values)
            row = PersonRow(**values)
            known.add(_row_person_keys(row), row)
            done.append(Outcome.INSERTED)
            continue
        data, marks = merge(row.data, row.sources, person.data, source, seen_at)
        if data == row.data:
            done.append(Outcome.UNCHANGED)
            continue
        values = _person_values(prepare_person(data))
        values.update(data=data, sources=marks, updated_at=seen_at)
        if row.seq is not None:
            await session.execute(
                update(PersonRow).where(PersonRow.seq == row.seq).values(**values)
            )
        else:
            pending = next(v for v in inserts if v["id"] == row.id)
            pending.update(values)
        for key, value in values.items():
            setattr(row, key, value)
        done.append(Outcome.MERGED)
    if inserts:
        await session.execute(insert(PersonRow), inserts)
    return done
