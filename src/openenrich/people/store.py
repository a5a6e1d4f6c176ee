"""Writing people and companies: one row per person (or company) per owner, merged.

A person is the same person again when their professional-network id or URL matches, or
else their name and current company domain; a company when its network id or URL, its
domain, or (lacking all three) its name matches. A person's current company is kept as a
company too, and the person's record points at it by id. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import Table, TextClause, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from openenrich.db import is_uuid, new_id
from openenrich.people.documents import (
    PreparedCompany,
    PreparedPerson,
    document,
    prepare_company,
    prepare_person,
)
from openenrich.people.fields import COMPANIES, PEOPLE
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

# Inserts go through Core: the values are complete rows, the ORM's bulk path adds nothing.
_PEOPLE = cast(Table, PersonRow.__table__)
_COMPANIES = cast(Table, CompanyRow.__table__)


async def _insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows in few statements. Asking for RETURNING makes SQLAlchemy send multi-row
    VALUES (up to 1000 rows a statement) instead of one statement per row; on SQLite that
    matters beyond the round trips: the full-text trigger flushes its index at every
    statement, and row by row that was most of an insert's cost."""
    await session.execute(insert(table).returning(table.c.seq), rows)


def _pending(values: Mapping[str, Any]) -> SimpleNamespace:
    """A row this batch inserts, as merging reads it (`seq` None: not written yet)."""
    return SimpleNamespace(seq=None, **values)


@dataclass(slots=True)
class _Known:
    """Rows of one owner by each of their keys, including those added in this batch. Rows
    are plain namespaces of the columns merging reads, not ORM instances: a batch holds
    thousands, and an ORM instance costs many times more to make."""

    by_key: dict[Hashable, SimpleNamespace] = field(default_factory=dict)

    def find(self, keys: Sequence[Hashable]) -> SimpleNamespace | None:
        for key in keys:
            row = self.by_key.get(key)
            if row is not None:
                return row
        return None

    def add(self, keys: Sequence[Hashable], row: SimpleNamespace) -> None:
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


def _row_company_keys(row: SimpleNamespace) -> list[Hashable]:
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


def _row_person_keys(row: SimpleNamespace) -> list[Hashable]:
    keys: list[Hashable] = []
    if row.network_id is not None:
        keys.append(("n", row.network_id))
    if row.handle:
        keys.append(("h", row.handle))
    if row.name_key and row.company_domain:
        keys.append(("p", row.name_key, row.company_domain))
    return keys


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


# The columns merging reads of a stored row: what it holds, and the keys it is found by.
_PERSON_COLUMNS = (
    PersonRow.seq,
    PersonRow.id,
    PersonRow.data,
    PersonRow.sources,
    PersonRow.network_id,
    PersonRow.handle,
    PersonRow.name_key,
    PersonRow.company_domain,
)
_COMPANY_COLUMNS = (
    CompanyRow.seq,
    CompanyRow.id,
    CompanyRow.data,
    CompanyRow.sources,
    CompanyRow.network_id,
    CompanyRow.handle,
    CompanyRow.domain,
    CompanyRow.name_key,
)


async def _rows_by(
    session: AsyncSession,
    table: type[Row],
    owner: str,
    lookups: Sequence[tuple[InstrumentedAttribute[Any], set[Any]]],
) -> list[SimpleNamespace]:
    """The owner's rows holding any of the values, oldest first. One query per column: an
    OR across columns makes SQLite scan every row of the owner, whatever the indexes."""
    columns = _PERSON_COLUMNS if table is PersonRow else _COMPANY_COLUMNS
    found: dict[int, SimpleNamespace] = {}
    for column, values in lookups:
        if values:
            query = select(*columns).where(table.owner == owner, column.in_(values))
            for row in await session.execute(query):
                found[row.seq] = SimpleNamespace(**row._mapping)
    return [found[seq] for seq in sorted(found)]


def _by_name_and_domain(pairs: int) -> TextClause:
    """People by name and current company domain, `pairs` pairs at a time. Written out so
    each size is compiled once: SQLite probes the index for each pair only when they come
    from a CTE; `(name_key, company_domain) IN (VALUES ...)` scans every row of the owner."""
    return text(
        "WITH wanted(name_key, company_domain) AS (VALUES "  # noqa: S608 (placeholders only)
        + ", ".join(f"(:n{i}, :d{i})" for i in range(pairs))
        + ") SELECT seq FROM people WHERE owner = :owner AND (name_key, company_domain) IN "
        "(SELECT name_key, company_domain FROM wanted)"
    )


# A few sizes, so a single record does not bind a thousand pairs.
_BY_NAME_AND_DOMAIN = {size: _by_name_and_domain(size) for size in (8, 64, 1024)}


async def _seqs_by_name(session: AsyncSession, owner: str, pairs: set[tuple[str, str]]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(pairs)
    largest = max(_BY_NAME_AND_DOMAIN)
    for start in range(0, len(ordered), largest):
        chunk = ordered[start : start + largest]
        size = min(size for size in _BY_NAME_AND_DOMAIN if size >= len(chunk))
        chunk += [chunk[-1]] * (size - len(chunk))  # padded: the same statement every time
        params: dict[str, str] = {"owner": owner}
        for index, (name_key, company_domain) in enumerate(chunk):
            params[f"n{index}"] = name_key
            params[f"d{index}"] = company_domain
        found.update(await session.scalars(_BY_NAME_AND_DOMAIN[size], params))
    return found


async def _company_rows(
    session: AsyncSession, owner: str, prepared: Sequence[PreparedCompany]
) -> _Known:
    known = _Known()
    rows = await _rows_by(
        session,
        CompanyRow,
        owner,
        [
            (CompanyRow.network_id, {p.network_id for p in prepared if p.network_id is not None}),
            (CompanyRow.handle, {p.handle for p in prepared if p.handle}),
            (CompanyRow.domain, {p.domain for p in prepared if p.domain}),
            (CompanyRow.name_key, {p.name_key for p in prepared if p.name_key and not p.domain}),
        ],
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
    # Records repeat within a batch (people's current companies): each prepared once.
    by_content: dict[bytes, PreparedCompany] = {}
    prepared = []
    for record in companies:
        content = orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        found = by_content.get(content)
        if found is None:
            found = by_content[content] = prepare_company(record)
        prepared.append(found)
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
            # The record is tidied already; only the document changes (it holds the id).
            values = _company_values(company)
            values.update(
                doc=document(COMPANIES, data),
                id=row_id,
                owner=owner,
                data=data,
                sources=provenance(data, source, seen_at),
                created_at=seen_at,
                updated_at=seen_at,
            )
            inserts.append(values)
            row = _pending(values)
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
        await _insert(session, _COMPANIES, inserts)
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


def _person_values(person: PreparedPerson, doc: str | None = None) -> dict[str, Any]:
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
        "doc": person.doc if doc is None else doc,
    }


async def _person_rows(
    session: AsyncSession, owner: str, prepared: Sequence[PreparedPerson]
) -> _Known:
    known = _Known()
    rows = await _rows_by(
        session,
        PersonRow,
        owner,
        [
            (PersonRow.network_id, {p.network_id for p in prepared if p.network_id is not None}),
            (PersonRow.handle, {p.handle for p in prepared if p.handle}),
        ],
    )
    pairs = {(p.name_key, p.company_domain) for p in prepared if p.name_key and p.company_domain}
    if pairs:
        more = await _seqs_by_name(session, owner, pairs) - {row.seq for row in rows}
        if more:
            rows += await _rows_by(session, PersonRow, owner, [(PersonRow.seq, more)])
            rows.sort(key=lambda row: int(row.seq))
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
            # The record is tidied already; only the document changes (it holds the id).
            values = _person_values(person, document(PEOPLE, data))
            values.update(
                id=row_id,
                owner=owner,
                data=data,
                sources=provenance(data, source, seen_at),
                created_at=seen_at,
                updated_at=seen_at,
            )
            inserts.append(values)
            row = _pending(values)
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
        await _insert(session, _PEOPLE, inserts)
    return done
